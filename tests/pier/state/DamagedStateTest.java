package pier.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.apps.Scale;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.EnvKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pier never writes an empty state file, so an empty one (a power loss before pier synced) is damaged: the command
 * that needs it fails naming it and what to do, instead of taking it for absent and silently losing what it held.
 */
class DamagedStateTest {
    @TempDir
    Path tmp;

    final AppName blog = AppName.of("blog");

    @Test
    void anEmptyConfigFileFailsTheAppsCommandsInsteadOfDroppingEveryValue() throws IOException {
        PierHome home = new PierHome(tmp);
        Config config = new Config(home);
        config.set(Optional.of(blog), Map.of(EnvKey.of("SECRET"), "s3"));
        Path file = home.app(blog).resolve("env");
        Files.writeString(file, "");
        PierException e = assertThrows(PierException.class, () -> config.of(Optional.of(blog)));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("config:set blog"), e.getMessage());
        config.set(Optional.of(AppName.of("shop")), Map.of(EnvKey.of("OTHER"), "1"));
        assertEquals("1", config.of(Optional.of(AppName.of("shop"))).values().get(EnvKey.of("OTHER")),
                "another app's config is read as before");
    }

    @Test
    void anEmptyScaleFileFailsTheAppsCommandsInsteadOfRunningTheDefaults() throws IOException {
        PierHome home = new PierHome(tmp);
        Scale.parse(java.util.List.of("web=3")).write(home, blog);
        Path file = home.app(blog).resolve("scale");
        Files.writeString(file, "");
        PierException e = assertThrows(PierException.class, () -> Scale.read(home, blog));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("ps:scale blog"), e.getMessage());
    }

    @Test
    void anEmptyReleaseConfigFailsInsteadOfRunningWithoutValues() throws IOException {
        PierHome home = new PierHome(tmp);
        new ConfigSnapshot(new Env(new java.util.TreeMap<>()), new Env(new java.util.TreeMap<>(Map.of(EnvKey.of("SECRET"), "s3"))))
                .write(home, blog, 2);
        assertTrue(ConfigSnapshot.read(home, blog, 2).isPresent());
        Path file = home.releases(blog).resolve("v2.env");
        Files.writeString(file, "");
        PierException e = assertThrows(PierException.class, () -> ConfigSnapshot.read(home, blog, 2));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("roll back"), e.getMessage());
    }

    @Test
    void aFileThatWasNeverWrittenIsAbsentNotDamaged() {
        PierHome home = new PierHome(tmp);
        assertTrue(new Config(home).of(Optional.of(blog)).values().isEmpty());
        assertEquals(1, Scale.read(home, blog).count(pier.names.ProcessType.WEB));
    }

    @Test
    void atomicWritesLeaveNoTempFileBehind() throws IOException {
        Path file = tmp.resolve("dir").resolve("state.properties");
        for (int i = 0; i < 3; i++) {
            AtomicFile.write(file, "# state\nn=" + i + "\n", "rw-r--r--");
        }
        try (var files = Files.list(file.getParent())) {
            assertEquals(java.util.List.of("state.properties"), files.map(f -> f.getFileName().toString()).toList());
        }
        assertEquals("# state\nn=2\n", Files.readString(file));
    }
}
