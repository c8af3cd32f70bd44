package pier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Response;
import pier.SystemHost.Result;
import pier.engine.Docker;
import pier.state.AtomicFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host's daemons under pier's installer, on this host without systemd (Debian's init script cannot start
 * dockerd here): a crashed Docker is started again by the installer, Docker's settings are merged into an admin's
 * daemon.json, and with live-restore a dockerd restart drops no request. Whatever happens, dockerd runs at the end.
 */
@TestMethodOrder(OrderAnnotation.class)
class DaemonsSystemTest {
    static final String DOMAIN = "pier.test";
    static final String APP = "daemons";
    static final String HOST = APP + "." + DOMAIN;
    static final Path DAEMON_JSON = Path.of("/etc/docker/daemon.json");
    static final Path DOCKER_PID = Path.of("/var/run/docker.pid");
    static final Path DOCKER_LOG = Path.of("/var/log/pier/docker.log");

    static Path key;
    /** daemon.json as the install left it, put back at the end: the admin's file written here is this test's. */
    static String installedDaemonJson;

    @BeforeAll
    static void deployAnApp() throws IOException, InterruptedException {
        try {
            key = SystemHost.installWithAdminKey(DOMAIN);
            installedDaemonJson = AtomicFile.read(DAEMON_JSON).orElse(null);
            SystemHost.pier("apps:destroy", APP, "--force");
            Path repo = SystemHost.busyboxRepo(key);
            Result push = SystemHost.pushBusybox(repo, key, APP, "steady");
            assertEquals(0, push.code(), push.output());
            assertEquals(new Response(200, "steady"), SystemHost.awaitBody(HOST, "steady", 10));
        } catch (RuntimeException | Error | IOException | InterruptedException e) {
            leaveDockerRunning();
            throw e;
        }
    }

    @AfterAll
    static void leaveDockerRunning() throws InterruptedException {
        startDockerIfDown();
        if (installedDaemonJson != null && dockerAnswers()) {
            AtomicFile.write(DAEMON_JSON, installedDaemonJson, "rw-r--r--");
            SystemHost.run("kill", "-HUP", Long.toString(dockerd().pid()));
        }
    }

    static void startDockerIfDown() throws InterruptedException {
        if (dockerAnswers()) {
            return;
        }
        // Others' tests need Docker: start it the way this host's brief does.
        try {
            Files.deleteIfExists(DOCKER_PID);
            new ProcessBuilder("setsid", "dockerd")
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("/var/log/dockerd.log").toFile()))
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start dockerd: " + e, e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!dockerAnswers() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    @Test
    @Order(1)
    void afterKillDashNineOfDockerdTheInstallerStartsItSaysSoAndASecondRunFindsItRunning() throws Exception {
        ProcessHandle dockerd = dockerd();
        dockerd.destroyForcibly();
        assertTrue(dockerd.onExit().get(30, TimeUnit.SECONDS) != null && !dockerd.isAlive());
        assertFalse(dockerAnswers());

        Result install = SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install");

        assertEquals(0, install.code(), install.output());
        assertTrue(install.output().contains("started docker myself"), install.output());
        assertTrue(install.output().contains("setsid dockerd, detached, log " + DOCKER_LOG), install.output());
        assertTrue(install.output().contains("Docker was not running: reconciling every app"), install.output());
        assertTrue(dockerAnswers());
        assertTrue(Files.readString(DOCKER_LOG).contains("API listen on /var/run/docker.sock"), "dockerd's log is in " + DOCKER_LOG);
        assertEquals(new Response(200, "steady"), SystemHost.awaitBody(HOST, "steady", 60), "the app serves again");

        Result again = SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install");
        assertEquals(0, again.code(), again.output());
        for (String service : List.of("docker", "nginx", "ssh", "cron")) {
            assertTrue(again.output().contains("ok       service " + service + " running"), again.output());
        }
        assertFalse(again.output().contains("change   service"), again.output());
        assertFalse(again.output().contains("reconciling"), again.output());
    }

