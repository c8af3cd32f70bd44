package pier.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.apps.Routing;
import pier.base.PierException;
import pier.base.Progress;
import pier.build.Buildpacks;
import pier.engine.ContainerSpec;
import pier.engine.Labels;
import pier.engine.Nginx;
import pier.engine.Templates;
import pier.names.AppName;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Settings;

/**
 * What reconcile makes of each thing a crash, a reboot or a lost retire leaves, on the fake engine: the live
 * release runs at its scale and the site points at exactly its web containers. ReconcileSystemTest proves the
 * same on real Docker and Nginx.
 */
class ReconcileTest {
    private static final AppName BLOG = AppName.of("blog");
    private static final AppName SHOP = AppName.of("shop");

    @TempDir
    Path tmp;

    private PierHome home;
    private FakeEngine engine;
    private Deploy deploy;
    private Routing routing;
    private Git git;
    private final List<String> shown = new ArrayList<>();
    private final Progress progress = shown::add;

    @BeforeEach
    void deployBlog() throws Exception {
        home = new PierHome(tmp.resolve("state"));
        engine = new FakeEngine();
        routing = new Routing(home, () -> engine, engine);
        deploy = new Deploy(home, engine, engine, routing, new Buildpacks(home, new Templates(tmp.resolve("no-overrides"))));
        git = Git.init().setDirectory(tmp.resolve("src").toFile()).setInitialBranch("main").call();
        Files.writeString(tmp.resolve("src/Dockerfile"), "FROM scratch\nCOPY . /app\n");
        git.add().addFilepattern(".").call();
        git.commit().setMessage("v1").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        push(BLOG);
    }

    @AfterEach
    void stop() {
        engine.close();
        git.close();
    }

    private Deploy.Deployed push(AppName app) throws Exception {
        new Apps(home).ensure(app);
        return deploy.commit(app, git.getRepository(), git.getRepository().resolve("HEAD"), "alice", progress);
    }

    private Reconcile reconcile() {
        return new Reconcile(home, engine, routing);
    }

    /** The local ports of the app's running web containers (where their checks reach them). */
    private List<Integer> hostPorts(AppName app) {
        return engine.containers(java.util.Map.of("pier.app", app.value(), "pier.process", "web")).stream()
                .filter(c -> c.running()).flatMap(c -> c.publicPort().stream()).toList();
    }

    @Test
    void afterACrashTheLiveReleaseStartsAgainAndTheSitePointsAtIt() {
        engine.crashAll();
        Reconcile.Result result = reconcile().app(BLOG, progress);
        assertEquals(List.of("v1 web.1 running"), engine.states());
        assertEquals(1, result.fixes().size(), result.fixes().toString());
        assertTrue(result.fixes().get(0).startsWith("started web.1 of v1 again (it was exited): HTTP 200"), result.fixes().toString());
        assertEquals(routing.upstreams(BLOG), engine.site(BLOG).orElseThrow().upstreams());
        assertTrue(new Reconcile.Report(List.of(result)).ok());
    }

    @Test
    void nothingToDoIsSaid() {
        Reconcile.Report report = reconcile().all(progress);
        assertTrue(report.ok());
        assertEquals("Nothing to reconcile: blog runs as recorded", report.summary());
    }

    @Test
    void aMissingContainerIsMadeOnAPortOfTheRange() {
        engine.crashAll();
        engine.containers(java.util.Map.of()).forEach(c -> engine.remove(c.id()));
        Reconcile.Result result = reconcile().app(BLOG, progress);
        assertEquals(List.of("v1 web.1 running"), engine.states());
        int port = hostPorts(BLOG).get(0);
        assertTrue(port >= Settings.PortRange.DEFAULT.low() && port <= Settings.PortRange.DEFAULT.high(), "port " + port);
        assertTrue(result.fixes().get(0).contains("web.1 was missing"), result.fixes().toString());
        assertEquals(routing.upstreams(BLOG), engine.site(BLOG).orElseThrow().upstreams(), "the site routes to the new one");
    }

