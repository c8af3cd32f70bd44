package pier.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.engine.Templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pier's Docker settings merged into an admin's daemon.json (a file in a temporary directory; no Docker runs). */
class DockerDaemonSettingsTest {
    @TempDir
    Path tmp;

    DockerDaemonSettings step(Path file) {
        return new DockerDaemonSettings(file, () -> Templates.standard().render("docker/daemon.json.ftl", Map.of()), () -> false);
    }

    JsonNode read(Path file) throws IOException {
        return new ObjectMapper().readTree(Files.readString(file));
    }

    @Test
    void anAdminsKeysAndValuesSurviveAndPierAddsOnlyWhatIsMissing() throws IOException {
        Path file = tmp.resolve("daemon.json");
        Files.writeString(file, "{\"data-root\": \"/srv/docker\", \"live-restore\": false, \"log-opts\": {\"max-size\": \"50m\"}}");
        DockerDaemonSettings step = step(file);
        assertFalse(step.satisfied());
        assertEquals("add log-opts.max-file, log-driver, keeping every setting it has", step.plan());
        step.apply();
        JsonNode after = read(file);
        assertEquals("/srv/docker", after.get("data-root").asText());
        assertFalse(after.get("live-restore").asBoolean(), "the admin turned live-restore off; pier keeps that");
        assertEquals("50m", after.at("/log-opts/max-size").asText());
        assertEquals("3", after.at("/log-opts/max-file").asText());
        assertEquals("json-file", after.get("log-driver").asText());
    }

    @Test
    void aMissingFileIsCreatedWithPiersSettings() throws IOException {
        Path file = tmp.resolve("docker/daemon.json");
        DockerDaemonSettings step = step(file);
        assertEquals("create it", step.plan());
        assertEquals("Docker daemon settings (live-restore, log-driver, log-opts) in " + file, step.describe());
        step.apply();
        JsonNode after = read(file);
        assertTrue(after.get("live-restore").asBoolean());
        assertEquals("10m", after.at("/log-opts/max-size").asText());
    }

    @Test
    void aSecondRunFindsNothingToChange() throws IOException {
        Path file = tmp.resolve("daemon.json");
        Files.writeString(file, "{\"debug\": true}\n");
        step(file).apply();
        String first = Files.readString(file);
        assertTrue(step(file).satisfied());
        step(file).apply();
        assertEquals(first, Files.readString(file));
    }

    @Test
    void anotherLogDriverGetsNoLogOptionsSinceDockerdWouldRefuseThem() throws IOException {
        Path file = tmp.resolve("daemon.json");
        Files.writeString(file, "{\"log-driver\": \"journald\"}");
        step(file).apply();
        JsonNode after = read(file);
        assertEquals("journald", after.get("log-driver").asText());
        assertNull(after.get("log-opts"));
        assertTrue(after.get("live-restore").asBoolean());
        assertTrue(step(file).satisfied());
    }

    @Test
    void aFileThatIsNotAJsonObjectIsAnErrorAndStaysAsItWas() throws IOException {
        for (String bad : new String[] {"{\"debug\": true,", "[1, 2]", "{\"debug\": true, \"debug\": false}"}) {
            Path file = tmp.resolve("daemon.json");
            Files.writeString(file, bad);
            PierException e = assertThrows(PierException.class, () -> step(file).satisfied(), bad);
            assertTrue(e.getMessage().contains(file + " is not"), e.getMessage());
            assertThrows(PierException.class, () -> step(file).apply());
            assertEquals(bad, Files.readString(file));
        }
    }
}
