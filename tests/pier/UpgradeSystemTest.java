package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Response;
import pier.SystemHost.Result;
import pier.engine.Docker;
import pier.engine.Labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Installing this checkout's pier over the oldest pier that had roles (commit {@value #OLD}, built here from the
 * repository's history) while clients ask both of its apps without pause: no request fails, and every app, key with
 * its role, config value (of an app and global), domain and release is there afterwards, and a push deploys. The
 * host is purged first, so the old pier starts from nothing as it did for its users; the class leaves this
 * checkout's pier installed with the systest admin key and the global domain other classes expect.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpgradeSystemTest {
    /** "Keys get roles": the first commit with deploy and developer keys. */
    static final String OLD = "2350913";
    static final String DOMAIN = "pier.test";
    static final String APP_A = "upgrade-a";
    static final String APP_B = "upgrade-b";
    static final String EXTRA_DOMAIN = "www.upgrade.test";
    static final String CI = "upgrade-ci";
    /** Values a conversion could mangle: spaces, '=', quotes, a dollar, unicode. */
    static final String APP_VALUE = "hello = 'world' $HOME ünï";
    static final String GLOBAL_VALUE = "Europe/Paris";
    /** Where the old pier is built, once per build of this checkout (mvn clean drops it). */
    static final Path OLD_TREE = Path.of("target/pier-" + OLD).toAbsolutePath();

    static Path admin;
    static Path ci;
    static Path repoA;
    static Path repoB;
    static Map<String, List<String>> releasesBefore;
    static Result dryRun;
    static Result upgrade;
    static List<Response> seenA;
    static List<Response> seenB;

    @BeforeAll
    static void theOldPierServesTwoAppsWithKeysConfigAndADomain() throws Exception {
        Path oldJar = buildOldPier();
        // The systest key of this run, so that what other classes cached stays the admin key when this class ends.
        admin = SystemHost.installWithAdminKey(DOMAIN);
        InstallSystemTest.awaitNoProcessOf("pier");
        Result purge = SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install", "--uninstall", "--purge");
        assertEquals(0, purge.code(), purge.output());

        Result old = SystemHost.run("java", "-jar", oldJar.toString(), "install");
        assertEquals(0, old.code(), old.output());
        ok(SystemHost.pierWithInput(Files.readString(Path.of(admin + ".pub")), "ssh-keys:add", "systest"));
        ok(SystemHost.pier("domains:set-global", DOMAIN));
        ci = newKey("ci");

        repoA = SystemHost.busyboxRepo(admin);
        repoB = SystemHost.busyboxRepo(admin);
        ok(SystemHost.pushBusybox(repoA, admin, APP_A, "a1"));
        ok(SystemHost.pushBusybox(repoB, admin, APP_B, "b1"));
        ok(SystemHost.pushBusybox(repoA, admin, APP_A, "a2"));
        ok(SystemHost.pierWithInput(Files.readString(Path.of(ci + ".pub")), "deploy:allow", APP_A, CI));
        ok(SystemHost.pier("config:set", APP_A, "GREETING=" + APP_VALUE));
        ok(SystemHost.pier("config:set", "--global", "TZ=" + GLOBAL_VALUE));
        ok(SystemHost.pier("domains:add", APP_B, EXTRA_DOMAIN));
        assertEquals(new Response(200, "a2"), SystemHost.get(hostOf(APP_A)));
        assertEquals(new Response(200, "b1"), SystemHost.get(EXTRA_DOMAIN));
        releasesBefore = Map.of(APP_A, releases(APP_A), APP_B, releases(APP_B));
        assertTrue(releasesBefore.get(APP_A).size() >= 3, "two deploys and a config change: " + releasesBefore);

        dryRun = SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install", "--dry-run");
        InstallSystemTest.awaitNoProcessOf("pier");
        SystemHost.Load loadA = SystemHost.Load.on(hostOf(APP_A));
        SystemHost.Load loadB = SystemHost.Load.on(EXTRA_DOMAIN);
        Thread.sleep(300);
        long start = System.nanoTime();
        upgrade = SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install");
        System.out.println("upgrade from " + OLD + " under load: " + (System.nanoTime() - start) / 1_000_000 + " ms");
        seenA = loadA.stopAfter(300);
        seenB = loadB.stopAfter(0);
        assertEquals(0, upgrade.code(), upgrade.output());
    }

    @AfterAll
    static void leaveThisCheckoutsPierInstalledWithTheSystestKey() throws IOException {
        if (admin == null) {
            return;
        }
        // Whatever failed above: this checkout's pier, with the systest key and the global domain.
        SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install");
        if (SystemHost.ssh(admin, null, "apps:list").code() != 0) {
            SystemHost.pier("ssh-keys:remove", "systest");
            SystemHost.pierWithInput(Files.readString(Path.of(admin + ".pub")), "ssh-keys:add", "systest");
        }
        SystemHost.pier("domains:set-global", DOMAIN);
        SystemHost.pier("ssh-keys:remove", CI);
        SystemHost.pier("config:unset", "--global", "--no-restart", "TZ");
        SystemHost.pier("apps:destroy", APP_A, "--force");
        SystemHost.pier("apps:destroy", APP_B, "--force");
    }

    @Test
    @Order(1)
    void bothAppsAnsweredEveryRequestWhileTheNewPierWasInstalledOverTheOld() {
        assertNoFailures(seenA, "a2");
        assertNoFailures(seenB, "b1");
        System.out.println("requests during the upgrade: " + seenA.size() + " to " + APP_A + ", " + seenB.size() + " to " + APP_B);
    }

    @Test
    @Order(2)
    void theDryRunShowedTheConversionOfTheKeysAndTheUpgradeMadeIt() {
        assertEquals(0, dryRun.code(), dryRun.output());
        assertTrue(dryRun.output().contains("mark systest as admin"), dryRun.output());
        assertTrue(upgrade.output().contains("mark systest as admin"), upgrade.output());
        Result again = SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install");
        assertEquals(0, again.code(), again.output());
        assertTrue(again.output().contains("Nothing to change"), "the upgrade left nothing to convert: " + again.output());
    }

    @Test
    @Order(3)
    void everyAppDomainConfigValueAndReleaseIsAsTheOldPierLeftIt() {
        assertEquals(new Response(200, "a2"), SystemHost.get(hostOf(APP_A)));
        assertEquals(new Response(200, "b1"), SystemHost.get(hostOf(APP_B)));
        assertEquals(new Response(200, "b1"), SystemHost.get(EXTRA_DOMAIN));
        Result apps = SystemHost.pier("apps:list");
        assertTrue(apps.output().contains(APP_A) && apps.output().contains(APP_B), apps.output());
        assertEquals(APP_VALUE, ok(SystemHost.pier("config:get", APP_A, "GREETING")).output().strip());
        assertEquals(GLOBAL_VALUE, ok(SystemHost.pier("config:get", "--global", "TZ")).output().strip());
        assertEquals(releasesBefore.get(APP_A), releases(APP_A));
        assertEquals(releasesBefore.get(APP_B), releases(APP_B));
    }

    @Test
    @Order(4)
    void theAdminKeyStaysAnAdminAndTheDeployKeyKeepsItsOneAppAndNothingMore() throws Exception {
        Result list = ok(SystemHost.ssh(admin, null, "ssh-keys:list"));
        assertTrue(list.output().contains(fingerprint(admin)) && list.output().contains(fingerprint(ci)), list.output());
        assertTrue(ok(SystemHost.ssh(admin, null, "config", APP_A)).output().contains("GREETING"), "the admin key runs app commands");
        ok(SystemHost.ssh(admin, null, "apps:list"));

        Result refused = SystemHost.ssh(ci, null, "config", APP_A);
        assertNotEquals(0, refused.code(), "a deploy key runs no command: " + refused.output());
        Path ciRepoB = SystemHost.busyboxRepo(ci);
        Result pushB = SystemHost.pushBusybox(ciRepoB, ci, APP_B, "not-b");
        assertNotEquals(0, pushB.code(), "the deploy key of " + APP_A + " may not push to " + APP_B + ": " + pushB.output());
        assertEquals(new Response(200, "b1"), SystemHost.get(hostOf(APP_B)));
    }

    @Test
    @Order(5)
    void aPushAfterTheUpgradeDeploysANewReleaseWithTheKeptConfig() throws Exception {
        InstallSystemTest.awaitNoProcessOf("pier");
        ok(SystemHost.pushBusybox(repoA, ci, APP_A, "a3"));
        assertEquals(new Response(200, "a3"), SystemHost.get(hostOf(APP_A)));
        List<String> after = releases(APP_A);
        assertEquals(releasesBefore.get(APP_A).size() + 1, after.size(), after.toString());
        int newest = Integer.parseInt(after.get(0).split(" ")[0].substring(1));
        int oldNewest = Integer.parseInt(releasesBefore.get(APP_A).get(0).split(" ")[0].substring(1));
        assertTrue(newest > oldNewest, "a new id: " + after);
        assertTrue(after.get(0).endsWith("live"), after.toString());
        List<String> env = ok(SystemHost.pier("run", APP_A, "/bin/busybox", "env")).output().lines().toList();
        assertTrue(env.contains("GREETING=" + APP_VALUE) && env.contains("TZ=" + GLOBAL_VALUE), env.toString());
    }

    @Test
    @Order(6)
    void aRestartAfterTheUpgradeReplacesTheContainersTheOldPierStarted() throws Exception {
        InstallSystemTest.awaitNoProcessOf("pier");
        List<String> oldContainers = running(APP_B);
        assertEquals(1, oldContainers.size(), oldContainers.toString());
        ok(SystemHost.pier("ps:restart", APP_B));
        assertEquals(new Response(200, "b1"), SystemHost.get(EXTRA_DOMAIN));
        InstallSystemTest.awaitNoProcessOf("pier");
        List<String> now = running(APP_B);
        assertEquals(1, now.size(), "the old pier's container is retired, not left beside the new one: " + now);
        assertNotEquals(oldContainers, now);
    }

    /** The ids of the app's running containers. */
    static List<String> running(String app) {
        try (Docker docker = Docker.connect()) {
            return docker.containers(Map.of(Labels.APP, app)).stream().filter(c -> "running".equals(c.state()))
                    .map(pier.engine.Container::id).toList();
        }
    }

    static void assertNoFailures(List<Response> seen, String body) {
        List<Response> failed = seen.stream().filter(r -> !r.equals(new Response(200, body))).toList();
        assertEquals(List.of(), failed, "requests that did not get " + body + " during the upgrade, out of " + seen.size());
        assertTrue(seen.size() > 10, "the client kept asking through the upgrade: " + seen.size());
    }

    /**
     * pier as it was at {@link #OLD}, built from this repository's history the way its README said. Not offline: its
     * pom pins older versions than today's (Bouncy Castle 1.82), which a fresh host's ~/.m2 does not hold, so Maven
     * fetches them as the build of today's pier fetched its own.
     */
    static Path buildOldPier() throws IOException {
        Path jar = OLD_TREE.resolve("target/pier.jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        Result commit = SystemHost.run("git", "cat-file", "-e", OLD + "^{commit}");
        assertEquals(0, commit.code(), "the test needs the repository's history (a full clone): " + commit.output());
        Files.createDirectories(OLD_TREE);
        Path tar = OLD_TREE.resolveSibling("pier-" + OLD + ".tar");
        ok(SystemHost.run("git", "archive", "--format=tar", "-o", tar.toString(), OLD));
        ok(SystemHost.run("tar", "-xf", tar.toString(), "-C", OLD_TREE.toString()));
        Files.delete(tar);
        // C1 alone: a build this short spends less on compiling itself (10.6 -> 6.4 s offline here).
        Result build = SystemHost.run(OLD_TREE, Map.of("MAVEN_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"), null,
                "mvn", "-B", "-q", "package", "-Dmaven.test.skip=true");
        assertEquals(0, build.code(), "building pier " + OLD + ":\n" + build.output());
        assertTrue(Files.isRegularFile(jar), build.output());
        return jar;
    }

    /** Each release line of {@code releases APP}: its id, commit and whether it is live, which no upgrade may change. */
    static List<String> releases(String app) {
        Result r = ok(SystemHost.pier("releases", app));
        List<String> lines = new ArrayList<>();
        r.output().lines().filter(l -> l.matches("v\\d+\\s.*")).forEach(l -> {
            String[] words = l.strip().split("\\s+");
            lines.add(words[0] + " " + words[3] + (l.strip().endsWith("(live)") ? " live" : ""));
        });
        return lines;
    }

    static String fingerprint(Path key) {
        return ok(SystemHost.run("ssh-keygen", "-l", "-f", key + ".pub")).output().split("\\s+")[1];
    }

    static Path newKey(String name) throws IOException {
        Path key = Files.createTempDirectory("pier-upgrade-key-").resolve("id_ed25519");
        ok(SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@upgrade", "-f", key.toString()));
        return key;
    }

    static String hostOf(String app) {
        return app + "." + DOMAIN;
    }

    static Result ok(Result r) {
        assertEquals(0, r.code(), r.output());
        return r;
    }
}
