package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton end to end on this host: pier installed from target/pier.jar, a key added, and a
 * busybox app pushed with real git over real OpenSSH, built by real Docker and served through real Nginx.
 * The tests run in order: each starts from the release the one before it left serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PushToDeploySystemTest {
    static final String APP = "systest";
    static final String DOMAIN = "pier.test";
    static final String HOST = APP + "." + DOMAIN;
    static final String SERVE = "CMD [\"/bin/busybox\", \"sh\", \"-c\", \"exec /bin/busybox httpd -f -p $PORT -h /www\"]";

    static Path key;
    static Path repo;

    @BeforeAll
    static void installPierAndAddKey() throws IOException {
        key = SystemHost.installWithAdminKey(DOMAIN);
        SystemHost.pier("apps:destroy", APP, "--force");
        repo = SystemHost.busyboxRepo(key);
    }

    /** Commits a Dockerfile with {@code lines} after the busybox base and an index page saying {@code body}. */
    static void commit(String body, String... lines) throws IOException {
        Files.writeString(repo.resolve("www/index.html"), body + "\n");
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n"
                + String.join("\n", lines) + "\n");
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "--allow-empty", "-m", body).code());
    }

    static Result push(String branch) {
        return SystemHost.git(repo, key, "push", "pier@localhost:" + APP, branch);
    }

    static String remoteHead() {
        Result r = SystemHost.git(repo, key, "ls-remote", "pier@localhost:" + APP, "refs/heads/main");
        return r.output().isBlank() ? "" : r.output().split("\\s+")[0];
    }

    @Test
    @Order(1)
    void firstPushCreatesTheAppAndServesItAtAppDotDomain() throws Exception {
        commit("v1", SERVE);
        Result push = push("main");
        assertEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("Created app " + APP), push.output());
        assertTrue(push.output().contains("is live at http://" + HOST), push.output());

        assertEquals(new Response(200, "v1"), SystemHost.get(HOST));
        assertEquals(404, SystemHost.get("unknown." + DOMAIN).status(), "an unknown name must not reach the app");
        assertTrue(SystemHost.pier("apps:list").output().lines().anyMatch(APP::equals));
    }

    @Test
    @Order(2)
    void pushingV2UnderLoadDropsNoRequestAndEndsOnV2() throws Exception {
        commit("v2", SERVE);
        SystemHost.Load load = SystemHost.Load.on(HOST);
        Result push = push("main");
        // Keep asking through the drain and the retirement of v1, which runs after the push returns.
        List<Response> seen = load.stopAfter(4000);

        assertEquals(0, push.code(), push.output());
        List<Response> failed = seen.stream().filter(r -> r.status() != 200).toList();
        assertEquals(List.of(), failed, "requests that did not get 200 during the switch, out of " + seen.size());
        assertTrue(seen.stream().allMatch(r -> r.body().equals("v1") || r.body().equals("v2")));
        assertTrue(seen.stream().anyMatch(r -> r.body().equals("v1")), "the client started before the switch");
        assertEquals(new Response(200, "v2"), SystemHost.get(HOST));
        System.out.println("switch under load: " + seen.size() + " requests, all 200; " + timings(push.output()));
    }

    @Test
    @Order(3)
    void aPushWhoseLayersAreAllCachedPrintsItsTimeSplit() {
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "--allow-empty", "-m", "v2 again").code());
        long start = System.nanoTime();
        Result push = push("main");
        long wall = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, push.code(), push.output());
        String split = timings(push.output());
        assertTrue(split.matches("build \\d+\\.\\d\\ds, start \\d+\\.\\d\\ds, health \\d+\\.\\d\\ds, switch \\d+\\.\\d\\ds"), split);
        System.out.println("cached push: " + wall + " ms wall for git push; " + split);
    }

    @Test
    @Order(4)
    void aDockerfileThatFailsToBuildIsRejectedAndV2KeepsServing() throws Exception {
        String before = remoteHead();
        commit("v3-broken", "RUN [\"/bin/busybox\", \"false\"]", SERVE);
        Result push = push("main");
        assertNotEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("deploy failed: docker build failed"), push.output());
        assertEquals(new Response(200, "v2"), SystemHost.get(HOST));
        assertEquals(before, remoteHead(), "a rejected push must not move the branch");
    }

    @Test
    @Order(5)
    void anImageThatNeverAnswersHttpIsRejectedAndV2KeepsServing() throws Exception {
        commit("v4-silent", "CMD [\"/bin/busybox\", \"sleep\", \"3600\"]");
        Result push = push("main");
        assertNotEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("did not answer HTTP"), push.output());
        assertEquals(new Response(200, "v2"), SystemHost.get(HOST));
        int live = new Releases(new PierHome(PierHome.DEFAULT), AppName.of(APP)).current().orElseThrow().id();
        try (Docker docker = Docker.connect()) {
            assertEquals(List.of(), docker.containers(Map.of(Labels.APP, APP)).stream()
                    .filter(c -> Integer.parseInt(c.labels().get(Labels.RELEASE)) > live).toList(),
                    "the failed release's container must be removed");
        }
    }

    @Test
    @Order(6)
    void anAppThatExitsIsRejectedAtOnceWithItsLastOutput() throws Exception {
        commit("v5-crash", "CMD [\"/bin/busybox\", \"sh\", \"-c\", \"echo missing DATABASE_URL; exit 3\"]");
        Result push = push("main");
        assertNotEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("exited with code 3"), push.output());
        assertTrue(push.output().contains("missing DATABASE_URL"), push.output());
        assertEquals(new Response(200, "v2"), SystemHost.get(HOST));
    }

    @Test
    @Order(7)
    void aPushToAnotherBranchIsStoredButNotDeployed() throws Exception {
        commit("feature", SERVE);
        Result push = SystemHost.git(repo, key, "push", "pier@localhost:" + APP, "main:feature");
        assertEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("Stored feature, not deployed"), push.output());
        assertEquals(new Response(200, "v2"), SystemHost.get(HOST));
    }

    @Test
    @Order(8)
    void afterDockerRestartsTheAppAnswersWithNoPierCommand() throws Exception {
        SystemHost.restartDocker();
        assertEquals(new Response(200, "v2"), SystemHost.awaitBody(HOST, "v2", 60));
    }

    private static String timings(String pushOutput) {
        Matcher m = Pattern.compile("is live at \\S+ \\(([^)]*)\\)").matcher(pushOutput);
        return m.find() ? m.group(1) : "(no timings in output)";
    }
}
