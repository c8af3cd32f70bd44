package pier;

import com.github.dockerjava.api.DockerClient;

import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
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
import pier.engine.Launcher;
import pier.engine.Templates;
import pier.install.HostSteps;
import pier.install.Installer;
import pier.install.Payload;
import pier.names.AppName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The installer as a product on this host: idempotent, a dry run that touches nothing, an upgrade over an older
 * install while an app keeps answering, an uninstall that keeps the apps and their data (and an install that
 * serves them again), and a purge followed by a fresh install. The tests run in order: each starts from what
 * the one before it left; the class leaves pier installed with the systest key, as other classes expect.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstallSystemTest {
    static final String APP = "installtest";
    static final String VOLUME = "installtest-data";
    static final String DOMAIN = "pier.test";
    static final String HOST = APP + "." + DOMAIN;
    static final Path INSTALLED_JAR = Launcher.LIB.resolve("pier.jar");
    /** What the installer writes outside /var/lib/pier, and what an uninstall must remove. */
    static final List<Path> PROGRAMS_AND_CONFIG = List.of(Launcher.PATH, Launcher.DIR, Installer.SUDOERS,
            Installer.NGINX_INCLUDE, Installer.SSHD_DROP_IN);

    static Path key;
    static Path repo;

    @BeforeAll
    static void installPierAndStartClean() throws IOException {
        key = SystemHost.installWithAdminKey(DOMAIN);
        cleanUp();
        repo = SystemHost.busyboxRepo(key);
    }

    @AfterAll
    static void leavePierInstalled() throws IOException {
        if (key == null) {
            return;
        }
        SystemHost.installWithAdminKey(DOMAIN);
        cleanUp();
    }

    static void cleanUp() {
        SystemHost.pier("apps:destroy", APP, "--force");
        SystemHost.pier("volume:destroy", VOLUME, "--force");
    }

    static Result installer(String... args) {
        List<String> command = new ArrayList<>(List.of("java", "-jar", SystemHost.JAR.toString(), "install"));
        command.addAll(List.of(args));
        return SystemHost.run(command.toArray(String[]::new));
    }

    static Result commitAndPush(String body) throws IOException {
        return SystemHost.pushBusybox(repo, key, APP, body);
    }

    /** The run succeeded, said {@code summary} and printed no step line starting with {@code action}. */
    static void assertDidNothing(Result run, String summary, String action) {
        assertEquals(0, run.code(), run.output());
        assertTrue(run.output().contains(summary), run.output());
        assertTrue(run.output().lines().noneMatch(l -> l.strip().startsWith(action + " ")), run.output());
    }

    @Test
    @Order(1)
    void anAppWithDataInAVolumeIsServed() throws Exception {
        assertEquals(0, SystemHost.pier("apps:create", APP).code());
        Result create = SystemHost.pier("volume:create", VOLUME, "/www/data");
        assertEquals(0, create.code(), create.output());
        assertEquals(0, SystemHost.pier("volume:link", APP, VOLUME).code());
        Result push = commitAndPush("v1");
        assertEquals(0, push.code(), push.output());

        VolumesSystemTest.execInLiveContainer(APP, "echo kept > /www/data/note.txt");
        assertEquals(new Response(200, "v1"), SystemHost.get(HOST));
        assertEquals(new Response(200, "kept"), SystemHost.get(HOST, "/data/note.txt"));
    }

    @Test
    @Order(2)
    void aSecondInstallReportsNothingToChange() {
        assertDidNothing(installer(), "Nothing to change", "change");
    }

    @Test
    @Order(3)
    void dryRunsOfAnUpgradeAnUninstallAndAPurgeReportButChangeNoFile() throws Exception {
        makeTheInstallOlder();
        Map<String, String> before = hashes();

        Result upgrade = installer("--dry-run");
        Result uninstall = installer("--uninstall", "--dry-run");
        Result purge = installer("--uninstall", "--purge", "--dry-run");

        assertEquals(0, upgrade.code(), upgrade.output());
        assertTrue(upgrade.output().contains("would    pier's "), upgrade.output());
        assertTrue(upgrade.output().contains("would    file " + Installer.NGINX_INCLUDE + " (root, rw-r--r--): content differs"),
                upgrade.output());
        assertTrue(upgrade.output().contains("4 change(s) would be made"), "jars, archive, launcher, include: " + upgrade.output());
        assertEquals(0, uninstall.code(), uninstall.output());
        assertTrue(uninstall.output().contains("would    remove file " + Launcher.PATH), uninstall.output());
        assertTrue(uninstall.output().contains("keep     directory " + PierHome.DEFAULT), uninstall.output());
        assertEquals(0, purge.code(), purge.output());
        assertTrue(purge.output().contains("would    remove directory " + PierHome.DEFAULT), purge.output());
        assertTrue(purge.output().contains("would    remove system user pier"), purge.output());
        assertEquals(before, hashes(), "a dry run must not change a file");
        assertTrue(userExists("pier"));
        assertEquals(new Response(200, "v1"), SystemHost.get(HOST));
    }

    @Test
    @Order(4)
    void upgradingAnOlderInstallReplacesWhatDiffersWhileTheAppAnswersEveryRequest() throws Exception {
        assertNotEquals(Payload.sha256(SystemHost.JAR), Payload.sha256(INSTALLED_JAR), "the previous test made the install older");
        SystemHost.Load load = SystemHost.Load.on(HOST);
        Thread.sleep(300);
        long start = System.nanoTime();
        Result upgrade = installer();
        long millis = (System.nanoTime() - start) / 1_000_000;
        List<Response> seen = load.stopAfter(300);

        assertEquals(0, upgrade.code(), upgrade.output());
        String out = upgrade.output();
        assertTrue(out.contains("change   pier's ") && out.contains(": copy pier.jar"), out);
        assertTrue(out.contains("change   class-data archive " + Launcher.ARCHIVE), out);
        assertTrue(out.contains("change   file " + Launcher.PATH + " (root, rwxr-xr-x): content differs"), out);
        assertTrue(out.contains("change   file " + Installer.NGINX_INCLUDE + " (root, rw-r--r--): content differs"), out);
        assertEquals(Payload.sha256(SystemHost.JAR), Payload.sha256(INSTALLED_JAR));
        List<Response> failed = seen.stream().filter(r -> !r.equals(new Response(200, "v1"))).toList();
        assertEquals(List.of(), failed, "requests that did not get v1 during the upgrade, out of " + seen.size());
        assertTrue(seen.size() > 10, "the client kept asking through the upgrade: " + seen.size());
        System.out.println("upgrade under load: " + millis + " ms, " + seen.size() + " requests, all 200");

        Result push = commitAndPush("v2");
        assertEquals(0, push.code(), push.output());
        assertEquals(new Response(200, "v2"), SystemHost.get(HOST));
        assertTrue(installer().output().contains("Nothing to change"), "the upgrade left nothing to do");
    }

    @Test
    @Order(5)
    void uninstallRemovesPiersProgramsAndConfigAndKeepsTheAppRunningWithItsData() throws Exception {
        awaitNoProcessOf(Launcher.USER);
        String container = liveContainer();
        long start = System.nanoTime();
        // Through the installed launcher: the uninstall deletes the very jars it runs from.
        Result uninstall = SystemHost.pier("install", "--uninstall");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(0, uninstall.code(), uninstall.output());
        String out = uninstall.output();
        for (Path gone : PROGRAMS_AND_CONFIG) {
            assertFalse(Files.exists(gone, LinkOption.NOFOLLOW_LINKS), gone + " must be gone:\n" + out);
        }
        assertTrue(out.contains("remove   file " + Installer.NGINX_INCLUDE), out);
        assertTrue(out.contains("keep     directory " + PierHome.DEFAULT), out);
        assertTrue(out.contains("keep     system user pier"), out);
        assertTrue(out.contains("--uninstall --purge"), out);
        assertTrue(Files.isDirectory(PierHome.DEFAULT.resolve("apps").resolve(APP)));
        assertTrue(Files.isRegularFile(new PierHome(PierHome.DEFAULT).vhost(AppName.of(APP))));
        assertTrue(userExists("pier"));
        assertEquals(container, liveContainer(), "the app's container runs on");
        assertEquals("kept\n", VolumesSystemTest.execInLiveContainer(APP, "cat /www/data/note.txt"));
        assertNotEquals(200, SystemHost.get(HOST).status(), "Nginx no longer serves pier's vhosts");
        assertTrue(HostSteps.nginxRunning(), "Nginx itself keeps running");
        System.out.println("uninstall: " + millis + " ms");
    }

    @Test
    @Order(6)
    void aSecondUninstallReportsNothingToRemove() {
        assertDidNothing(installer("--uninstall"), "Nothing to remove", "remove");
    }

    @Test
    @Order(7)
    void purgeWithoutUninstallIsABadUsageThatChangesNothing() throws Exception {
        Map<String, String> before = hashes();
        Result purge = installer("--purge");
        assertEquals(2, purge.code(), purge.output());
        assertTrue(purge.output().startsWith("error: "), purge.output());
        assertEquals(1, purge.output().strip().lines().count(), purge.output());
        assertEquals(before, hashes());
        assertTrue(Files.isDirectory(PierHome.DEFAULT.resolve("apps").resolve(APP)));
    }

    @Test
    @Order(8)
    void installingAgainServesTheAppAgainWithItsData() throws Exception {
        long start = System.nanoTime();
        Result install = installer();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, install.code(), install.output());

        assertEquals(new Response(200, "v2"), SystemHost.awaitBody(HOST, "v2", 10));
        assertEquals(new Response(200, "kept"), SystemHost.get(HOST, "/data/note.txt"));
        Result push = commitAndPush("v3");
        assertEquals(0, push.code(), "the admin key still works: " + push.output());
        assertEquals(new Response(200, "v3"), SystemHost.get(HOST));
        System.out.println("install over an uninstalled host: " + millis + " ms");
    }

    @Test
    @Order(9)
    void purgeRemovesTheAppsTheirDataAndThePierUserAndAFreshInstallDeploysAgain() throws Exception {
        awaitNoProcessOf(Launcher.USER);
        long start = System.nanoTime();
        Result purge = SystemHost.pier("install", "--uninstall", "--purge");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(0, purge.code(), purge.output());
        for (Path gone : List.of(PierHome.DEFAULT, PierHome.ACME_CHALLENGES, Templates.OVERRIDES.getParent(), Launcher.PATH,
                Launcher.DIR, Installer.NGINX_INCLUDE)) {
            assertFalse(Files.exists(gone), gone + " must be gone:\n" + purge.output());
        }
        assertFalse(userExists("pier"), purge.output());
        assertNotEquals(0, SystemHost.run("getent", "group", "pier").code(), "the pier group goes with the user");
        DockerClient docker = DockerProbe.client();
        assertEquals(List.of(), docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(Labels.APP)).exec().stream().map(Container::getNames).toList());
        assertEquals(List.of(), docker.listImagesCmd().withLabelFilter(Labels.APP).exec());
        assertEquals(List.of(), VolumesSystemTest.dockerVolumes());
        System.out.println("purge: " + millis + " ms");

        key = SystemHost.installWithAdminKey(DOMAIN);
        repo = SystemHost.busyboxRepo(key);
        Result push = commitAndPush("fresh");
        assertEquals(0, push.code(), push.output());
        assertEquals(new Response(200, "fresh"), SystemHost.get(HOST));
    }

    /**
     * Makes the installed pier look like an older one: pier.jar with other bytes (still a valid jar), and an Nginx
     * include and a launcher that differ from what this version renders.
     */
    static void makeTheInstallOlder() throws IOException {
        Path older = Files.createTempFile("pier-older-", ".jar");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(SystemHost.JAR));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(older))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(out);
            }
            out.putNextEntry(new ZipEntry("pier-older-build.txt"));
            out.write("an older build\n".getBytes(StandardCharsets.UTF_8));
        }
        Files.copy(older, INSTALLED_JAR, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(older);
        Files.writeString(Installer.NGINX_INCLUDE, "# from an older pier\n", StandardOpenOption.APPEND);
        Files.writeString(Launcher.PATH, "# from an older pier\n", StandardOpenOption.APPEND);
    }

    /** Content, owner and mode of every file the installer manages, by path; absent ones are absent from the map. */
    static Map<String, String> hashes() throws IOException {
        Map<String, String> all = new TreeMap<>();
        List<Path> roots = new ArrayList<>(PROGRAMS_AND_CONFIG);
        roots.addAll(List.of(new PierHome(PierHome.DEFAULT).authorizedKeys(), Templates.OVERRIDES.getParent()));
        for (Path root : roots) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.toList()) {
                    PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    String kind = a.isRegularFile() ? Payload.sha256(p) : "dir";
                    all.put(p.toString(), kind + " " + a.owner().getName() + " " + PosixFilePermissions.toString(a.permissions()));
                }
            }
        }
        return all;
    }

    static boolean userExists(String user) {
        return SystemHost.run("getent", "passwd", user).code() == 0;
    }

    /** The id of the app's one running web container. */
    static String liveContainer() {
        try (Docker docker = Docker.connect()) {
            List<pier.engine.Container> web = docker.containers(Map.of(Labels.APP, APP, Labels.PROCESS, "web")).stream()
                    .filter(c -> "running".equals(c.state())).toList();
            assertEquals(1, web.size(), web.toString());
            return web.get(0).id();
        }
    }

    /**
     * Waits until no process of {@code user} runs: after a push the old release is retired in the background, so
     * until then the app has two containers, and a purge cannot remove the user.
     */
    static void awaitNoProcessOf(String user) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ProcessHandle.allProcesses().anyMatch(p -> p.info().user().orElse("").equals(user))) {
            assertTrue(System.nanoTime() < deadline, "a process of " + user + " still runs after 60 s");
            Thread.sleep(200);
        }
    }
}
