package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Response;
import pier.SystemHost.Result;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pusher holding a deploy key for app A, while app B next to it has a secret, tries every way out of A the
 * trust-boundary issue names: argument files, other images in a Dockerfile, symbolic links, submodules, an
 * oversized pack, a build that never ends, a fork bomb, a memory hog, a log flood, domain claims, and the network.
 * Each is refused or contained with one {@code error:} line, B's secret shows up nowhere, B keeps answering, and
 * nothing of pier's changes beyond A's own records.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostilePusherSystemTest {
    static final String A = "hostile-a";
    static final String B = "hostile-b";
    static final String DOMAIN = "pier.test";
    static final String SECRET = "b-secret-" + Long.toHexString(new Random().nextLong());
    /** An image of A with busybox as /bin/sh, so Procfile commands run with sh -c. */
    static final String IMAGE_START = "FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\nCOPY www /www\n";

    static Path admin;
    static Path ci;
    static Path dev;
    static Path repo;
    static Map<String, String> before;
    static final List<String> seen = new ArrayList<>();
    static final Settings settings = new Settings(new PierHome(PierHome.DEFAULT));

    @BeforeAll
    static void prepare() throws Exception {
        admin = SystemHost.installWithAdminKey(DOMAIN);
        for (String app : List.of(A, B)) {
            SystemHost.pier("apps:destroy", app, "--force");
        }
        Path bRepo = SystemHost.busyboxRepo(admin);
        Result b = SystemHost.pushBusybox(bRepo, admin, B, "b-serves");
        assertEquals(0, b.code(), b.output());
        assertEquals(0, SystemHost.pier("config:set", B, "SECRET_B=" + SECRET).code());
        assertEquals(0, SystemHost.pier("apps:create", A).code());
        ci = newKey("hostile-ci");
        dev = newKey("hostile-dev");
        assertEquals(0, SystemHost.pierWithInput(Files.readString(Path.of(ci + ".pub")), "deploy:allow", A, "hostile-ci").code());
        assertEquals(0, SystemHost.pierWithInput(Files.readString(Path.of(dev + ".pub")), "developer:allow", A, "hostile-dev").code());
        // Small limits, so each attack reaches them quickly; put back after.
        setting(Settings.BUILD_TIMEOUT, "8");
        setting(Resources.LOG_SIZE, "1m");
        setting(Resources.LOG_FILES, "2");
        assertEquals(0, SystemHost.pier("resource:limit", A, "memory=32m", "pids=40").code());

        repo = SystemHost.busyboxRepo(ci);
        Result a = push("a-serves", IMAGE_START + PushToDeploySystemTest.SERVE, Map.of());
        assertEquals(0, a.code(), a.output());
        assertEquals(new Response(200, "a-serves"), SystemHost.get(A + "." + DOMAIN));
        // After A's first push, which carries busybox: later pushes send only what changed.
        setting(Settings.PUSH_MAX_SIZE, "1");
        before = outsideA();
    }

    @AfterAll
    static void restore() throws Exception {
        for (String key : List.of(Settings.PUSH_MAX_SIZE, Settings.BUILD_TIMEOUT, Resources.LOG_SIZE, Resources.LOG_FILES)) {
            setting(key, null);
        }
        for (String app : List.of(A, B)) {
            SystemHost.pier("apps:destroy", app, "--force");
        }
        SystemHost.pier("ssh-keys:remove", "hostile-ci");
        SystemHost.pier("ssh-keys:remove", "hostile-dev");
    }

    @Test
    @Order(1)
    void argumentFilesAreWordsNotFiles() {
        Path env = PierHome.DEFAULT.resolve("apps").resolve(B).resolve("env");
        assertTrue(Files.isRegularFile(env), "B's env file is where the attack looks: " + env);
        for (List<String> words : List.of(List.of("@" + env), List.of("config", "@" + env), List.of("apps:info", "@" + env),
                List.of("ps:scale", A, "@" + env))) {
            refused(SystemHost.ssh(ci, null, words.toArray(String[]::new)), "error: ");
        }
        refused(SystemHost.pier("@" + env), "error: ");
    }

    @Test
    @Order(2)
    void aBuildMayUseNeitherAnotherAppsImageNorAnyOtherLocalImage() throws IOException {
        assertEquals(0, SystemHost.run("docker", "tag", "pier/" + B + ":v1", "hostile/other:1").code());
        try {
            refusedPush("FROM pier/" + B + ":v1\n", "is not an image this build may use");
            refusedPush("FROM scratch\nCOPY --from=pier/" + B + ":v1 /www /x\n" + PushToDeploySystemTest.SERVE,
                    "is not an image this build may use");
            refusedPush("ARG FROM_B=pier/" + B + ":v1\nFROM ${FROM_B}\n", "is not an image this build may use");
            refusedPush("FROM hostile/other:1\n", "is not an image this build may use");
        } finally {
            SystemHost.run("docker", "rmi", "hostile/other:1");
        }
    }

    @Test
    @Order(3)
    void symbolicLinksInThePushAreRefusedByName() throws IOException {
        Path env = PierHome.DEFAULT.resolve("apps").resolve(B).resolve("env");
        for (String name : List.of("Procfile", "app.json", "CHECKS")) {
            Path link = repo.resolve(name);
            Files.createSymbolicLink(link, env);
            refusedPush(IMAGE_START + PushToDeploySystemTest.SERVE, name + " is a symbolic link that leads out of the repository");
            Files.delete(link);
            // Even a link inside the repository is not what pier reads as the file.
            Files.createSymbolicLink(link, Path.of("www/index.html"));
            refusedPush(IMAGE_START + PushToDeploySystemTest.SERVE, name + " in the push is not a regular file");
            Files.delete(link);
        }
        Files.delete(repo.resolve("Dockerfile"));
        Files.createSymbolicLink(repo.resolve("Dockerfile"), env);
        refused(commitAndPush("dockerfile link"), "Dockerfile is a symbolic link that leads out of the repository");
        Files.delete(repo.resolve("Dockerfile"));
        Files.createSymbolicLink(repo.resolve("Dockerfile"), Path.of("www/index.html"));
        refused(commitAndPush("dockerfile link inside"), "Dockerfile in the push is not a regular file");
        Files.delete(repo.resolve("Dockerfile"));
        // A directory linked from the repository would put B's files into A's build context.
        Files.createSymbolicLink(repo.resolve("data"), PierHome.DEFAULT.resolve("apps").resolve(B));
        refusedPush(IMAGE_START + "COPY data /x\n" + PushToDeploySystemTest.SERVE, "data is a symbolic link that leads out");
        Files.delete(repo.resolve("data"));
    }

    @Test
    @Order(4)
    void submodulesFromThisServerAreRefused() throws IOException {
        String head = SystemHost.git(repo, ci, "rev-parse", "HEAD").output().strip();
        for (String url : List.of(PierHome.DEFAULT.resolve("apps").resolve(B).resolve("repo.git").toString(),
                "file://" + PierHome.DEFAULT.resolve("apps").resolve(B).resolve("repo.git"), "http://127.0.0.1/x.git",
                "https://127.0.0.1/x.git", "../" + B)) {
            Files.writeString(repo.resolve(".gitmodules"), "[submodule \"b\"]\n\tpath = b\n\turl = " + url + "\n");
            Files.writeString(repo.resolve("Dockerfile"), IMAGE_START + PushToDeploySystemTest.SERVE + "\n");
            assertEquals(0, SystemHost.git(repo, ci, "add", ".gitmodules", "Dockerfile").code());
            assertEquals(0, SystemHost.git(repo, ci, "update-index", "--add", "--cacheinfo", "160000," + head + ",b").code());
            assertEquals(0, SystemHost.git(repo, ci, "commit", "-q", "-m", "submodule " + url).code());
            refused(SystemHost.git(repo, ci, "push", "-f", "pier@localhost:" + A, "main"), "submodule 'b' in .gitmodules");
            assertEquals(0, SystemHost.git(repo, ci, "rm", "-q", "--cached", "b").code());
            Files.delete(repo.resolve(".gitmodules"));
            assertEquals(0, SystemHost.git(repo, ci, "add", "-A").code());
        }
        assertEquals(0, SystemHost.git(repo, ci, "commit", "-q", "-m", "no submodule").code());
    }

    @Test
    @Order(5)
    void anOversizedPackIsStoppedAtTheLimit() throws IOException {
        byte[] noise = new byte[3 << 20];
        new Random(7).nextBytes(noise);
        Files.write(repo.resolve("www/noise.bin"), noise);
        try {
            refusedPush(IMAGE_START + PushToDeploySystemTest.SERVE, "the push is larger than 1 MiB");
        } finally {
            // The next commits must not carry the noise in their history, even when this test failed: take it back.
            Files.deleteIfExists(repo.resolve("www/noise.bin"));
            assertEquals(0, SystemHost.git(repo, ci, "reset", "-q", "--hard", "HEAD~1").code());
        }
    }

    @Test
    @Order(6)
    void aBuildThatNeverEndsIsStoppedAtTheDeadline() throws IOException {
        long t0 = System.nanoTime();
        refusedPush("FROM pier/" + A + ":v1\nRUN [\"/bin/busybox\", \"sleep\", \"600\"]\n", "the build did not finish within 8s");
        assertTrue((System.nanoTime() - t0) / 1_000_000_000 < 120, "the push was not stopped near its deadline");
        String running = SystemHost.run("docker", "ps", "--no-trunc", "--format", "{{.Command}}").output();
        assertFalse(running.contains("sleep 600") && waitGone("sleep 600"), "the build's container still runs: " + running);
    }

    @Test
    @Order(7)
    void aForkBombInTheReleaseCommandIsHeldByThePidsLimit() throws IOException {
        Files.writeString(repo.resolve("Procfile"), "release: i=0; while [ $i -lt 500 ]; do /bin/busybox sleep 30 & i=$((i+1));"
                + " done; echo all-$i-started\n");
        Result r = refusedPush(IMAGE_START + PushToDeploySystemTest.SERVE, "the release command exited with code");
        assertTrue(r.output().contains("can't fork"), r.output());
        assertFalse(r.output().contains("all-500-started"), r.output());
        Files.delete(repo.resolve("Procfile"));
    }

    @Test
    @Order(8)
    void aMemoryHogIsKilledAndTheOldReleaseKeepsServing() throws IOException {
        Files.writeString(repo.resolve("Procfile"), "web: /bin/busybox dd if=/dev/zero of=/dev/null bs=96M count=1"
                + " && exec /bin/busybox httpd -f -p $PORT -h /www\n");
        Result r = refusedPush(IMAGE_START + PushToDeploySystemTest.SERVE, "killed for using more memory than its limit");
        assertTrue(r.output().contains("exited with code 137"), r.output());
        Files.delete(repo.resolve("Procfile"));
    }

    @Test
    @Order(9)
    void aDeveloperKeyMayNotClaimTheGlobalWildcardOrAnAddress() {
        for (String domain : List.of("*." + DOMAIN, "10.1.2.3", "127.0.0.1")) {
            refused(SystemHost.ssh(dev, null, "domains:add", A, domain), "may not claim " + domain);
        }
        assertEquals(0, SystemHost.ssh(dev, null, "domains:add", A, "www.hostile-a.example").code());
        assertEquals(0, SystemHost.ssh(dev, null, "domains:clear", A).code());
    }

    @Test
    @Order(10)
    void fromInsideAnAppsContainerAnotherAppsContainerCannotBeReached() {
        String aId = container(A);
        String bId = container(B);
        String aIp = ip(aId);
        String bIp = ip(bId);
        assertNotEquals(aIp, bIp);
        String port = port(bId);
        String aPort = port(aId);
        // The control: the same request reaches A's own container, so a refusal below is the network's doing.
        Result own = httpFrom(aId, aIp, aPort);
        assertTrue(own.output().contains("a-serves"), own.output());
        Result other = httpFrom(aId, bIp, port);
        assertFalse(other.output().contains("HTTP/1"), "A reached B's container: " + other.output());
        assertFalse(other.output().contains("b-serves"), other.output());
    }

    @Test
    @Order(11)
    void aLogFloodStaysUnderTheCap() throws Exception {
        String line = "x".repeat(1000);
        Files.writeString(repo.resolve("Procfile"), "worker: while :; do echo " + line + "; done\n");
        Result r = push("a-floods", IMAGE_START + PushToDeploySystemTest.SERVE, Map.of());
        assertEquals(0, r.code(), r.output());
        seen.add(r.output());
        String worker = SystemHost.run("docker", "ps", "-q", "--filter", "label=pier.app=" + A, "--filter",
                "label=pier.process=worker").output().strip();
        assertFalse(worker.isEmpty(), "no worker runs");
        Thread.sleep(4000);
        Path log = Path.of(SystemHost.run("docker", "inspect", "-f", "{{.LogPath}}", worker).output().strip());
        long total;
        try (Stream<Path> files = Files.list(log.getParent())) {
            total = files.filter(p -> p.getFileName().toString().startsWith(log.getFileName().toString()))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
        assertEquals(0, SystemHost.pier("ps:scale", A, "worker=0").code());
        assertTrue(total > 0 && total <= 3L << 20, "the worker's logs hold " + total + " bytes, over 2 files of 1m");
        Files.delete(repo.resolve("Procfile"));
    }

    @Test
    @Order(12)
    void bsSecretIsNowhereAndNothingOutsideAChanged() throws Exception {
        for (String output : seen) {
            assertFalse(output.contains(SECRET), "B's secret reached A's pusher: " + output);
        }
        try (Stream<Path> files = Files.walk(PierHome.DEFAULT.resolve("apps").resolve(A))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains(SECRET), f.toString());
            }
        }
        assertEquals(new Response(200, "b-serves"), SystemHost.get(B + "." + DOMAIN));
        Map<String, String> after = outsideA();
        assertEquals(before, after, "pier changed beyond A's own records");
    }

    // ---- helpers ----

    private static Path newKey(String name) throws IOException {
        Path key = Files.createTempDirectory("pier-hostile-").resolve("id_ed25519");
        assertEquals(0, SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()).code());
        SystemHost.pier("ssh-keys:remove", name);
        return key;
    }

    private static void setting(String key, String value) throws IOException {
        settings.set(key, value);
        SystemHost.run("chown", "pier:pier", PierHome.DEFAULT.resolve("settings.properties").toString());
    }

    private static Result push(String body, String dockerfile, Map<String, String> files) throws IOException {
        Files.writeString(repo.resolve("www/index.html"), body + "\n");
        Files.writeString(repo.resolve("Dockerfile"), dockerfile + "\n");
        for (var f : files.entrySet()) {
            Files.writeString(repo.resolve(f.getKey()), f.getValue());
        }
        return commitAndPush(body);
    }

    private static Result commitAndPush(String message) {
        assertEquals(0, SystemHost.git(repo, ci, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, ci, "commit", "-q", "--allow-empty", "-m", message).code());
        return SystemHost.git(repo, ci, "push", "-f", "pier@localhost:" + A, "main");
    }

    /** Pushes a Dockerfile that must be refused with {@code reason}; A keeps serving its release and B its own. */
    private static Result refusedPush(String dockerfile, String reason) throws IOException {
        Result r = push("a-refused", dockerfile, Map.of());
        refused(r, reason);
        return r;
    }

    /** Not done, with one error line saying {@code reason}; B's secret nowhere; both apps still serve as before. */
    private static void refused(Result r, String reason) {
        seen.add(r.output());
        assertNotEquals(0, r.code(), reason + ": " + r.output());
        assertFalse(r.output().contains(SECRET), "B's secret in the output: " + r.output());
        long errors = r.output().lines().filter(l -> l.startsWith("error:") || l.startsWith("remote: error:")
                || l.contains("[remote rejected]")).count();
        assertTrue(errors >= 1, "no error line: " + r.output());
        assertTrue(r.output().contains(reason), "expected '" + reason + "' in: " + r.output());
        assertEquals(new Response(200, "b-serves"), SystemHost.get(B + "." + DOMAIN));
        assertEquals(new Response(200, "a-serves"), SystemHost.get(A + "." + DOMAIN));
    }

    /** A plain HTTP request from inside {@code container}, with busybox nc (its wget needs NSS a static build lacks). */
    private static Result httpFrom(String container, String ip, String port) {
        return SystemHost.run("docker", "exec", container, "/bin/busybox", "sh", "-c",
                "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 3 " + ip + " " + port);
    }

    private static boolean waitGone(String command) {
        for (int i = 0; i < 50; i++) {
            if (!SystemHost.run("docker", "ps", "--no-trunc", "--format", "{{.Command}}").output().contains(command)) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return true;
    }

    private static String container(String app) {
        String id = SystemHost.run("docker", "ps", "-q", "--filter", "label=pier.app=" + app, "--filter",
                "label=pier.process=web").output().strip().lines().findFirst().orElse("");
        assertFalse(id.isEmpty(), "no web container of " + app);
        return id;
    }

    private static String port(String container) {
        String env = SystemHost.run("docker", "inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", container).output();
        return env.lines().filter(l -> l.startsWith("PORT=")).map(l -> l.substring(5)).findFirst()
                .orElseThrow(() -> new AssertionError("no PORT in " + env));
    }

    private static String ip(String container) {
        String ip = SystemHost.run("docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                container).output().strip();
        assertFalse(ip.isEmpty(), "no address for " + container);
        return ip;
    }

    /** pier's files and Nginx's config, less A's own records (its app directory and its site). */
    private static Map<String, String> outsideA() throws Exception {
        Map<String, String> all = new TreeMap<>(SystemHost.snapshot());
        all.keySet().removeIf(p -> p.startsWith(PierHome.DEFAULT.resolve("apps").resolve(A).toString())
                || p.equals(PierHome.DEFAULT.resolve("nginx").resolve(A + ".conf").toString()));
        return all;
    }
}
