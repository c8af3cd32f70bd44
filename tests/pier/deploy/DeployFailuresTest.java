package pier.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.apps.Apps;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Routing;
import pier.apps.Scale;
import pier.base.PierException;
import pier.base.Progress;
import pier.build.Buildpacks;
import pier.engine.Nginx;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.EnvKey;
import pier.names.ProcessType;
import pier.state.Config;
import pier.state.PierHome;

/**
 * A deploy that fails at any step keeps the live release serving and removes what it started: a build error, a
 * container that cannot start, a check that fails, a site Nginx refuses, a release command that exits non-zero.
 * Run on a fake engine (see {@link FakeEngine}), so each step fails on demand; the system tests prove the same
 * paths on real Docker and Nginx for the failures a push can cause.
 */
class DeployFailuresTest {
    private static final AppName APP = AppName.of("blog");

    @TempDir
    Path tmp;

    private PierHome home;
    private FakeEngine engine;
    private Deploy deploy;
    private Git git;
    private final List<String> shown = new ArrayList<>();
    private final Progress progress = shown::add;

    @BeforeEach
    void deployV1() throws Exception {
        home = new PierHome(tmp.resolve("state"));
        new Apps(home).create(APP);
        engine = new FakeEngine();
        deploy = new Deploy(home, engine, engine, new Routing(home, () -> engine, engine),
                new Buildpacks(home, new Templates(tmp.resolve("no-overrides"))));
        git = Git.init().setDirectory(tmp.resolve("src").toFile()).setInitialBranch("main").call();
        commit("Dockerfile", "FROM scratch\nCOPY . /app\n", "Procfile", "web: /app/serve\n");
        Deploy.Deployed v1 = deploy.commit(APP, git.getRepository(), head(), "alice", progress);
        assertEquals(1, v1.release().id(), String.join("\n", shown));
        assertLive();
    }

    @AfterEach
    void stop() {
        engine.close();
        git.close();
    }

    @Test
    void aFailedBuildStartsNothingAndKeepsTheLiveRelease() throws Exception {
        commit("index.html", "v2\n");
        engine.failBuild = "COPY failed: file not found";
        int starts = engine.starts();
        PierException e = assertThrows(PierException.class, this::push);
        assertTrue(e.getMessage().contains("COPY failed"), e.getMessage());
        assertEquals(starts, engine.starts(), "a failed build starts no container");
        assertLive();
    }

    @Test
    void aContainerThatCannotStartRemovesTheOnesStartedBeforeIt() throws Exception {
        Scale.parse(List.of("web=2")).write(home, APP);
        commit("index.html", "v2\n");
        engine.failStartAt = engine.starts() + 2;
        PierException e = assertThrows(PierException.class, this::push);
        assertTrue(e.getMessage().contains("port is already allocated"), e.getMessage());
        assertLive();
    }

    @Test
    void aFailedCheckRemovesTheNewContainersAndQuotesTheirOutput() throws Exception {
        commit("index.html", "v2\n");
        engine.crashOnStart = true;
        PierException e = assertThrows(PierException.class, this::push);
        assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot find module"), e.getMessage());
        assertLive();
    }

    @Test
    void aWorkerThatExitsNonZeroAtStartFailsTheDeployWithItsOutputAndKeepsTheLiveRelease() throws Exception {
        Files.writeString(home.settings(), "workers.settle.seconds=0\n");
        commit("Procfile", "web: /app/serve\nworker: /app/work\n");
        engine.crashType = "worker";
        PierException e = assertThrows(PierException.class, this::push);
        assertTrue(e.getMessage().startsWith("worker.1 exited with code 3 within 0.0s of starting: Error: cannot find"),
                e.getMessage());
        assertTrue(shown.stream().anyMatch(l -> l.contains("worker.1 last 1 line of output:")), String.join("\n", shown));
        assertLive();
    }

    @Test
    void aWorkerThatExitsZeroHasFinishedAndTheDeployGoesOn() throws Exception {
        Files.writeString(home.settings(), "workers.settle.seconds=0\n");
        commit("Procfile", "web: /app/serve\ncustom: echo -n\n");
        engine.crashType = "custom";
        engine.crashExit = 0;
        Deploy.Deployed v2 = push();
        assertEquals(2, v2.release().id());
        assertTrue(shown.stream().anyMatch(l -> l.contains("custom.1 exited 0: it has finished")), String.join("\n", shown));
        assertTrue(engine.states().contains("v2 custom.1 exited"), "kept, for pier ps to show: " + engine.states());
    }

