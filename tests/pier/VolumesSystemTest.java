package pier;

import com.github.dockerjava.api.DockerClient;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Response;
import pier.SystemHost.Result;
import pier.apps.Releases;
import pier.apps.Volumes;
import pier.engine.Docker;
import pier.engine.Labels;
import pier.names.AppName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Volumes on this host: a pier volume is a labelled Docker volume mounted into busybox apps (whose httpd serves
 * /www, so a file in the volume at /www/data is served at /data/FILE). Its data outlives a redeploy and a config
 * change, two apps linked to it see one another's files, and destroying it leaves no Docker volume behind.
 * The tests run in order: each starts from what the one before it left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolumesSystemTest {
    static final String VOLUME = "voltest-data";
    static final String A = "voltest-a";
    static final String B = "voltest-b";
    static final String DOMAIN = "pier.test";

    static Path key;
    static Path repoA;
    static Path repoB;

    @BeforeAll
    static void installPierAndStartClean() throws IOException {
        SystemHost.installWithAdminKey(DOMAIN);
        key = ownAdminKey();
        cleanUp();
        repoA = SystemHost.busyboxRepo(key);
        repoB = SystemHost.busyboxRepo(key);
    }

    /**
     * This test's own admin key: the shared "systest" key is replaced whenever another system test run installs,
     * and on a shared test host one may run beside this one.
     */
    static Path ownAdminKey() throws IOException {
        Path dir = Files.createTempDirectory("pier-voltest-key-");
        Path own = dir.resolve("id_ed25519");
        assertEquals(0, SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "voltest@ci", "-f",
                own.toString()).code());
        SystemHost.pier("ssh-keys:remove", "voltest");
        Result add = SystemHost.pierWithInput(Files.readString(Path.of(own + ".pub")), "ssh-keys:add", "voltest");
        assertEquals(0, add.code(), add.output());
        return own;
    }

    @AfterAll
    static void cleanUp() {
        if (key == null) {
            return;
        }
        // Destroying the apps drops their links, so the volume can go too.
        SystemHost.pier("apps:destroy", A, "--force");
        SystemHost.pier("apps:destroy", B, "--force");
        SystemHost.pier("volume:destroy", VOLUME, "--force");
    }

    @AfterAll
    static void removeOwnKey() {
        SystemHost.pier("ssh-keys:remove", "voltest");
    }

    static Result commitAndPush(Path repo, String app, String body) throws IOException {
        return SystemHost.pushBusybox(repo, key, app, body);
    }

    static String host(String app) {
        return app + "." + DOMAIN;
    }

    /** Polls until {@code path} on {@code app} answers 200 with {@code body}, for at most {@code seconds}. */
    static Response awaitFile(String app, String path, String body, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Response last = SystemHost.get(host(app), path);
        while (!(last.status() == 200 && last.body().equals(body)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = SystemHost.get(host(app), path);
        }
        return last;
    }

    static List<InspectVolumeResponse> dockerVolumes() {
        DockerClient docker = DockerProbe.client();
        List<InspectVolumeResponse> found = docker.listVolumesCmd()
                .withFilter("label", List.of(Labels.VOLUME + "=" + VOLUME)).exec().getVolumes();
        return found == null ? List.of() : found;
    }

    /** Runs {@code script} with busybox sh in the live release's web container of {@code app}; returns its output. */
    static String execInLiveContainer(String app, String script) throws InterruptedException {
        int live = new Releases(new PierHome(PierHome.DEFAULT), AppName.of(app)).current().orElseThrow().id();
        DockerClient docker = DockerProbe.client();
        List<Container> web = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.APP, app,
                Labels.PROCESS, "web", Labels.RELEASE, Integer.toString(live))).exec();
        assertEquals(1, web.size(), "one web container of " + app + " v" + live + ": " + web);
        String exec = docker.execCreateCmd(web.get(0).getId())
                .withCmd("/bin/busybox", "sh", "-c", script).withAttachStdout(true).withAttachStderr(true)
                .exec().getId();
        StringBuilder out = new StringBuilder();
        docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }
        }).awaitCompletion(30, TimeUnit.SECONDS);
        Long code = docker.inspectExecCmd(exec).exec().getExitCodeLong();
        assertEquals(0L, code, "exit code of " + script + ": " + out);
        return out.toString();
    }

    @Test
    @Order(1)
    void createMakesOneLabelledDockerVolumePerPathAndRefusesBadInput() {
        Result create = SystemHost.pier("volume:create", VOLUME, "/www/data");
        assertEquals(0, create.code(), create.output());
        List<InspectVolumeResponse> volumes = dockerVolumes();
        assertEquals(1, volumes.size(), volumes.toString());
        assertEquals("/www/data", volumes.get(0).getLabels().get(Labels.VOLUME_PATH));

        Result again = SystemHost.pier("volume:create", VOLUME, "/other");
        assertEquals(1, again.code(), again.output());
        assertTrue(again.output().contains("already exists"), again.output());

        for (List<String> bad : List.of(List.of("voltest-bad", "../x"), List.of("voltest-bad", "/proc/x"),
                List.of("voltest-bad", "/a:b"), List.of("voltest-bad", "/data", "/a,b"), List.of("voltest-bad", "/"),
                List.of("Voltest-Bad", "/data"), List.of("voltest-bad/..", "/data"), List.of("$(id)", "/data"))) {
            List<String> args = new ArrayList<>(List.of("volume:create"));
            args.addAll(bad);
            Result r = SystemHost.pier(args.toArray(String[]::new));
            assertEquals(2, r.code(), bad + ": " + r.output());
            assertTrue(r.output().startsWith("error: invalid "), bad + ": " + r.output());
            assertEquals(1, r.output().strip().lines().count(), bad + ": " + r.output());
        }
        Result list = SystemHost.pier("volume:list", "--format", "json");
        assertEquals(0, list.code(), list.output());
        assertTrue(list.output().contains("\"" + VOLUME + "\""), list.output());
        assertFalse(list.output().contains("voltest-bad"), "a refused create must change nothing: " + list.output());
    }

    @Test
    @Order(2)
    void aLinkedAppServesWhatItsContainerWroteIntoTheVolume() throws Exception {
        Result push = commitAndPush(repoA, A, "a1");
        assertEquals(0, push.code(), push.output());
        int before = new Releases(new PierHome(PierHome.DEFAULT), AppName.of(A)).current().orElseThrow().id();

        Result link = SystemHost.pier("volume:link", A, VOLUME);
        assertEquals(0, link.code(), link.output());
        assertTrue(link.output().contains("is live at"), "a link restarts the app: " + link.output());
        assertNotEquals(before, new Releases(new PierHome(PierHome.DEFAULT), AppName.of(A)).current().orElseThrow().id());

        execInLiveContainer(A, "echo hello > /www/data/note.txt");
        assertEquals(new Response(200, "hello"), awaitFile(A, "/data/note.txt", "hello", 10));
        assertEquals(new Response(200, "a1"), SystemHost.get(host(A)));
    }

    @Test
    @Order(3)
    void theDataOutlivesARedeployAndAConfigChange() throws Exception {
        Result push = commitAndPush(repoA, A, "a2");
        assertEquals(0, push.code(), push.output());
        assertEquals(new Response(200, "a2"), SystemHost.get(host(A)));
        assertEquals(new Response(200, "hello"), SystemHost.get(host(A), "/data/note.txt"));

        Result set = SystemHost.pier("config:set", A, "X=1");
        assertEquals(0, set.code(), set.output());
        assertEquals(new Response(200, "hello"), SystemHost.get(host(A), "/data/note.txt"));
        assertEquals("1", execInLiveContainer(A, "printf %s \"$X\""));
    }

    @Test
    @Order(4)
    void twoAppsLinkedToOneVolumeSeeEachOthersFiles() throws Exception {
        assertEquals(0, SystemHost.pier("apps:create", B).code());
        Result link = SystemHost.pier("volume:link", B, VOLUME);
        assertEquals(0, link.code(), link.output());
        assertTrue(link.output().contains("not deployed yet"), "an undeployed app only stores the link: " + link.output());

        Result push = commitAndPush(repoB, B, "b1");
        assertEquals(0, push.code(), push.output());
        assertEquals(new Response(200, "hello"), SystemHost.get(host(B), "/data/note.txt"));

        execInLiveContainer(B, "echo from-b > /www/data/b.txt");
        assertEquals(new Response(200, "from-b"), awaitFile(A, "/data/b.txt", "from-b", 10));
    }

    @Test
    @Order(5)
    void destroyIsRefusedWhileLinkedAndNamesTheApps() {
        Result destroy = SystemHost.pier("volume:destroy", VOLUME, "--force");
        assertNotEquals(0, destroy.code(), destroy.output());
        assertTrue(destroy.output().startsWith("error: "), destroy.output());
        assertTrue(destroy.output().contains(A) && destroy.output().contains(B), destroy.output());
        assertEquals(1, dockerVolumes().size());

        Result unforced = SystemHost.pier("volume:destroy", VOLUME);
        assertEquals(2, unforced.code(), unforced.output());
    }

    @Test
    @Order(6)
    void infoReportsPathsAppsAndSizeOnDisk() {
        Result info = SystemHost.pier("volume:info", VOLUME, "--format", "json");
        assertEquals(0, info.code(), info.output());
        String json = info.output();
        assertTrue(json.contains("\"/www/data\""), json);
        assertTrue(json.contains("\"" + A + "\"") && json.contains("\"" + B + "\""), json);
        Matcher size = Pattern.compile("\"size_bytes\": (\\d+|null)").matcher(json);
        assertTrue(size.find(), json);
        assertTrue(json.contains("\"size\": "), json);
        System.out.println("volume:info size: " + size.group(1) + " bytes");
        assertNotEquals("null", size.group(1), "Docker reports volume sizes in /system/df: " + json);

        Result text = SystemHost.pier("volume:info", VOLUME);
        assertEquals(0, text.code(), text.output());
        assertTrue(text.output().contains("Size:"), text.output());
    }

    @Test
    @Order(7)
    void unlinkedFromBothAppsTheVolumeCanBeDestroyedAndNoDockerVolumeIsLeft() throws Exception {
        Result unlinkA = SystemHost.pier("volume:unlink", A, VOLUME);
        assertEquals(0, unlinkA.code(), unlinkA.output());
        assertEquals(404, SystemHost.get(host(A), "/data/note.txt").status(), "A no longer mounts the volume");
        assertEquals(new Response(200, "a2"), SystemHost.get(host(A)));
        Result unlinkB = SystemHost.pier("volume:unlink", B, VOLUME);
        assertEquals(0, unlinkB.code(), unlinkB.output());

        // The previous releases keep the volume mounted until they are retired in the background: destroy waits.
        Result destroy = SystemHost.pier("volume:destroy", VOLUME, "--force");
        assertEquals(0, destroy.code(), destroy.output());
        assertEquals(List.of(), dockerVolumes());
        Result list = SystemHost.pier("volume:list", "--format", "json");
        assertFalse(list.output().contains(VOLUME), list.output());
    }
}
