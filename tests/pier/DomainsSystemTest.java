package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import pier.engine.Nginx;
import pier.names.AppName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Domain commands on this host: a busybox app is pushed once, then given, denied and stripped of names with
 * the installed pier, and every change is checked through real Nginx. The tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DomainsSystemTest {
    static final String APP = "domtest";
    static final String OTHER = "domother";
    static final String GLOBAL = "pier.test";
    static final String DEFAULT = APP + "." + GLOBAL;
    static final String EXTRA = "dom-extra." + GLOBAL;
    static final PierHome HOME = new PierHome(PierHome.DEFAULT);

    static Path key;
    static Path repo;

    @BeforeAll
    static void deployTheApp() throws IOException, InterruptedException {
        key = SystemHost.installWithAdminKey(GLOBAL);
        SystemHost.pier("apps:destroy", APP, "--force");
        SystemHost.pier("apps:destroy", OTHER, "--force");
        repo = SystemHost.busyboxRepo(key);
        Files.writeString(repo.resolve("www/index.html"), APP + "\n");
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n"
                + PushToDeploySystemTest.SERVE + "\n");
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "-m", APP).code());
        Result push = SystemHost.git(repo, key, "push", "pier@localhost:" + APP, "main");
        assertEquals(0, push.code(), push.output());
        assertEquals(new Response(200, APP), SystemHost.awaitBody(DEFAULT, APP, 10));
    }

    @AfterAll
    static void destroyTheApps() {
        SystemHost.pier("apps:destroy", APP, "--force");
        SystemHost.pier("apps:destroy", OTHER, "--force");
    }

    static Result pier(String... args) {
        return SystemHost.pier(args);
    }

    static List<String> containerIds() {
        try (Docker docker = Docker.connect()) {
            return docker.containers(Map.of(Labels.APP, APP)).stream().map(c -> c.id()).sorted().toList();
        }
    }

    static String vhost() throws IOException {
        return Files.readString(HOME.vhost(AppName.of(APP)));
    }

    static String errorLine(Result r) {
        return r.output().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse("(no error line) " + r.output());
    }

    @Test
    @Order(1)
    void anAddedNameAnswersAtOnceAndNothingRestarts() throws Exception {
        assertEquals(404, SystemHost.get(EXTRA).status(), "a name not given yet must not reach the app");
        List<String> before = containerIds();
        Result add = pier("domains:add", APP, EXTRA);
        assertEquals(0, add.code(), add.output());
        assertTrue(add.output().contains("-----> Added " + EXTRA + " to " + APP), add.output());
        assertTrue(add.output().contains("Nginx reloaded"), add.output());
        assertEquals(new Response(200, APP), SystemHost.get(EXTRA));
        assertEquals(new Response(200, APP), SystemHost.get(DEFAULT));
        assertEquals(before, containerIds(), "a domain change restarts nothing");
        assertEquals(0, SystemHost.run(Nginx.BINARY, "-t", "-q").code(), "nginx -t passes after the change");
    }

    @Test
    @Order(2)
    void aRemovedNameGets404WhileTheDefaultStillAnswers() {
        Result remove = pier("domains:remove", APP, EXTRA);
        assertEquals(0, remove.code(), remove.output());
        assertTrue(remove.output().contains("-----> Removed " + EXTRA + " from " + APP), remove.output());
        assertEquals(404, SystemHost.get(EXTRA).status());
        assertEquals(new Response(200, APP), SystemHost.get(DEFAULT));
    }

    @Test
    @Order(3)
    void anAppThatIsNotDeployedJustStoresItsNames() {
        Result create = pier("apps:create", OTHER);
        assertEquals(0, create.code(), create.output());
        Result add = pier("domains:add", OTHER, "www." + OTHER + "." + GLOBAL);
        assertEquals(0, add.code(), add.output());
        assertTrue(add.output().contains("not deployed yet"), add.output());
        assertFalse(Files.exists(HOME.vhost(AppName.of(OTHER))), "an undeployed app gets no site");
    }

    @Test
    @Order(4)
    void aNameAnotherAppHasIsRefusedAndNamesTheOwner() throws IOException {
        String site = vhost();
        Result taken = pier("domains:add", APP, "www." + OTHER + "." + GLOBAL);
        assertEquals(1, taken.code(), taken.output());
        assertTrue(errorLine(taken).contains("is already a domain of " + OTHER), taken.output());

        Result theirDefault = pier("domains:add", APP, OTHER + "." + GLOBAL);
        assertEquals(1, theirDefault.code(), theirDefault.output());
        assertTrue(errorLine(theirDefault).contains("default name of the app " + OTHER), theirDefault.output());

        assertEquals(site, vhost(), "a refused change leaves the site as it was");
        assertEquals(404, SystemHost.get("www." + OTHER + "." + GLOBAL).status());
    }

    @Test
    @Order(5)
    void aWildcardAnswersForEveryNameUnderIt() {
        Result add = pier("domains:add", APP, "*.wild." + GLOBAL);
        assertEquals(0, add.code(), add.output());
        assertEquals(new Response(200, APP), SystemHost.get("x.wild." + GLOBAL));
        assertEquals(new Response(200, APP), SystemHost.get("another.wild." + GLOBAL));
        assertEquals(404, SystemHost.get("wild." + GLOBAL).status(), "*.wild covers names under it, not wild itself");
    }

    @Test
    @Order(6)
    void anInternationalNameIsStoredAndServedAsPunycode() {
        Result add = pier("domains:add", APP, "bücher." + GLOBAL);
        assertEquals(0, add.code(), add.output());
        assertTrue(add.output().contains("Added xn--bcher-kva." + GLOBAL), add.output());
        Result show = pier("domains", APP);
        assertEquals(0, show.code(), show.output());
        assertTrue(show.output().lines().anyMatch(("xn--bcher-kva." + GLOBAL)::equals), show.output());
        assertEquals(new Response(200, APP), SystemHost.get("xn--bcher-kva." + GLOBAL));
    }

    @Test
    @Order(7)
    void domainsAsJsonListsTheDefaultAndTheAppsOwn() {
        Result json = pier("domains", APP, "--format", "json");
        assertEquals(0, json.code(), json.output());
        String expected = """
                {
                  "app": "domtest",
                  "default": "domtest.pier.test",
                  "domains": [
                    "*.wild.pier.test",
                    "xn--bcher-kva.pier.test"
                  ]
                }""";
        assertEquals(expected, json.output().strip());
    }

    @Test
    @Order(8)
    void badNamesAreRefusedWithExitTwoAndChangeNothing() throws IOException {
        String site = vhost();
        Result dash = pier("domains:add", APP, "-x.pier.test");
        assertEquals(2, dash.code(), "picocli takes it for an option: " + dash.output());
        for (String bad : List.of("a.*.com", "*", "*example.com", "exa_mple.com", "-x.pier.test")) {
            Result r = pier("domains:add", APP, "--", bad);
            assertEquals(2, r.code(), bad + ": " + r.output());
            assertTrue(errorLine(r).startsWith("error: invalid domain"), r.output());
            assertTrue(errorLine(r).contains("such as example.com"), "the error says what is allowed: " + r.output());
        }
        Result global = pier("domains:set-global", "*.pier.test");
        assertEquals(2, global.code(), global.output());
        assertEquals(site, vhost());
    }

    @Test
    @Order(9)
    void aNameNginxRejectsIsRefusedAndTheOldSiteAndListStay() throws IOException {
        // Longer than server_names_hash_bucket_size (128): nginx -t fails, so pier puts the old site back.
        String huge = String.join(".", "a".repeat(60), "b".repeat(60), "c".repeat(60)) + "." + GLOBAL;
        String site = vhost();
        String list = Files.readString(HOME.domains(AppName.of(APP)));
        Result r = pier("domains:add", APP, huge);
        assertEquals(1, r.code(), r.output());
        assertTrue(errorLine(r).contains("nginx rejected"), r.output());
        assertEquals(site, vhost());
        assertEquals(list, Files.readString(HOME.domains(AppName.of(APP))));
        assertEquals(0, SystemHost.run(Nginx.BINARY, "-t", "-q").code());
        assertEquals(new Response(200, APP), SystemHost.get(DEFAULT));
    }

    @Test
    @Order(10)
    void setReplacesAndClearLeavesTheDefaultOnly() {
        Result set = pier("domains:set", APP, EXTRA);
        assertEquals(0, set.code(), set.output());
        assertEquals(new Response(200, APP), SystemHost.get(EXTRA));
        assertEquals(404, SystemHost.get("x.wild." + GLOBAL).status());

        Result clear = pier("domains:clear", APP);
        assertEquals(0, clear.code(), clear.output());
        assertEquals(404, SystemHost.get(EXTRA).status());
        assertEquals(new Response(200, APP), SystemHost.get(DEFAULT));
    }
}
