package pier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import pier.apps.Release;
import pier.apps.Releases;
import pier.engine.Docker;
import pier.engine.Labels;
import pier.names.AppName;
import pier.state.PierHome;
import pier.state.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Procfile apps on this host: a busybox image (with busybox as /bin/sh, so Procfile commands run as Heroku runs
 * them) whose web process serves /www, including a CGI script that prints the container's DYNO and GREETING, and
 * whose worker prints a line a second. The tests run in order: each starts from what the one before it left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessesSystemTest {
    static final String APP = "pstest";
    static final String HOST = APP + ".pier.test";
    static final String WEB = "web: /bin/busybox httpd -f -p $PORT -h /www";
    static final String WORKER = "worker: trap 'exit 0' TERM; while true; do echo \"tick $DYNO $GREETING\"; /bin/busybox sleep 1; done";
    static final String RELEASE_OK = "release: echo \"migrating for $DYNO\"";
    static final Path SETTINGS = PierHome.DEFAULT.resolve("settings.properties");

    static Path key;
    static Path repo;
    static String settingsBefore;

    @BeforeAll
    static void installAndStartClean() throws IOException {
        key = SystemHost.installWithAdminKey("pier.test");
        SystemHost.pier("apps:destroy", APP, "--force");
        repo = SystemHost.busyboxRepo(key);
        settingsBefore = Files.readString(SETTINGS);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (key == null) {
            return;
        }
        SystemHost.pier("apps:destroy", APP, "--force");
        writeSettings(settingsBefore);
    }

    /** settings.properties as pier itself would write it: pier's file, so pier can change it afterwards. */
    static void writeSettings(String text) throws IOException {
        Files.writeString(SETTINGS, text);
        UserPrincipal pier = SETTINGS.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("pier");
        Files.setOwner(SETTINGS, pier);
    }

    /** Commits an app whose index page says {@code body}, with this Procfile and, when not null, this CHECKS file. */
    static void commit(String body, String checks, String... procfile) throws IOException {
        Files.writeString(repo.resolve("www/index.html"), body + "\n");
        Path cgi = Files.createDirectories(repo.resolve("www/cgi-bin")).resolve("who");
        Files.writeString(cgi, "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"$DYNO $GREETING\"\n");
        Files.setPosixFilePermissions(cgi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\n"
                + "COPY www /www\n");
        Files.writeString(repo.resolve("Procfile"), String.join("\n", procfile) + "\n");
        if (checks == null) {
            Files.deleteIfExists(repo.resolve("CHECKS"));
        } else {
            Files.writeString(repo.resolve("CHECKS"), checks);
        }
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "--allow-empty", "-m", body).code());
    }

    static Result push() {
        return SystemHost.git(repo, key, "push", "pier@localhost:" + APP, "main");
    }

    static String remoteHead() {
        Result r = SystemHost.git(repo, key, "ls-remote", "pier@localhost:" + APP, "refs/heads/main");
        return r.output().isBlank() ? "" : r.output().split("\\s+")[0];
    }

    /** The containers {@code pier ps --format json} reports, as "name role state" strings. */
    static List<String> ps() throws IOException {
        Result r = SystemHost.pier("ps", APP, "--format", "json");
        assertEquals(0, r.code(), r.output());
        List<String> out = new ArrayList<>();
        for (JsonNode c : json(r.output()).get("containers")) {
            out.add(c.get("name").asText() + " " + c.get("role").asText() + " " + c.get("state").asText());
        }
        return out;
    }

    /** The JSON document in a command's output (which may start with a JVM warning on stderr). */
    static JsonNode json(String output) throws IOException {
        List<String> lines = output.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (List.of("{", "[", "{}", "[]").contains(lines.get(i))) {
                return new ObjectMapper().readTree(String.join("\n", lines.subList(i, lines.size())));
            }
        }
        throw new AssertionError("no JSON in: " + output);
    }

    static List<String> live() throws IOException {
        return ps().stream().filter(c -> c.contains(" live ")).sorted().toList();
    }

    /** What Nginx answers on /cgi-bin/who, asked {@code n} times: each web container's "DYNO GREETING". */
    static Set<String> whoAnswers(int n) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Response r = SystemHost.get(HOST, "/cgi-bin/who");
            seen.add(r.status() + " " + r.body());
        }
        return seen;
    }

    static Response awaitBody(String body) throws InterruptedException {
        return SystemHost.awaitBody(HOST, body, 30);
    }

    @Test
    @Order(1)
    void aProcfileAppRunsItsReleaseCommandThenAWebAndAWorker() throws Exception {
        commit("v1", null, WEB, WORKER, RELEASE_OK);
        Result push = push();
        assertEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("Running the release command"), push.output());
        assertTrue(push.output().contains("migrating for release.1"), "the release command's output: " + push.output());
        assertTrue(push.output().contains("worker.1 is up"), push.output());
        assertEquals(new Response(200, "v1"), SystemHost.get(HOST));
        assertEquals(List.of("web.1 live running", "worker.1 live running"), live());
        assertEquals(Set.of("200 web.1"), whoAnswers(3));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Result logs = SystemHost.pier("logs", APP, "-p", "worker", "-n", "3");
        while (!logs.output().contains("app[worker.1]: tick worker.1") && System.nanoTime() < deadline) {
            Thread.sleep(500);
            logs = SystemHost.pier("logs", APP, "-p", "worker", "-n", "3");
        }
        assertEquals(0, logs.code(), logs.output());
        assertTrue(logs.output().contains("app[worker.1]: tick worker.1"), logs.output());
        assertTrue(logs.output().strip().lines().count() <= 3, logs.output());
        assertTrue(logs.output().lines().noneMatch(l -> l.contains("app[web.")), "-p worker shows the worker only: " + logs.output());
    }

    @Test
    @Order(2)
    void scalingWebToTwoServesFromBothContainersAndZeroStopsTheWorker() throws Exception {
        Result scale = SystemHost.pier("ps:scale", APP, "web=2", "worker=0");
        assertEquals(0, scale.code(), scale.output());
        assertEquals(List.of("web.1 live running", "web.2 live running"), live());
        assertEquals(Set.of("200 web.1", "200 web.2"), whoAnswers(20), "Nginx balances over both web containers");
        String vhost = Files.readString(PierHome.DEFAULT.resolve("nginx").resolve(APP + ".conf"));
        // Nginx reaches each container straight at its address on the app's network.
        Matcher servers = Pattern.compile("server (172\\.30\\.\\d+\\.\\d+:\\d+);").matcher(vhost);
        Set<String> direct = new HashSet<>();
        while (servers.find()) {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create("http://" + servers.group(1)
                    + "/cgi-bin/who").toURL().openConnection();
            c.setConnectTimeout(5000);
            c.setReadTimeout(5000);
            try (var in = c.getInputStream()) {
                direct.add(c.getResponseCode() + " " + new String(in.readAllBytes()).strip());
            }
        }
        assertEquals(Set.of("200 web.1", "200 web.2"), direct, "each upstream in the vhost is one web container: " + vhost);
        assertFalse(scale.output().contains("Running the release command"), "same image and config: " + scale.output());
        assertEquals("web=2 worker=0", SystemHost.pier("ps:scale", APP).output().strip());

        Result bad = SystemHost.pier("ps:scale", APP, "clock=1");
        assertEquals(1, bad.code(), bad.output());
        assertTrue(bad.output().contains("has no process type clock"), bad.output());
        assertEquals(2, SystemHost.pier("ps:scale", APP, "web=x").code());
    }

    @Test
    @Order(3)
    void aFailingReleaseCommandRejectsThePushAndTheOldReleaseKeepsServing() throws Exception {
        String before = remoteHead();
        List<String> running = live();
        commit("v2-release-fails", null, WEB, WORKER, "release: echo 'migration failed' && exit 3");
        Result push = push();
        assertNotEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("the release command exited with code 3"), push.output());
        assertTrue(push.output().contains("migration failed"), push.output());
        assertEquals(new Response(200, "v1"), SystemHost.get(HOST));
        assertEquals(before, remoteHead(), "a rejected push must not move the branch");
        assertEquals(running, live());
    }

    @Test
    @Order(4)
    void aFailingCheckRejectsThePushAndTheOldReleaseKeepsServing() throws Exception {
        commit("v3-check-fails", "ATTEMPTS=2\nWAIT=1\nTIMEOUT=2\n/index.html never-there\n", WEB, WORKER, RELEASE_OK);
        Result push = push();
        assertNotEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("the check GET /index.html expecting 'never-there' failed 2 times"), push.output());
        assertEquals(new Response(200, "v1"), SystemHost.get(HOST));
        assertEquals(List.of("web.1 live running", "web.2 live running"), live());
    }

    @Test
    @Order(5)
    void passingChecksDeployAndTheScaleSurvivesTheRedeploy() throws Exception {
        commit("v4", "ATTEMPTS=3\nWAIT=1\n/index.html v4\n/cgi-bin/who web.\n", WEB, WORKER, RELEASE_OK);
        Result push = push();
        assertEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("checks from CHECKS passed"), push.output());
        assertEquals(new Response(200, "v4"), SystemHost.get(HOST));
        Thread.sleep(1000);
        assertEquals(List.of("web.1 live running", "web.2 live running"), live(), "web=2 worker=0 still holds");
    }

    @Test
    @Order(6)
    void releasesListsEveryDeployAndChangeAndRollbackBringsBackContentAndConfig() throws Exception {
        assertEquals(0, SystemHost.pier("config:set", APP, "GREETING=hello").code());
        assertEquals(Set.of("200 web.1 hello", "200 web.2 hello"), whoAnswers(20));
        assertEquals(0, SystemHost.pier("config:set", APP, "GREETING=bye", "--no-restart").code());
        commit("v5", null, WEB, WORKER, RELEASE_OK);
        Result push = push();
        assertEquals(0, push.code(), push.output());
        assertEquals(new Response(200, "v5"), SystemHost.get(HOST));
        assertEquals(Set.of("200 web.1 bye", "200 web.2 bye"), whoAnswers(20));

        Result list = SystemHost.pier("releases", APP);
        assertEquals(0, list.code(), list.output());
        for (String expected : List.of("Deploy ", "Scale web=2 worker=0", "Setting GREETING", "(live)")) {
            assertTrue(list.output().contains(expected), expected + " in " + list.output());
        }
        JsonNode json = json(SystemHost.pier("releases", APP, "--format", "json").output());
        int live = json.get(0).get("id").asInt();
        assertTrue(json.get(0).get("live").asBoolean());
        assertEquals("systest", json.get(0).get("key").asText(), "a push names the key that made it");
        assertEquals("local", json.get(1).get("key").asText(), "a config change on the server: " + json.get(1));
        assertNotEquals(json.get(0).get("config").asText(), json.get(1).get("config").asText(),
                "the deploy runs with the stored config, so its config version differs");

        Result rollback = SystemHost.pier("releases:rollback", APP);
        assertEquals(0, rollback.code(), rollback.output());
        assertTrue(rollback.output().contains("Rolling " + APP + " back to v"), rollback.output());
        assertEquals(new Response(200, "v4"), SystemHost.get(HOST), "the previous release's content");
        assertEquals(Set.of("200 web.1 hello", "200 web.2 hello"), whoAnswers(20), "and its config");
        assertTrue(SystemHost.pier("config:get", APP, "GREETING").output().endsWith("hello\n"), "the app's config is that release's");
        int after = json(SystemHost.pier("releases", APP, "--format", "json").output()).get(0).get("id").asInt();
        assertEquals(live + 1, after, "a rollback is a release too");

        Result again = SystemHost.pier("releases:rollback", APP, "v" + live);
        assertEquals(0, again.code(), again.output());
        assertEquals(new Response(200, "v5"), SystemHost.get(HOST));
        assertEquals(Set.of("200 web.1 bye", "200 web.2 bye"), whoAnswers(20));
        assertEquals(1, SystemHost.pier("releases:rollback", APP, "v999").code());
    }

    @Test
    @Order(7)
    void runPassesStdinAndEnvAndReturnsTheExitCodeLocallyAndOverSsh() throws Exception {
        Result local = SystemHost.pier("run", APP, "/bin/busybox", "sh", "-c", "echo \"$GREETING from $DYNO\"; exit 4");
        assertEquals(4, local.code(), local.output());
        assertTrue(local.output().contains("bye from run.1"), local.output());

        Result ssh = SystemHost.ssh(key, "piped\nlines\n", "run", APP, "/bin/busybox", "wc", "-l");
        assertEquals(0, ssh.code(), ssh.output());
        assertTrue(ssh.output().lines().anyMatch(l -> l.strip().equals("2")), ssh.output());
        Result oneWord = SystemHost.ssh(key, null, "run", APP, "'echo $GREETING; exit 7'");
        assertEquals(7, oneWord.code(), oneWord.output());
        assertTrue(oneWord.output().lines().anyMatch(l -> l.equals("bye")), oneWord.output());

        try (Docker docker = Docker.connect()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!docker.containers(Map.of(Labels.APP, APP, Labels.PROCESS, "run")).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(List.of(), docker.containers(Map.of(Labels.APP, APP, Labels.PROCESS, "run")),
                    "one-off containers are removed afterwards");
        }
    }

    @Test
    @Order(8)
    void enterRunsAShellInAWebContainer() {
        Result enter = SystemHost.ssh(key, "echo \"inside $DYNO\"\n", "enter", APP);
        assertEquals(0, enter.code(), enter.output());
        assertTrue(enter.output().lines().anyMatch(l -> l.equals("inside web.1")), enter.output());
        Result second = SystemHost.pier("enter", APP, "web.2");
        assertEquals(0, second.code(), second.output());
        Result none = SystemHost.pier("enter", APP, "worker");
        assertEquals(1, none.code(), none.output());
    }

    @Test
    @Order(8)
    void enterOverSshWithAPtyGivesAnInteractiveShell() {
        // script(1) gives ssh a terminal of its own, as a person's would be; -tt makes ssh ask for the remote pty.
        String ssh = "ssh -tt -i " + key + " -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
                + " -o LogLevel=ERROR -o BatchMode=yes pier@localhost enter " + APP + " web.2";
        Result tty = SystemHost.run(null, Map.of(), "tty && echo \"typed in $DYNO\"\nexit 3\n", "script", "-qec", ssh, "/dev/null");
        assertEquals(3, tty.code(), tty.output());
        assertTrue(tty.output().contains("/dev/pts/"), "the shell has a terminal: " + tty.output());
        assertTrue(tty.output().contains("typed in web.2"), tty.output());
    }

    @Test
    @Order(9)
    void stopAnswers503UntilStartAndTheAppStaysStoppedAcrossAConfigChange() throws Exception {
        Result stop = SystemHost.pier("ps:stop", APP);
        assertEquals(0, stop.code(), stop.output());
        assertEquals(503, SystemHost.get(HOST).status());
        assertTrue(ps().stream().noneMatch(c -> c.endsWith(" running")), ps().toString());
        Result set = SystemHost.pier("config:set", APP, "GREETING=later");
        assertEquals(0, set.code(), set.output());
        assertTrue(set.output().contains("is stopped"), set.output());
        assertEquals(503, SystemHost.get(HOST).status());

        Result start = SystemHost.pier("ps:start", APP);
        assertEquals(0, start.code(), start.output());
        assertEquals(new Response(200, "v5"), SystemHost.get(HOST));
        assertEquals(Set.of("200 web.1 later", "200 web.2 later"), whoAnswers(20));
        Result again = SystemHost.pier("ps:start", APP);
        assertTrue(again.output().contains("running already"), again.output());
    }

    @Test
    @Order(10)
    void restartAndRebuildKeepServing() throws Exception {
        Result restart = SystemHost.pier("ps:restart", APP);
        assertEquals(0, restart.code(), restart.output());
        assertEquals(new Response(200, "v5"), SystemHost.get(HOST));
        Result rebuild = SystemHost.pier("rebuild", APP);
        assertEquals(0, rebuild.code(), rebuild.output());
        assertTrue(rebuild.output().contains("Building " + APP), rebuild.output());
        assertEquals(new Response(200, "v5"), SystemHost.get(HOST));
    }

    @Test
    @Order(11)
    void withTheRetentionSettingAtTwoTheImagesOfOlderReleasesAreRemoved() throws Exception {
        writeSettings(settingsBefore.stripTrailing() + "\n" + Settings.IMAGES_KEEP + "=2\n");
        commit("v6", null, WEB, WORKER, RELEASE_OK);
        assertEquals(0, push().code());
        commit("v7", null, WEB, WORKER, RELEASE_OK);
        Result push = push();
        assertEquals(0, push.code(), push.output());
        assertEquals(new Response(200, "v7"), SystemHost.get(HOST));

        List<Release> releases = new Releases(new PierHome(PierHome.DEFAULT), AppName.of(APP)).list();
        Set<String> kept = Releases.imagesToKeep(releases, 2);
        assertEquals(2, kept.size(), kept.toString());
        try (Docker docker = Docker.connect()) {
            // busybox httpd as PID 1 ignores SIGTERM, so each retire takes its 10 s grace period.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<String> tags = docker.imageTags(Map.of(Labels.APP, APP));
            // The previous image is in use until its containers are retired in the background; then it goes.
            while (!Set.copyOf(tags).equals(kept) && System.nanoTime() < deadline) {
                Thread.sleep(500);
                tags = docker.imageTags(Map.of(Labels.APP, APP));
            }
            if (!Set.copyOf(tags).equals(kept)) {
                StringBuilder why = new StringBuilder();
                for (String tag : tags) {
                    if (!kept.contains(tag)) {
                        why.append(SystemHost.run("docker", "rmi", tag).output());
                    }
                }
                why.append(SystemHost.run("docker", "ps", "-a").output());
                why.append(String.join("\n", Files.readAllLines(PierHome.DEFAULT.resolve("retire.log"))
                        .stream().skip(Math.max(0, Files.readAllLines(PierHome.DEFAULT.resolve("retire.log")).size() - 10)).toList()));
                assertEquals(kept, Set.copyOf(tags), "pier/" + APP + " images left; " + why);
            }
            assertEquals(List.of(), docker.danglingImages(Map.of(Labels.APP, APP)));
        }
        Release oldest = releases.get(0);
        Result rollback = SystemHost.pier("releases:rollback", APP, oldest.tag());
        assertEquals(1, rollback.code(), rollback.output());
        assertTrue(rollback.output().contains("was removed"), rollback.output());
    }
}