    @Test
    void aFailingPredeployStartsNothingAndKeepsTheLiveRelease() throws Exception {
        commit("app.json", "{\"scripts\": {\"dokku\": {\"predeploy\": \"./migrate\"}}}");
        engine.releaseCommandExit = 1;
        int starts = engine.starts();
        PierException e = assertThrows(PierException.class, this::push);
        assertTrue(e.getMessage().startsWith("the app.json predeploy command exited with code 1"), e.getMessage());
        assertEquals(starts, engine.starts(), "no process container started");
        assertLive();
    }

    @Test
    void aFailingPostdeployIsReportedAndTheNewReleaseStays() throws Exception {
        commit("app.json", "{\"scripts\": {\"dokku\": {\"postdeploy\": \"./notify\"}}}");
        engine.releaseCommandExit = 1;
        Deploy.Deployed v2 = push();
        assertEquals(2, new Releases(home, APP).current().orElseThrow().id());
        assertEquals(2, v2.release().id());
        assertTrue(shown.stream().anyMatch(l -> l.contains("the app.json postdeploy command exited with code 1")),
                String.join("\n", shown));
    }

    @Test
    void anAppJsonFormationIsTheScaleUntilTheAppHasOneOfItsOwn() throws Exception {
        Files.writeString(home.settings(), "workers.settle.seconds=0\n");
        commit("Procfile", "web: /app/serve\nworker: /app/work\n",
                "app.json", "{\"formation\": {\"web\": {\"quantity\": 0}, \"worker\": {\"quantity\": 2}}}");
        assertEquals(Map.of(ProcessType.WEB, 0, ProcessType.of("worker"), 2), push().release().formation());
        assertEquals("web=0 worker=2", Scale.describe(Scale.read(home, APP).counts()), "kept as the app's scale");
        commit("app.json", "{\"formation\": {\"worker\": {\"quantity\": 1}}}");
        assertEquals(Map.of(ProcessType.WEB, 0, ProcessType.of("worker"), 2), push().release().formation(),
                "a later formation does not override the scale");
    }

    @Test
    void aSiteNginxRefusesRemovesTheNewContainersAndKeepsTheOldSite() throws Exception {
        commit("index.html", "v2\n");
        engine.failProxy = "unknown directive";
        PierException e = assertThrows(PierException.class, this::push);
        assertTrue(e.getMessage().contains("nginx -t refused"), e.getMessage());
        assertLive();
    }

    @Test
    void aFailedReleaseCommandStartsNothingAndKeepsTheLiveRelease() throws Exception {
        commit("Procfile", "web: /app/serve\nrelease: /app/migrate\n");
        engine.releaseCommandExit = 2;
        int starts = engine.starts();
        PierException e = assertThrows(PierException.class, this::push);
        assertTrue(e.getMessage().contains("release command exited with code 2"), e.getMessage());
        assertEquals(starts, engine.starts(), "no process starts after a failed release command");
        assertEquals(List.of("pier-blog-v2-release"), engine.oneOffs());
        assertLive();
    }

    @Test
    void aFailedRestartKeepsTheLiveReleaseToo() {
        engine.crashOnStart = true;
        assertThrows(PierException.class, () -> deploy.relaunch(APP, "alice", "Restart", progress));
        assertLive();
    }

    @Test
    void aFailedRollbackPutsTheAppsConfigBackAndKeepsTheLiveRelease() {
        Config config = new Config(home);
        Optional<AppName> scope = Optional.of(APP);
        config.set(scope, Map.of(EnvKey.of("GREETING"), "two"));
        Deploy.Deployed v2 = deploy.relaunch(APP, "alice", "Set GREETING", progress);
        Release v1 = new Releases(home, APP).list().stream().filter(r -> r.id() == 1).findFirst().orElseThrow();
        engine.crashOnStart = true;
        PierException e = assertThrows(PierException.class, () -> deploy.rollback(APP, v1, "alice", progress));
        assertTrue(e.getMessage().endsWith("; the config of blog was left as it was"), e.getMessage());
        assertEquals(Optional.of("two"), config.of(scope).get(EnvKey.of("GREETING")), "the config from before the rollback is back");
        assertEquals(v2.release().id(), new Releases(home, APP).current().orElseThrow().id());
        assertEquals(List.of("v1 web.1", "v2 web.1"), engine.existing(), "nothing of the failed rollback is left");
    }

    @Test
    void theNextDeployAfterAFailureTakesANewNumberGoesLiveAndRetiresV1() throws Exception {
        commit("index.html", "v2\n");
        engine.failProxy = "unknown directive";
        assertThrows(PierException.class, this::push);
        engine.failProxy = null;
        Deploy.Deployed v3 = push();
        assertEquals(3, v3.release().id(), "the failed attempt keeps its number: no later release shares its labels");
        assertEquals(1, v3.retiring().size(), "only v1's container is left to retire: " + engine.existing());
        assertEquals(List.of("v1 web.1", "v3 web.1"), engine.existing());
        assertEquals(List.of(new Nginx.Upstream("10.9.0.253", v3.release().port())), engine.site(APP).orElseThrow().upstreams(),
                "v3's web.1 at the address below v1's (which holds the subnet's top until it retires), on its PORT");
    }

