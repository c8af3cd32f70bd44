package pier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Response;
import pier.SystemHost.Result;
import pier.apps.Release;
import pier.apps.Releases;
import pier.engine.Docker;
import pier.engine.Labels;
import pier.names.AppName;
import pier.state.AtomicFile;
import pier.state.PierHome;

/**
 * {@code pier ps:reconcile} on this host: two busybox apps, then what a reboot, a taken port, a leftover of an older
 * release, one broken app during a server-wide change and a {@code kill -9} of dockerd leave behind; after each,
 * reconcile (not a push) makes every app serve its live release through Nginx again, and only it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReconcileSystemTest {
    static final String A = "rc-a";
    static final String B = "rc-b";
    static final String GLOBAL = "pier.test";
    static final String OTHER_GLOBAL = "reconcile.test";

    static Path key;

    @BeforeAll
    static void twoAppsServing() throws Exception {
        key = SystemHost.installWithAdminKey(GLOBAL);
        SystemHost.pier("apps:destroy", A, "--force");
        SystemHost.pier("apps:destroy", B, "--force");
        Path repoA = SystemHost.busyboxRepo(key);
        Path repoB = SystemHost.busyboxRepo(key);
        assertPushed(SystemHost.pushBusybox(repoA, key, A, "a-v1"));
        assertPushed(SystemHost.pushBusybox(repoA, key, A, "a-v2"));
        assertPushed(SystemHost.pushBusybox(repoB, key, B, "b-v1"));
        awaitRetired();
        assertServing();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (key == null) {
            return;
        }
        ensureDockerd();
        SystemHost.pier("config:unset", "--global", "--no-restart", "RC_GREETING");
        SystemHost.pier("domains:set-global", GLOBAL);
        SystemHost.pier("apps:destroy", A, "--force");
        SystemHost.pier("apps:destroy", B, "--force");
    }

    static void assertPushed(Result push) {
        assertEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("is live"), push.output());
    }

    static String host(String app) {
        return app + "." + GLOBAL;
    }

    /** Both apps answer their live release's page through Nginx, right now (no waiting). */
    static void assertServing() {
        assertEquals(new Response(200, "a-v2"), SystemHost.get(host(A)));
        assertEquals(new Response(200, "b-v1"), SystemHost.get(host(B)));
    }

    /** The detached retires of the pushes before have ended (each reconciles its app as it ends). */
    static void awaitRetired() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (retiring() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertFalse(retiring(), "a ps:retire still runs after 90 s");
    }

    static boolean retiring() {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().arguments()
                .map(args -> Arrays.asList(args).contains("ps:retire")).orElse(false));
    }

    static DockerClient docker() {
        return DockerProbe.client();
    }

    /** The app's containers as "NAME STATE", oldest first. */
    static List<String> containers(String app) {
        return docker().listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.APP, app)).exec().stream()
                .map(c -> c.getNames()[0].substring(1) + " " + c.getState()).sorted().toList();
    }

    static List<String> ids(String app) {
        return docker().listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.APP, app)).exec().stream()
                .map(com.github.dockerjava.api.model.Container::getId).toList();
    }

    static Release live(String app) {
        return new Releases(new PierHome(PierHome.DEFAULT), AppName.of(app)).current().orElseThrow();
    }

    /** Only the live release's web.1 exists, and it runs. */
    static void assertOnlyLive(String app) {
        assertEquals(List.of("pier-" + app + "-" + live(app).tag() + "-web.1 running"), containers(app));
    }

    static int hostPort(String containerId) {
        Ports.Binding[] bindings = docker().inspectContainerCmd(containerId).exec().getHostConfig().getPortBindings()
                .getBindings().values().iterator().next();
        return Integer.parseInt(bindings[0].getHostPortSpec());
    }

    static Result reconcile(String... args) {
        String[] words = new String[args.length + 1];
        words[0] = "ps:reconcile";
        System.arraycopy(args, 0, words, 1, args.length);
        return SystemHost.pier(words);
    }

    @Test
    @Order(1)
    void afterASimulatedRebootEachAppServesItsLiveReleaseAndOnlyIt() throws Exception {
        awaitRetired();
        for (String app : List.of(A, B)) {
            ids(app).forEach(id -> docker().stopContainerCmd(id).withTimeout(1).exec());
        }
        Result nginx = SystemHost.run("service", "nginx", "restart");
        assertEquals(0, nginx.code(), nginx.output());
        assertEquals(502, SystemHost.get(host(A)).status(), "nothing runs, so the test starts from a dead site");

        Result r = reconcile("--all");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains(A + ": started web.1 of " + live(A).tag() + " again (it was exited)"), r.output());
        assertTrue(r.output().contains("Reconciled "), r.output());
        assertServing();
        assertOnlyLive(A);
        assertOnlyLive(B);

        Result again = reconcile("--all");
        assertEquals(0, again.code(), again.output());
        assertTrue(again.output().contains("Nothing to reconcile"), again.output());
    }

    @Test
    @Order(2)
    void aContainerWhosePortAnotherProcessTookIsReplacedOnAFreePortOfTheRange() throws Exception {
        awaitRetired();
        String id = ids(A).get(0);
        int taken = hostPort(id);
        docker().stopContainerCmd(id).withTimeout(1).exec();
        try (ServerSocket squatter = bindWhenFree(taken)) {
            assertNotEquals(200, SystemHost.get(host(A)).status());
            Result r = reconcile(A);
            assertEquals(0, r.code(), r.output());
            assertTrue(r.output().contains("its port " + taken + " is taken by another process"), r.output());
            assertServing();
            assertOnlyLive(A);
            int now = hostPort(ids(A).get(0));
            assertNotEquals(taken, now);
            assertTrue(now >= 20000 && now <= 29999, "from the default ports.range: " + now);
            assertTrue(squatter.isBound(), "the other process keeps its port");
        }
    }

    /** The port once the stopped container's proxy let it go. */
    static ServerSocket bindWhenFree(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            ServerSocket socket = new ServerSocket();
            try {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return socket;
            } catch (IOException e) {
                socket.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    @Order(3)
    void aLeftoverContainerOfAnOlderReleaseIsRemoved() throws Exception {
        awaitRetired();
        Release older = new Releases(new PierHome(PierHome.DEFAULT), AppName.of(A)).get(1).orElseThrow();
        String leftover = "pier-" + A + "-v1-web.1";
        // As a lost retire leaves it: the older release's labels, and a restart policy that brings it back at boot.
        String id = docker().createContainerCmd(older.image()).withName(leftover)
                .withLabels(Map.of(Labels.APP, A, Labels.RELEASE, "1", Labels.PROCESS, "web", Labels.INSTANCE, "web.1"))
                .withCmd("/bin/busybox", "httpd", "-f", "-p", "5000", "-h", "/www")
                .withHostConfig(HostConfig.newHostConfig().withRestartPolicy(RestartPolicy.unlessStoppedRestart()))
                .exec().getId();
        docker().startContainerCmd(id).exec();
        assertTrue(containers(A).contains(leftover + " running"), containers(A).toString());

        Result r = reconcile(A);
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("removed web.1 of v1 (" + leftover + "): not the live release"), r.output());
        assertOnlyLive(A);
        assertServing();
    }

    @Test
    @Order(4)
    void oneBrokenAppDoesNotBlockAServerWideChange() throws Exception {
        awaitRetired();
        ids(A).forEach(id -> docker().removeContainerCmd(id).withForce(true).exec());

        Result domains = SystemHost.pier("domains:set-global", OTHER_GLOBAL);
        assertEquals(1, domains.code(), "not everything was moved, and the exit code says so: " + domains.output());
        assertTrue(domains.output().contains("no web container of " + A + " is running (fix it with: pier ps:reconcile "
                + A + ")"), domains.output());
        assertEquals(1, domains.output().lines().filter(l -> l.startsWith("error:")).count(), domains.output());
        assertEquals(new Response(200, "b-v1"), SystemHost.get(B + "." + OTHER_GLOBAL), "the others moved");
        assertNotEquals(200, SystemHost.get(A + "." + OTHER_GLOBAL).status());

        Result config = SystemHost.pier("config:set", "--global", "RC_GREETING=hello");
        assertEquals(0, config.code(), config.output());
        awaitRetired();
        for (String app : List.of(A, B)) {
            List<String> env = Arrays.asList(docker().inspectContainerCmd(ids(app).get(0)).exec().getConfig().getEnv());
            assertTrue(env.contains("RC_GREETING=hello"), app + " restarted with the global value: " + env);
        }
        assertEquals(new Response(200, "b-v1"), SystemHost.get(B + "." + OTHER_GLOBAL));
        assertEquals(new Response(200, "a-v2"), SystemHost.get(A + "." + OTHER_GLOBAL), "its restart fixed A");

        ids(A).forEach(id -> docker().removeContainerCmd(id).withForce(true).exec());
        Result back = SystemHost.pier("domains:set-global", GLOBAL);
        assertEquals(1, back.code(), back.output());
        Result r = reconcile(A);
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains(A + ": started web.1 of " + live(A).tag() + " at 172.30."), r.output());
        assertServing();
        assertOnlyLive(A);
        assertOnlyLive(B);
    }

    @Test
    @Order(5)
    void afterDockerAndItsContainersAreKilledTheBootHookServesEveryAppAgainWithoutAPush() throws Exception {
        awaitRetired();
        try {
            // The crash the issue saw: dockerd and the apps' processes die at once (with live-restore on, a kill of
            // dockerd alone leaves the containers running, so their processes are killed too).
            List<ProcessHandle> apps = new java.util.ArrayList<>();
            for (String app : List.of(A, B)) {
                for (String id : ids(app)) {
                    Long pid = docker().inspectContainerCmd(id).exec().getState().getPidLong();
                    if (pid != null && pid > 0) {
                        ProcessHandle.of(pid).ifPresent(apps::add);
                    }
                }
            }
            assertFalse(apps.isEmpty(), "no app process found to kill");
            ProcessHandle dockerd = dockerd().orElseThrow(() -> new AssertionError("dockerd is not running"));
            assertTrue(dockerd.destroyForcibly());
            apps.forEach(ProcessHandle::destroyForcibly);
            dockerd.onExit().get(30, TimeUnit.SECONDS);
            for (ProcessHandle p : apps) {
                p.onExit().get(30, TimeUnit.SECONDS);
            }
            assertEquals(502, SystemHost.get(host(A)).status(), "the crash took the site down, so the test starts from it");

            // What a boot runs: the daemons pier needs, started when no init system does, then ps:reconcile --all.
            Result boot = SystemHost.pier("install", "--boot");
            assertEquals(0, boot.code(), boot.output());
            assertTrue(boot.output().contains("Reconcil") || boot.output().contains("reconcil"), boot.output());
            assertServing();
            assertOnlyLive(A);
            assertOnlyLive(B);
        } finally {
            ensureDockerd();
        }
    }

    static Optional<ProcessHandle> dockerd() {
        return AtomicFile.read(Path.of("/var/run/docker.pid")).map(String::strip).filter(p -> p.matches("\\d+"))
                .flatMap(p -> ProcessHandle.of(Long.parseLong(p))).filter(ProcessHandle::isAlive);
    }

    /** Whatever happened, dockerd runs when this class is done: the other tests need it. */
    static void ensureDockerd() throws InterruptedException {
        if (!answers()) {
            startDockerd();
        }
    }

    static void startDockerd() throws InterruptedException {
        try {
            new ProcessBuilder("setsid", "dockerd")
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("/var/log/dockerd.log").toFile()))
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            fail("cannot start dockerd: " + e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (answers()) {
                return;
            }
            Thread.sleep(200);
        }
        fail("dockerd did not answer within 60 s of its start");
    }

    static boolean answers() {
        try (Docker docker = Docker.connect()) {
            return docker.ping();
        } catch (RuntimeException notYet) {
            return false;
        }
    }
}
