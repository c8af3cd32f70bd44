package pier.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.names.AppName;
import pier.state.Damaged;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A damaged release file is reported and skipped, never taken for absent in silence: the app's current release is
 * its newest readable one, and its other releases still list, restart and roll back.
 */
class DamagedReleasesTest {
    @TempDir
    Path tmp;

    PierHome home;
    Releases releases;

    @BeforeEach
    void setUp() {
        home = new PierHome(tmp);
        releases = new Releases(home, AppName.of("blog"));
        for (int id = 1; id <= 3; id++) {
            releases.record(new Release(id, "c0ffee" + id, "pier/blog:v" + id, 5000, Instant.parse("2026-01-01T00:00:00Z"), "alice"));
        }
    }

    private Path file(int id) {
        return home.releases(AppName.of("blog")).resolve("v" + id + ".properties");
    }

    private List<Integer> ids() {
        return releases.list().stream().map(Release::id).toList();
    }

    @Test
    void anEmptyNewestReleaseIsSkippedAndTheNewestReadableOneIsCurrent() throws IOException {
        Files.writeString(file(3), "");
        assertEquals(List.of(1, 2), ids());
        assertEquals(2, releases.current().orElseThrow().id());
        Releases.Scan scan = releases.scan();
        assertEquals(List.of(file(3)), scan.damaged().stream().map(Damaged::file).toList());
        String warning = scan.damaged().get(0).warning();
        assertTrue(warning.contains(file(3).toString()) && warning.contains("empty"), warning);
    }

    @Test
    void aDamagedNewestReleaseKeepsItsIdFromTheNextDeploy() throws IOException {
        Files.writeString(file(3), "");
        assertEquals(4, releases.nextId());
        assertEquals(4, releases.reserveId());
        assertEquals(5, releases.nextId());
    }

    @Test
    void anUnparsableReleaseIsSkippedAndNamed() throws IOException {
        Files.writeString(file(2), "id=2\ncommit=abc\n");
        assertEquals(List.of(1, 3), ids());
        Damaged damaged = releases.scan().damaged().get(0);
        assertEquals(file(2), damaged.file());
        assertTrue(damaged.problem().contains("cannot be read"), damaged.problem());
    }

    @Test
    void aFileHoldingAnotherReleaseIsDamaged() throws IOException {
        Files.writeString(file(3), Files.readString(file(1)));
        assertEquals(List.of(1, 2), ids());
        assertTrue(releases.scan().damaged().get(0).problem().contains("holds release v1, not v3"),
                releases.scan().damaged().get(0).problem());
    }

    @Test
    void anotherAppsDamagedReleaseChangesNothingHere() throws IOException {
        Releases other = new Releases(home, AppName.of("shop"));
        other.record(new Release(1, "beef", "pier/shop:v1", 5000, Instant.parse("2026-01-01T00:00:00Z"), "alice"));
        Files.writeString(home.releases(AppName.of("shop")).resolve("v1.properties"), "");
        assertEquals(List.of(1, 2, 3), ids());
        assertTrue(releases.scan().damaged().isEmpty());
    }
}