    @Test
    void aContainerWhosePortIsTakenIsReplacedOnAnother() throws Exception {
        int taken = hostPorts(BLOG).get(0);
        engine.crashAll();
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), taken));
            Reconcile.Result result = reconcile().app(BLOG, progress);
            assertTrue(result.failure().isEmpty(), result.toString());
            assertEquals(List.of("v1 web.1 running"), engine.states());
            assertNotEquals(taken, hostPorts(BLOG).get(0));
            assertTrue(result.fixes().get(0).contains("its port " + taken + " is taken by another process"), result.fixes().toString());
        }
    }

    @Test
    void theContainersOfAnotherReleaseGoAfterTheLiveOneIsRouted() throws Exception {
        Deploy.Deployed v2 = push(BLOG);
        assertEquals(List.of("v1 web.1 running", "v2 web.1 running"), engine.states(), "the retire was lost");
        Reconcile.Result result = reconcile().app(BLOG, progress);
        assertEquals(List.of("v2 web.1 running"), engine.states());
        assertTrue(result.fixes().stream().anyMatch(f -> f.startsWith("removed web.1 of v1")), result.fixes().toString());
        assertEquals(2, v2.release().id());
    }

    @Test
    void aStoppedAppStaysStopped() {
        new Apps(home).stopped(BLOG, true, "alice");
        engine.crashAll();
        Reconcile.Result result = reconcile().app(BLOG, progress);
        assertTrue(result.failure().isEmpty(), result.toString());
        assertEquals(List.of("v1 web.1 exited"), engine.states());
        assertEquals(List.of(), engine.site(BLOG).orElseThrow().upstreams(), "the site answers 503");
    }

    @Test
    void oneAppThatCannotStartIsReportedAndTheOthersAreStillDone() throws Exception {
        push(SHOP);
        engine.crashAll();
        engine.containers(java.util.Map.of("pier.app", "blog")).forEach(c -> engine.remove(c.id()));
        engine.failStartAt = engine.starts() + 1;
        Reconcile.Report report = reconcile().all(progress);
        assertFalse(report.ok());
        assertEquals("Reconciled 2 apps: 1 fix in 1 app; failed: blog", report.summary());
        assertEquals(List.of("v1 web.1 running"), engine.states(), "shop runs again");
        assertTrue(shown.stream().anyMatch(l -> l.startsWith(" !     blog: web.1: cannot start container")), shown.toString());
    }

    @Test
    void onTheSwarmALinkedServicesLostOverlayJoinIsPutBack() throws Exception {
        Placement.LOCAL.withScheduler(Placement.SWARM).write(home, BLOG);
        engine.swarmTasks = List.of(new Nginx.Upstream("10.0.0.2", 30001));
        Path state = Files.createDirectories(home.services().resolve("postgres/db"));
        Files.writeString(state.resolve("password"), "pw\n");
        Files.writeString(state.resolve("links"), "blog\n");
        String db = engine.start(new ContainerSpec("pier-service-postgres-db", "pier-service-postgres:1", List.of(),
                Map.of(Labels.SERVICE_KIND, "postgres", Labels.SERVICE, "db"), 0, 5432, List.of(), null,
                new Resources.Confinement("pier-service-postgres-db", new Resources.Limits(0, 0, 0), "10m", 3)));
        // On the bridge still, off the overlay: what a restart of dockerd can leave.
        engine.connect(db, "pier-blog", "blog", "postgres-db");

        Reconcile.Result result = reconcile().app(BLOG, progress);

        assertTrue(result.failure().isEmpty(), result.toString());
        assertTrue(result.fixes().contains("postgres db joined pier-blog-swarm as postgres-db"), result.fixes().toString());
        assertEquals(List.of(db + " pier-blog postgres-db", db + " pier-blog-swarm postgres-db"), engine.networks());
        assertEquals(List.of(), reconcile().app(BLOG, progress).fixes(), "nothing left to do");
    }

    @Test
    void anInvalidPortRangeIsOneLineSayingWhatItMustBe() {
        new Settings(home).set(Settings.PORTS_RANGE, "80-90");
        PierException e = org.junit.jupiter.api.Assertions.assertThrows(PierException.class, () -> new Settings(home).portRange());
        assertTrue(e.getMessage().startsWith("ports.range in "), e.getMessage());
        assertTrue(e.getMessage().endsWith("must be LOW-HIGH with 1024 <= LOW <= HIGH <= 65535 (default 20000-29999), not 80-90"),
                e.getMessage());
        assertEquals(new Settings.PortRange(21000, 21010), Settings.parsePortRange("21000-21010").orElseThrow());
        assertTrue(Settings.parsePortRange("30000-20000").isEmpty());
        assertTrue(Settings.parsePortRange("1024-70000").isEmpty());
    }
}
