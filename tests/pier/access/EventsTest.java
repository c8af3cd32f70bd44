package pier.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.names.AppName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        events.record("alice", Optional.of(AppName.of("blog")), "ok", "config:set", List.of("blog", "SECRET=hunter2", "B=x y"),
                Access.Shown.KEYS_ONLY);
        String log = Files.readString(tmp.resolve("events.log"));
        assertFalse(log.contains("hunter2"), log);
        assertTrue(log.contains("SECRET=..."), log);
    }

    @Test
    void tabsAndNewlinesInWordsKeepOneEventOneLine() throws IOException {
        Events events = new Events(new PierHome(tmp));
        events.record("alice", Optional.of(AppName.of("blog")), "failed: a\tb\nc", "run", List.of("blog", "echo\tx\ny"),
                Access.Shown.APP_ONLY);
        assertEquals(1, Files.readAllLines(tmp.resolve("events.log")).size());
        assertEquals(1, events.last(Optional.empty(), 5).size());
    }

    /** A command line often carries a token: run's words are counted, never logged. */
    @Test
    void runsCommandWordsNeverReachTheLog() throws IOException {
        Events events = new Events(new PierHome(tmp));
        events.record("alice", Optional.of(AppName.of("blog")), "ok", "run", List.of("blog", "curl", "-H", "Authorization: hunter2"),
                Access.Shown.APP_ONLY);
        events.record("alice", Optional.of(AppName.of("blog")), "ok", "run", List.of("blog", "TOKEN=hunter2 ./job"),
                Access.Shown.APP_ONLY);
        String log = Files.readString(tmp.resolve("events.log"));
        assertFalse(log.contains("hunter2") || log.contains("curl"), log);
        List<Events.Event> last = events.last(Optional.empty(), 2);
        assertEquals("run blog (3 words hidden)", last.get(0).command());
        assertEquals("run blog (1 word hidden)", last.get(1).command());
    }

    /** An escape sequence typed in a command must not reach a terminal that shows the log. */
    @Test
    void controlCharactersAreStoredAndShownEscaped() throws IOException {
        Events events = new Events(new PierHome(tmp));
        events.record("alice\u0007", Optional.of(AppName.of("blog")), "failed: \u001b[2J", "domains:add",
                List.of("blog", "\u001b]0;owned\u0007x.example.com"));
        String log = Files.readString(tmp.resolve("events.log"));
        assertTrue(log.chars().noneMatch(c -> c < 0x20 && c != 9 && c != 10), log);
        Events.Event e = events.last(Optional.empty(), 1).get(0);
        for (String shown : List.of(e.key(), e.result(), e.command())) {
            assertTrue(shown.chars().noneMatch(Character::isISOControl), shown);
        }
        assertTrue(e.command().contains("u001b]0;owned"), e.command());
        assertEquals("failed: \\u001b[2J", e.result());
        assertEquals("alice\\u0007", e.key());
    }

    /** Logging the purge that removed pier's home must not bring the home back. */
    @Test
    void noHomeNoLogAndNoHomeCreated() {
        Path gone = tmp.resolve("purged");
        new Events(new PierHome(gone)).record("local", Optional.empty(), "ok", "install", List.of("--uninstall", "--purge"));
        assertFalse(Files.exists(gone));
    }
}