    @Test
    void aReleaseIdIsNeverTakenTwiceEvenAfterAFailedBuild() throws Exception {
        commit("index.html", "v2\n");
        engine.failBuild = "COPY failed";
        assertThrows(PierException.class, this::push);
        engine.failBuild = null;
        assertEquals(3, push().release().id(), "the build's id stays used");
        assertTrue(Files.readString(home.releases(APP).resolve("last-id")).strip().equals("3"));
    }

    @Test
    void aDeployKilledBetweenSwitchAndRecordIsFinishedByTheNextChange() throws Exception {
        commit("index.html", "v2\n");
        engine.killAfterSwitch = true;
        assertThrows(FakeEngine.Killed.class, this::push);
        assertEquals(1, new Releases(home, APP).current().orElseThrow().id(), "the kill came before the record");
        assertTrue(new Releases(home, APP).pending().isPresent(), "the deploy wrote its release ahead");

        Optional<Release> finished = deploy.settle(APP, progress);

        assertEquals(Optional.of(2), finished.map(Release::id));
        assertEquals(2, new Releases(home, APP).current().orElseThrow().id(), "Nginx routes to v2, so v2 is recorded");
        assertEquals(List.of("v2 web.1"), engine.existing(), "v1's container goes");
        assertEquals(new Routing(home, () -> engine, engine).upstreams(APP), engine.site(APP).orElseThrow().upstreams());
        assertTrue(new Releases(home, APP).pending().isEmpty());
        assertEquals(3, push().release().id(), "the next deploy takes a new id");
    }

    @Test
    void aDeployKilledBeforeTheSwitchIsUndoneByTheNextChange() throws Exception {
        commit("index.html", "v2\n");
        engine.killAfterStart = true;
        assertThrows(FakeEngine.Killed.class, this::push);
        assertEquals(List.of("v1 web.1", "v2 web.1"), engine.existing(), "the killed deploy left its container");
        engine.killAfterStart = false;

        Deploy.Deployed v3 = deploy.relaunch(APP, "alice", "Restart", progress);

        assertEquals(3, v3.release().id());
        assertTrue(new Releases(home, APP).get(2).isEmpty(), "v2 never served, so it is not recorded");
        assertFalse(Files.exists(home.releases(APP).resolve("v2.env")), "nor is its config kept");
        assertEquals(List.of("v1 web.1", "v3 web.1"), engine.existing(), "v2's container went; v1's retires next");
        assertTrue(new Releases(home, APP).pending().isEmpty());
    }

    @Test
    void settlingWithNothingPendingChangesNothing() {
        assertEquals(Optional.empty(), deploy.settle(APP, progress));
        assertLive();
    }

    @Test
    void theOlderReleasesContainersLoseTheirRestartPolicyOnceTheNewOneIsRecorded() throws Exception {
        String v1 = engine.all().get(0).id();
        commit("index.html", "v2\n");
        Deploy.Deployed v2 = push();
        assertEquals(List.of(v1), v2.retiring());
        assertEquals(java.util.Set.of(v1), engine.letStopped(), "v1 must not come back if its retire is lost; v2 runs on");
    }

    /** v1 is the live release, its one web container is all that runs, and the site points at it. */
    private void assertLive() {
        Release live = new Releases(home, APP).current().orElseThrow();
        assertEquals(1, live.id(), "the live release");
        assertEquals(List.of("v1 web.1"), engine.existing(), "what runs");
        List<Nginx.Upstream> upstreams = new Routing(home, () -> engine, engine).upstreams(APP);
        assertEquals(1, upstreams.size());
        assertEquals(upstreams, engine.site(APP).orElseThrow().upstreams(), "the site still points at v1");
    }

    private Deploy.Deployed push() throws Exception {
        return deploy.commit(APP, git.getRepository(), head(), "alice", progress);
    }

    private ObjectId head() throws IOException {
        return git.getRepository().resolve("HEAD");
    }

    private void commit(String... pathsAndContents) throws Exception {
        Map<String, String> files = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            files.put(pathsAndContents[i], pathsAndContents[i + 1]);
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(git.getRepository().getWorkTree().toPath().resolve(f.getKey()), f.getValue());
        }
        git.add().addFilepattern(".").call();
        git.commit().setMessage("change").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
    }
}
