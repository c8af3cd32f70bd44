package pier.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pier.apps.Release;
import pier.apps.Releases;
import pier.names.AppName;
import pier.names.Domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pier's state is plain files a human may read: they must be written atomically with the right mode,
 * rewritten only when they change, and read back exactly as written.
 */
class StateFilesTest {
    @TempDir
    Path tmp;

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    private List<String> namesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    // ---- AtomicFile ----

    @Test
    void atomicWriteReportsChangeOnlyWhenContentOrModeDiffers() throws IOException {
        Path file = tmp.resolve("state.txt");
        assertTrue(AtomicFile.write(file, "one\n", "rw-r--r--"));
        assertFalse(AtomicFile.write(file, "one\n", "rw-r--r--"));
        assertTrue(AtomicFile.write(file, "two\n", "rw-r--r--"));
        assertEquals("two\n", Files.readString(file));
        assertTrue(AtomicFile.write(file, "two\n", "rw-------"), "a mode change alone is a change");
        assertEquals("rw-------", mode(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-------", "rw-r--r--", "rwxr-xr-x", "r--------"})
    void atomicWriteSetsGivenMode(String wanted) throws IOException {
        Path file = tmp.resolve("moded");
        AtomicFile.write(file, "x", wanted);
        assertEquals(wanted, mode(file));
    }

    @Test
    void atomicWriteLeavesNoTempFilesBesideTarget() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        Path file = dir.resolve("target.conf");
        AtomicFile.write(file, "a", "rw-r--r--");
        AtomicFile.write(file, "a", "rw-r--r--");
        AtomicFile.write(file, "b", "rw-------");
        assertEquals(List.of("target.conf"), namesIn(dir));
    }

    @Test
    void atomicWriteCreatesMissingParentDirectories() throws IOException {
        Path file = tmp.resolve("a/b/c.txt");
        assertTrue(AtomicFile.write(file, "deep", "rw-r--r--"));
        assertEquals("deep", Files.readString(file));
    }

    @Test
    void atomicReadOfMissingFileIsEmpty() {
        assertEquals(Optional.empty(), AtomicFile.read(tmp.resolve("absent")));
    }

    // ---- Settings ----

    @Test
    void globalDomainIsUnsetOnFreshHome() {
        assertEquals(Optional.empty(), new Settings(new PierHome(tmp)).globalDomain());
    }

    @Test
    void globalDomainRoundTripsAndClears() {
        PierHome home = new PierHome(tmp);
        new Settings(home).globalDomain(Domain.of("example.com"));
        assertEquals(Optional.of(Domain.of("example.com")), new Settings(home).globalDomain());

        new Settings(home).globalDomain(null);
        assertEquals(Optional.empty(), new Settings(home).globalDomain());
    }

    @Test
    void healthTimeoutDefaultsToThirtySeconds() {
        assertEquals(Duration.ofSeconds(30), new Settings(new PierHome(tmp)).healthTimeout());
    }

    @Test
    void healthTimeoutCanBeSet() {
        PierHome home = new PierHome(tmp);
        new Settings(home).set(Settings.HEALTH_TIMEOUT, "5");
        assertEquals(Duration.ofSeconds(5), new Settings(home).healthTimeout());
    }

    @Test
    void settingOneKeyKeepsTheOthers() {
        PierHome home = new PierHome(tmp);
        Settings settings = new Settings(home);
        settings.globalDomain(Domain.of("example.com"));
        settings.set(Settings.HEALTH_TIMEOUT, "7");
        assertEquals(Optional.of(Domain.of("example.com")), settings.globalDomain());
        assertEquals(Duration.ofSeconds(7), settings.healthTimeout());
    }

    // ---- PropertiesText ----

    @ParameterizedTest
    @ValueSource(strings = {"plain", "", " leading space", "trailing space ", "a  b", "k=v", "a:b", "#not a comment",
            "!bang", "line1\nline2", "cr\rlf", "tab\there", "back\\slash", "ends with \\", "\\u0041 not unicode",
            "ünïcødé", "日本語", "emoji \uD83D\uDE80", "nul\0ctl\u0001", "del\u007f"})
    void propertiesTextRoundTripsAwkwardValues(String value) {
        Properties props = new Properties();
        props.setProperty("value", value);
        props.setProperty(value.isEmpty() ? "empty" : value, "as a key");
        Properties back = PropertiesText.parse(PropertiesText.of(props, "test"));
        assertEquals(props, back);
    }

    @Test
    void propertiesTextIsSortedWithOnlyTheTitleComment() {
        Properties props = new Properties();
        props.setProperty("zeta", "1");
        props.setProperty("alpha", "2");
        props.setProperty("mid", "3");
        String text = PropertiesText.of(props, "my title");
        assertEquals("# my title\nalpha=2\nmid=3\nzeta=1\n", text);
    }

    @Test
    void propertiesTextOfSameValuesIsByteIdentical() {
        Properties a = new Properties();
        a.setProperty("x", "1");
        a.setProperty("y", "2");
        Properties b = new Properties();
        b.setProperty("y", "2");
        b.setProperty("x", "1");
        assertEquals(PropertiesText.of(a, "t"), PropertiesText.of(b, "t"));
    }

    @Test
    void propertiesTextIsOneLinePerPropertyEvenForMultiLineValues() {
        Properties props = new Properties();
        props.setProperty("a", "x\ny\rz");
        assertEquals(2, PropertiesText.of(props, "t").lines().count());
    }

    // ---- Releases ----

    private static Release release(int id, String commit) {
        return new Release(id, commit, "pier/blog:" + commit, 10000 + id, Instant.parse("2024-01-0" + id + "T10:00:00Z"),
                "alice");
    }

    @Test
    void firstReleaseOfAppIsOne() {
        Releases releases = new Releases(new PierHome(tmp), AppName.of("blog"));
        assertEquals(1, releases.nextId());
        assertEquals(List.of(), releases.list());
        assertEquals(Optional.empty(), releases.current());
    }

    @Test
    void recordedReleasesListInOrderAndNewestIsCurrent() {
        Releases releases = new Releases(new PierHome(tmp), AppName.of("blog"));
        Release v1 = release(1, "aaaaaaa");
        Release v2 = release(2, "bbbbbbb");
        releases.record(v1);
        releases.record(v2);
        assertEquals(List.of(v1, v2), releases.list());
        assertEquals(Optional.of(v2), releases.current());
        assertEquals(3, releases.nextId());
    }

    @Test
    void releasesOrderNumericallyNotAlphabetically() {
        Releases releases = new Releases(new PierHome(tmp), AppName.of("blog"));
        Release v2 = release(2, "two");
        Release v10 = new Release(10, "ten", "pier/blog:ten", 10010, Instant.parse("2024-02-01T00:00:00Z"), "bob");
        releases.record(v10);
        releases.record(v2);
        assertEquals(List.of(v2, v10), releases.list());
        assertEquals(11, releases.nextId());
    }

    @Test
    void releasesOfOneAppAreNotSeenByAnother() {
        PierHome home = new PierHome(tmp);
        new Releases(home, AppName.of("blog")).record(release(1, "aaaaaaa"));
        assertEquals(1, new Releases(home, AppName.of("shop")).nextId());
    }
}