    @Test
    @Order(2)
    void anAdminsDaemonJsonKeepsItsKeysAndLiveRestoreIsOnWithoutARestart() throws Exception {
        long pid = dockerd().pid();
        ObjectMapper json = new ObjectMapper();
        // An admin's dockerd with live-restore off, then their file without pier's keys and one key of their own.
        ObjectNode admin = json.createObjectNode();
        admin.putArray("labels").add("pier-systest=daemons");
        admin.put("live-restore", false);
        write(json, admin);
        assertEquals(0, SystemHost.run("kill", "-HUP", Long.toString(pid)).code());
        awaitInfo("{{.LiveRestoreEnabled}}", "false");
        admin.remove("live-restore");
        write(json, admin);

        Result install = SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install");

        assertEquals(0, install.code(), install.output());
        assertTrue(install.output().contains("change   Docker daemon settings"), install.output());
        JsonNode after = json.readTree(Files.readString(DAEMON_JSON));
        assertEquals("pier-systest=daemons", after.at("/labels/0").asText(), "the admin's key survives: " + after);
        assertTrue(after.get("live-restore").asBoolean(), after.toString());
        assertEquals("10m", after.at("/log-opts/max-size").asText(), after.toString());
        awaitInfo("{{.LiveRestoreEnabled}}", "true");
        assertTrue(dockerInfo("{{json .Labels}}").contains("pier-systest=daemons"), "dockerd reloaded the admin's file too");
        assertEquals(pid, dockerd().pid(), "without --restart-docker dockerd was not restarted");
        assertTrue(install.output().contains("Restart it when convenient"), install.output());
    }

    @Test
    @Order(3)
    void aDockerdRestartWithLiveRestoreDropsNoRequestOfASteadyClient() throws Exception {
        long pid = dockerd().pid();
        // Docker's port forwarding (docker-proxy, or its DNAT rules) is down while dockerd restarts: Nginx must
        // route straight to the container on its network.
        String site = Files.readString(Path.of("/var/lib/pier/nginx", APP + ".conf"));
        assertTrue(site.matches("(?s).*\\n\\s*server 172\\.30\\.\\d+\\.\\d+:\\d+;.*"), site);
        // The settings changed since dockerd started: the restart the admin agrees to with --restart-docker is due.
        Files.setLastModifiedTime(DAEMON_JSON, FileTime.from(Instant.now()));

        SystemHost.Load load = SystemHost.Load.on(HOST);
        Thread.sleep(500);
        Result install = SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install", "--restart-docker");
        List<Response> seen = load.stopAfter(2000);

        assertEquals(0, install.code(), install.output());
        assertTrue(install.output().contains("change   dockerd started after the last change of " + DAEMON_JSON), install.output());
        assertNotEquals(pid, dockerd().pid(), "dockerd restarted");
        assertEquals(List.of(), seen.stream().filter(r -> r.status() != 200).toList(),
                "failed requests while dockerd restarted, out of " + seen.size());
        assertTrue(seen.size() > 10, "the client kept asking: " + seen.size());
    }

    static void write(ObjectMapper json, ObjectNode settings) throws IOException {
        AtomicFile.write(DAEMON_JSON, json.writerWithDefaultPrettyPrinter().writeValueAsString(settings) + "\n", "rw-r--r--");
    }

    /** dockerd reloads on SIGHUP in the background: polls {@code docker info} until it shows {@code value}. */
    static void awaitInfo(String format, String value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!dockerInfo(format).equals(value) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(value, dockerInfo(format));
    }

    static ProcessHandle dockerd() {
        String pid = AtomicFile.read(DOCKER_PID).orElseThrow(() -> new AssertionError("dockerd is not running")).strip();
        return ProcessHandle.of(Long.parseLong(pid)).orElseThrow(() -> new AssertionError(DOCKER_PID + " names no process"));
    }

    static boolean dockerAnswers() {
        try (Docker docker = Docker.connect()) {
            return docker.ping();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static String dockerInfo(String format) {
        Result r = SystemHost.run("docker", "info", "--format", format);
        assertEquals(0, r.code(), r.output());
        return r.output().strip();
    }
}
