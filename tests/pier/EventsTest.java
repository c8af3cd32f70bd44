package pier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event log: appended to, never rewritten, readable per app, and never a keeper of config values. */
class EventsTest {
    @TempDir
    Path tmp;

    @Test
    void eventsAreAppendedAndReadBackPerApp() throws IOException {
        Events events = new Events(new PierHome(tmp));
        events.record("alice", Optional.of(AppName.of("blog")), "ok", "domains:add", List.of("blog", "blog.example.com"));
        String first = Files.readString(tmp.resolve("events.log"));
        events.record("root", Optional.empty(), "refused", "apps:create", List.of("x"));
        assertTrue(Files.readString(tmp.resolve("events.log")).startsWith(first), "earlier lines must stay as they were");

        List<Events.Event> blog = events.last(Optional.of(AppName.of("blog")), 10);
        assertEquals(1, blog.size());
        assertEquals("alice", blog.get(0).key());
        assertEquals("domains:add blog blog.example.com", blog.get(0).command());
        assertEquals(2, events.last(Optional.empty(), 10).size());
        assertEquals("apps:create x", events.last(Optional.empty(), 1).get(0).command());
    }

    @Test
    void configValuesNeverReachTheLog() throws IOException {
        Events events = new Events(new PierHome(tmp));
        events.record("alice", Optional.of(AppName.of("blog")), "ok", "config:set", List.of("blog", "SECRET=hunter2", "B=x y"));
        String log = Files.readString(tmp.resolve("events.log"));
        assertFalse(log.contains("hunter2"), log);
        assertTrue(log.contains("SECRET=..."), log);
    }

    @Test
    void tabsAndNewlinesInWordsKeepOneEventOneLine() throws IOException {
        Events events = new Events(new PierHome(tmp));
        events.record("alice", Optional.of(AppName.of("blog")), "failed: a\tb\nc", "run", List.of("blog", "echo\tx\ny"));
        assertEquals(1, Files.readAllLines(tmp.resolve("events.log")).size());
        assertEquals(1, events.last(Optional.empty(), 5).size());
    }

    /** Logging the purge that removed pier's home must not bring the home back. */
    @Test
    void noHomeNoLogAndNoHomeCreated() {
        Path gone = tmp.resolve("purged");
        new Events(new PierHome(gone)).record("local", Optional.empty(), "ok", "install", List.of("--uninstall", "--purge"));
        assertFalse(Files.exists(gone));
    }
}
