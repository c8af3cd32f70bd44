package pier;

import com.github.dockerjava.api.DockerClient;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Response;
import pier.SystemHost.Result;
import pier.apps.Releases;
import pier.engine.Docker;
import pier.engine.Labels;
import pier.names.AppName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * config:set and friends on a deployed busybox app: values reach the running process's environment byte for
 * byte, through a zero-downtime restart from the same image, and never show up in deploy output.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigSystemTest {
    static final String APP = "cfgtest";
    static final String HOST = APP + ".pier.test";
    static final Map<String, String> AWKWARD = new LinkedHashMap<>();

    static {
        AWKWARD.put("SPACES", "hello world");
        AWKWARD.put("QUOTES", "it's \"quoted\"");
        AWKWARD.put("EQUALS", "a=b=c");
        AWKWARD.put("DOLLAR", "$HOME and `id` and $(id)");
        AWKWARD.put("NEWLINES", "line1\nline2\n");
        AWKWARD.put("BACKSLASH", "back\\slash\\n");
        AWKWARD.put("UNICODE", "ünïcødé ✓ 日本");
        AWKWARD.put("EMPTY", "");
        AWKWARD.put("PADDED", "  leading and trailing\t ");
        AWKWARD.put("HASH", "#not a comment; return 200;");
    }

    static Path key;
    static Path repo;

    @BeforeAll
    static void deployApp() throws Exception {
        key = SystemHost.installWithAdminKey("pier.test");
        SystemHost.pier("apps:destroy", APP, "--force");
        SystemHost.pier("config:unset", "--global", "PIER_SYSTEST_GLOBAL", "--no-restart");
        repo = SystemHost.busyboxRepo(key);
        Files.writeString(repo.resolve("www/index.html"), "cfg\n");
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n"
                + PushToDeploySystemTest.SERVE + "\n");
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "-m", "cfg").code());
        Result push = SystemHost.git(repo, key, "push", "pier@localhost:" + APP, "main");
        assertEquals(0, push.code(), push.output());
    }

    @Test
    @Order(1)
    void awkwardValuesReachTheRunningAppByteForByteWithNoFailedRequest() throws Exception {
        String imageBefore = runningImage();
        List<String> args = new ArrayList<>(List.of("config:set", APP));
        AWKWARD.forEach((k, v) -> args.add(k + "=" + v));

        SystemHost.Load load = SystemHost.Load.on(HOST);
        Result set = SystemHost.pier(args.toArray(String[]::new));
        List<Response> seen = load.stopAfter(3000);

        assertEquals(0, set.code(), set.output());
        assertEquals(List.of(), seen.stream().filter(r -> r.status() != 200).toList(),
                "failed requests during the restart, out of " + seen.size());
        Map<String, String> env = runningEnv();
        AWKWARD.forEach((k, v) -> assertEquals(v, env.get(k), "value of " + k + " in the running container"));
        assertEquals(imageBefore, runningImage(), "a config change must restart from the same image, not rebuild");
        AWKWARD.values().stream().filter(v -> v.length() > 3).forEach(v ->
                assertFalse(set.output().contains(v), "a value appeared in the output: " + v));
    }

    @Test
    @Order(2)
    void configGetPrintsTheValueExactlyAndConfigShowsEveryKey() {
        Result get = SystemHost.pier("config:get", APP, "NEWLINES");
        assertEquals(0, get.code());
        assertEquals(AWKWARD.get("NEWLINES") + "\n", get.output());
        Result json = SystemHost.pier("config", APP, "--format", "json");
        assertEquals(0, json.code(), json.output());
        assertTrue(json.output().contains("\"NEWLINES\": \"line1\\nline2\\n\""), json.output());
        assertTrue(json.output().contains("\"UNICODE\": \"ünïcødé ✓ 日本\""), json.output());
        Result text = SystemHost.pier("config", APP);
        assertTrue(text.output().contains("SPACES=hello world"), text.output());
        assertTrue(text.output().contains("NEWLINES=\"line1\\nline2\\n\""), text.output());
    }

    @Test
    @Order(3)
    void theEnvFileIsReadableByPierOnly() throws Exception {
        Path env = PierHome.DEFAULT.resolve("apps").resolve(APP).resolve("env");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
        assertEquals("pier", Files.getOwner(env).getName());
    }

    @Test
    @Order(4)
    void noRestartStoresTheValueWithoutTouchingTheRunningContainer() throws Exception {
        String before = runningContainer().id();
        Result set = SystemHost.pier("config:set", APP, "LATER=1", "--no-restart");
        assertEquals(0, set.code(), set.output());
        assertEquals(before, runningContainer().id());
        assertEquals("1\n", SystemHost.pier("config:get", APP, "LATER").output());
        assertFalse(runningEnv().containsKey("LATER"));
    }

    @Test
    @Order(5)
    void anAppValueWinsOverAGlobalOneAndUnsetRemovesIt() throws Exception {
        assertEquals(0, SystemHost.pier("config:set", "--global", "PIER_SYSTEST_GLOBAL=global", "--no-restart").code());
        assertEquals(0, SystemHost.pier("config:set", APP, "PIER_SYSTEST_GLOBAL=app").code());
        assertEquals("app", runningEnv().get("PIER_SYSTEST_GLOBAL"));
        Result unset = SystemHost.pier("config:unset", APP, "PIER_SYSTEST_GLOBAL", "SPACES");
        assertEquals(0, unset.code(), unset.output());
        Map<String, String> env = runningEnv();
        assertEquals("global", env.get("PIER_SYSTEST_GLOBAL"), "with the app's value gone, the global one shows");
        assertFalse(env.containsKey("SPACES"));
        assertEquals(0, SystemHost.pier("config:unset", "--global", "PIER_SYSTEST_GLOBAL", "--no-restart").code());
    }

    @Test
    @Order(6)
    void badKeysAndPortAreRefusedWithUsageErrorsAndChangeNothing() throws Exception {
        Path env = PierHome.DEFAULT.resolve("apps").resolve(APP).resolve("env");
        String before = Files.readString(env);
        for (String bad : List.of("1BAD=x", "BAD-KEY=x", "PORT=80", "=x", "NOEQUALS", "A B=x")) {
            Result r = SystemHost.pier("config:set", APP, bad);
            assertEquals(2, r.code(), bad + ": " + r.output());
            assertTrue(r.output().startsWith("error: "), r.output());
            assertEquals(1, r.output().strip().lines().count(), r.output());
        }
        assertEquals(before, Files.readString(env));
    }

    @Test
    @Order(7)
    void aPushAfterAConfigChangeKeepsTheConfigAndPrintsNoValue() throws Exception {
        // Over SSH, from stdin: the value is on no command line, so no process list on either machine shows it.
        Result set = SystemHost.ssh(key, "s3cr3t-value-xyz\n", "config:set", APP, "SECRET", "--stdin", "--no-restart");
        assertEquals(0, set.code(), set.output());
        assertFalse(set.output().contains("s3cr3t-value-xyz"), set.output());
        assertEquals("s3cr3t-value-xyz\n", SystemHost.pier("config:get", APP, "SECRET").output());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "--allow-empty", "-m", "again").code());
        Result push = SystemHost.git(repo, key, "push", "pier@localhost:" + APP, "main");
        assertEquals(0, push.code(), push.output());
        assertFalse(push.output().contains("s3cr3t-value-xyz"), push.output());
        assertEquals("s3cr3t-value-xyz", runningEnv().get("SECRET"));
        assertEquals(AWKWARD.get("UNICODE"), runningEnv().get("UNICODE"));
        assertEquals(0, SystemHost.pier("apps:destroy", APP, "--force").code());
    }

    static pier.engine.Container runningContainer() {
        int live = new Releases(new PierHome(PierHome.DEFAULT), AppName.of(APP)).current().orElseThrow().id();
        try (Docker docker = Docker.connect()) {
            return docker.containers(Map.of(Labels.APP, APP, Labels.RELEASE, Integer.toString(live))).stream()
                    .filter(c -> "running".equals(c.state())).findFirst().orElseThrow();
        }
    }

    static String runningImage() {
        DockerClient docker = DockerProbe.client();
        return docker.inspectContainerCmd(runningContainer().id()).exec().getImageId();
    }

    /** The environment of the app's PID 1 as the kernel holds it: what the app itself reads. */
    static Map<String, String> runningEnv() throws Exception {
        DockerClient docker = DockerProbe.client();
        String exec = docker.execCreateCmd(runningContainer().id())
                .withCmd("/bin/busybox", "cat", "/proc/1/environ").withAttachStdout(true).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.writeBytes(frame.getPayload());
            }
        }).awaitCompletion();
        Map<String, String> env = new HashMap<>();
        for (String entry : out.toString(StandardCharsets.UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }
}
