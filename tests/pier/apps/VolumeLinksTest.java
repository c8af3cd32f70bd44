package pier.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.ContainerPath;
import pier.names.VolumeName;
import pier.state.AtomicFile;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An app's volume links are a plain file a human can read; a link or unlink restarts the app, and a failed
 * restart leaves the links as they were. No Docker is needed: links never ask it.
 */
class VolumeLinksTest {
    @TempDir
    Path tmp;

    PierHome home;
    Volumes volumes;
    final AppName blog = AppName.of("blog");
    final VolumeName data = VolumeName.of("data");
    final VolumeName logs = VolumeName.of("logs");
    final AtomicInteger restarts = new AtomicInteger();
    final Runnable restart = restarts::incrementAndGet;

    @BeforeEach
    void oneAppTwoVolumes() throws IOException {
        home = new PierHome(tmp);
        Files.createDirectories(home.repo(blog));
        volume("data", "/data");
        volume("logs", "/var/log/app", "/data/logs");
        volumes = new Volumes(home, null);
    }

    private void volume(String name, String... paths) {
        StringBuilder text = new StringBuilder("created=2026-01-01T00:00:00Z\n");
        for (int i = 0; i < paths.length; i++) {
            text.append("path.").append(i + 1).append('=').append(paths[i]).append('\n');
        }
        AtomicFile.write(home.volumes().resolve(name + ".properties"), text.toString(), "rw-r--r--");
    }

    @Test
    void volumesAndPathsAreReadFromTheirFiles() {
        assertEquals(List.of(data, logs), volumes.list());
        assertEquals(List.of(ContainerPath.of("/var/log/app"), ContainerPath.of("/data/logs")), volumes.paths(logs));
    }

    @Test
    void linkStoresOneNamePerLineThenRestarts() throws IOException {
        assertTrue(volumes.link(blog, data, restart));
        assertTrue(volumes.link(blog, logs, restart));
        assertEquals("data\nlogs\n", Files.readString(home.app(blog).resolve("volumes")));
        assertEquals(List.of(data, logs), volumes.links(blog));
        assertEquals(List.of(blog), volumes.linkedApps(data));
        assertEquals(2, restarts.get());
    }

    @Test
    void linkingTwiceChangesNothingAndDoesNotRestart() {
        volumes.link(blog, data, restart);
        assertFalse(volumes.link(blog, data, restart));
        assertEquals(1, restarts.get());
    }

    @Test
    void unlinkRemovesTheLineAndTheEmptyFile() {
        volumes.link(blog, data, restart);
        assertTrue(volumes.unlink(blog, data, restart));
        assertFalse(Files.exists(home.app(blog).resolve("volumes")));
        assertEquals(List.of(), volumes.linkedApps(data));
        assertFalse(volumes.unlink(blog, data, restart), "not linked: nothing to do");
        assertEquals(2, restarts.get());
    }

    @Test
    void aFailedRestartPutsTheLinksBack() throws IOException {
        volumes.link(blog, data, restart);
        String before = Files.readString(home.app(blog).resolve("volumes"));
        Runnable failing = () -> {
            throw PierException.failed("blog v3 did not answer HTTP within 30s");
        };
        PierException e = assertThrows(PierException.class, () -> volumes.link(blog, logs, failing));
        assertEquals(PierException.FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("did not answer HTTP"), e.getMessage());
        assertEquals(before, Files.readString(home.app(blog).resolve("volumes")));

        assertThrows(PierException.class, () -> volumes.unlink(blog, data, failing));
        assertEquals(List.of(data), volumes.links(blog));
    }

    @Test
    void aVolumeThatDoesNotExistCannotBeLinkedNorAnAppThatDoesNotExist() {
        PierException missing = assertThrows(PierException.class, () -> volumes.link(blog, VolumeName.of("nope"), restart));
        assertTrue(missing.getMessage().contains("volume:create nope"), missing.getMessage());
        assertThrows(PierException.class, () -> volumes.link(AppName.of("ghost"), data, restart));
        assertThrows(PierException.class, () -> volumes.unlink(blog, VolumeName.of("nope"), restart));
        assertEquals(0, restarts.get());
        assertFalse(Files.exists(home.app(blog).resolve("volumes")));
    }

    @Test
    void twoVolumesCannotMountTheSamePathInOneApp() {
        volume("other", "/data");
        volumes.link(blog, data, restart);
        PierException e = assertThrows(PierException.class, () -> volumes.link(blog, VolumeName.of("other"), restart));
        assertTrue(e.getMessage().contains("already mounts /data"), e.getMessage());
        assertEquals(List.of(data), volumes.links(blog));
    }
}
