package pier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Response;
import pier.SystemHost.Result;
import pier.engine.Labels;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A deploy killed with kill -9 at each point where it holds half-done work: after the build, after the new containers
 * started, between the Nginx switch and the record, and in the detached retire. The deploy pauses at the point
 * through pier's test hook ({@code testing/pause-at}, see docs/deploy.md), and the test kills the very process that
 * paused there. Each time the next push succeeds, Nginx serves the release {@code pier releases} shows as live, no
 * release id is taken twice, and only the live release's containers are left. One busybox app serves all four cases.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KillDeploySystemTest {
    static final String APP = "killtest";
    static final String HOST = APP + ".pier.test";
    static final Path TESTING = PierHome.DEFAULT.resolve("testing");
    static final Path TRIGGER = TESTING.resolve("pause-at");
    static final Path PAUSED = TESTING.resolve("paused-at");

    static Path key;
    static Path repo;
    /** The highest release id seen so far: every later deploy must take a higher one. */
    static int highest;

    @BeforeAll
    static void installAndDeployV1() throws Exception {
        key = SystemHost.installWithAdminKey("pier.test");
        SystemHost.pier("apps:destroy", APP, "--force");
        repo = SystemHost.busyboxRepo(key);
        Result first = SystemHost.pushBusybox(repo, key, APP, "first");
        assertEquals(0, first.code(), first.output());
        assertServesLiveAndNothingElse("first");
    }

    @AfterEach
    void clearTrigger() throws IOException {
        // A deploy still paused at a point goes on once the trigger is gone; none must wait for a test that ended.
        Files.deleteIfExists(TRIGGER);
        Files.deleteIfExists(PAUSED);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Files.deleteIfExists(TRIGGER);
        Files.deleteIfExists(PAUSED);
        Files.deleteIfExists(TESTING);
        if (key != null) {
            SystemHost.pier("apps:destroy", APP, "--force");
        }
    }

    @Test
    @Order(1)
    void aPushKilledAfterTheBuildLeavesNothingAndTheNextPushGoesLive() throws Exception {
        killPushAt("after-build", "built-then-killed");
        assertEquals("first", SystemHost.get(HOST).body(), "Nginx still routes to the live release");
        assertEquals(List.of(), leftOver(live()), "the killed deploy started nothing");
        nextPushGoesLive("after-build-next");
    }

    @Test
    @Order(2)
    void aPushKilledAfterTheStartHasItsContainersRemovedByTheNextPush() throws Exception {
        String served = SystemHost.get(HOST).body();
        killPushAt("after-start", "started-then-killed");
        assertEquals(served, SystemHost.get(HOST).body(), "Nginx still routes to the live release");
        assertTrue(containers().size() > liveContainers(live()).size(), "the killed deploy left its container running");
        int killed = highest;
        nextPushGoesLive("after-start-next");
        assertFalse(releaseIds().contains(killed), "v" + killed + " never served, so it is undone, not recorded");
    }

    @Test
    @Order(3)
    void aPushKilledBetweenSwitchAndRecordIsFinishedNotReusedByTheNextPush() throws Exception {
        int before = live();
        killPushAt("before-record", "switched-then-killed");
        assertEquals("switched-then-killed", SystemHost.get(HOST).body(), "Nginx was switched before the kill");
        assertEquals(before, live(), "the kill came before the record");
        int killed = highest;
        nextPushGoesLive("before-record-next");
        assertTrue(releaseIds().contains(killed), "v" + killed + " served, so the next push recorded it");
    }

    @Test
    @Order(4)
    void aRetireKilledLeavesTheOldContainersUnableToComeBackAndTheNextPushRemovesThem() throws Exception {
        int before = live();
        List<String> old = liveContainers(before);
        arm("during-retire");
        Result push = SystemHost.pushBusybox(repo, key, APP, "retire-killed");
        assertEquals(0, push.code(), push.output());
        long pid = pausedAt("during-retire");
        for (String id : old) {
            assertEquals("no", restartPolicy(id), "an old container must not come back if its retire is lost");
        }
        kill(pid);
        Files.deleteIfExists(TRIGGER);
        assertEquals("retire-killed", SystemHost.get(HOST).body());
        for (String id : old) {
            assertTrue(containers().stream().anyMatch(c -> c.getId().equals(id)), "the killed retire left " + id);
            assertEquals("no", restartPolicy(id));
        }
        nextPushGoesLive("during-retire-next");
        for (String id : old) {
            assertFalse(containers().stream().anyMatch(c -> c.getId().equals(id)), "nothing of the old release is left");
        }
    }

    /** Pushes a commit saying {@code body} with the deploy set to pause at {@code point}, and kills it there. */
    private static void killPushAt(String point, String body) throws Exception {
        arm(point);
        commit(body);
        Path log = Files.createTempFile("pier-killed-push-", ".log");
        Process push = startPush(log);
        try {
            long pid = pausedAt(point);
            kill(pid);
            Files.deleteIfExists(TRIGGER);
            if (!push.waitFor(60, TimeUnit.SECONDS)) {
                fail("git push did not end after its deploy was killed");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertNotEquals(0, push.exitValue(), "a push whose deploy was killed is not accepted: " + out);
            Matcher taken = Pattern.compile("release v(\\d+)").matcher(out);
            assertTrue(taken.find(), "the killed push said which id it took: " + out);
            int id = Integer.parseInt(taken.group(1));
            assertTrue(id > highest, out);
            highest = id;
        } finally {
            push.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /** The next push succeeds with a new id, is what Nginx serves and releases shows, and is all that runs. */
    private static void nextPushGoesLive(String body) throws Exception {
        Result next = SystemHost.pushBusybox(repo, key, APP, body);
        assertEquals(0, next.code(), next.output());
        Matcher m = Pattern.compile(APP + " v(\\d+) is live").matcher(next.output());
        assertTrue(m.find(), next.output());
        int id = Integer.parseInt(m.group(1));
        assertTrue(id > highest, "v" + id + " after v" + highest + " was taken: a release id is never taken twice");
        assertServesLiveAndNothingElse(body);
        assertEquals(id, live());
    }

    /**
     * Nginx serves {@code body}, the live release in {@code pier releases} is the commit that says it, nothing is
     * pending, and (once the background retire is through) only the live release's containers exist.
     */
    private static void assertServesLiveAndNothingElse(String body) throws Exception {
        assertEquals(new Response(200, body), SystemHost.awaitBody(HOST, body, 30));
        JsonNode live = liveRelease();
        String head = SystemHost.git(repo, key, "rev-parse", "HEAD").output().strip();
        assertEquals(head, live.get("commit").asText(), "the served commit is the live release's");
        highest = Math.max(highest, live.get("id").asInt());
        assertFalse(Files.exists(new PierHome(PierHome.DEFAULT).releases(pier.names.AppName.of(APP)).resolve("pending.properties")));
        int id = live.get("id").asInt();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> left = leftOver(id);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            left = leftOver(id);
        }
        assertEquals(List.of(), left, "only v" + id + "'s containers are left");
        assertFalse(liveContainers(id).isEmpty());
    }

    private static List<String> leftOver(int live) {
        return containers().stream().filter(c -> !Integer.toString(live).equals(c.getLabels().get(Labels.RELEASE)))
                .map(c -> String.join(",", c.getNames()) + " " + c.getState()).toList();
    }

    private static List<String> liveContainers(int live) {
        return containers().stream().filter(c -> Integer.toString(live).equals(c.getLabels().get(Labels.RELEASE)))
                .map(Container::getId).toList();
    }

    private static List<Container> containers() {
        return DockerProbe.client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.APP, APP)).exec();
    }

    private static String restartPolicy(String id) {
        InspectContainerResponse inspect = DockerProbe.client().inspectContainerCmd(id).exec();
        return inspect.getHostConfig().getRestartPolicy().getName();
    }

    private static int live() throws IOException {
        return liveRelease().get("id").asInt();
    }

    private static List<Integer> releaseIds() throws IOException {
        Result r = SystemHost.pier("releases", APP, "--format", "json");
        List<Integer> ids = new ArrayList<>();
        new ObjectMapper().readTree(r.output().substring(r.output().indexOf('['))).forEach(n -> ids.add(n.get("id").asInt()));
        return ids;
    }

    private static JsonNode liveRelease() throws IOException {
        Result r = SystemHost.pier("releases", APP, "--format", "json");
        assertEquals(0, r.code(), r.output());
        String out = r.output();
        for (JsonNode release : new ObjectMapper().readTree(out.substring(out.indexOf('[')))) {
            if (release.get("live").asBoolean()) {
                return release;
            }
        }
        throw new AssertionError("no live release: " + out);
    }

    /** Sets the trigger: pier's test hook pauses the deploy that reaches {@code point}. */
    private static void arm(String point) throws IOException {
        Files.createDirectories(TESTING);
        UserPrincipal pier = TESTING.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("pier");
        Files.setOwner(TESTING, pier);
        Files.deleteIfExists(PAUSED);
        Files.writeString(TRIGGER, point + "\n");
    }

    /** Waits for the deploy to say it paused at {@code point}; the pid of the pier process that did. */
    private static long pausedAt(String point) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (Files.exists(PAUSED)) {
                String[] said = Files.readString(PAUSED).strip().split(" ");
                if (said.length == 2 && said[0].equals(point)) {
                    long pid = Long.parseLong(said[1]);
                    String cmdline = Files.readString(Path.of("/proc", said[1], "cmdline")).replace('\0', ' ');
                    assertTrue(cmdline.contains("java"), "the paused process is pier's java: " + cmdline);
                    return pid;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no deploy paused at " + point);
    }

    private static void kill(long pid) throws InterruptedException {
        Result r = SystemHost.run("kill", "-9", Long.toString(pid));
        assertEquals(0, r.code(), r.output());
        ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (handle != null && handle.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Commits what {@link SystemHost#pushBusybox} commits, without pushing. */
    private static void commit(String body) throws IOException {
        Files.writeString(repo.resolve("www/index.html"), body + "\n");
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n"
                + PushToDeploySystemTest.SERVE + "\n");
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "--allow-empty", "-m", body).code());
    }

    /** git push in the background, as {@link SystemHost#git} runs it. */
    private static Process startPush(Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "push", "pier@localhost:" + APP, "main"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("GIT_SSH_COMMAND", "ssh -i " + key + " -o IdentitiesOnly=yes -o StrictHostKeyChecking=no"
                + " -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes");
        return builder.start();
    }
}
