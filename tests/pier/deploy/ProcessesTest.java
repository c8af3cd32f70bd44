package pier.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pier.apps.Checks;
import pier.apps.Procfile;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Scale;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.EnvKey;
import pier.names.ProcessType;
import pier.state.AtomicFile;
import pier.state.ConfigSnapshot;
import pier.state.Env;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a release records about processes, read without Docker: Procfile parsing and how its commands run, scale
 * words and files, CHECKS and app.json parsing, the release file and its config snapshot read back exactly, which
 * images a cleanup keeps and which release a rollback goes to by default.
 */
class ProcessesTest {
    @TempDir
    Path tmp;

    static PierException failed(org.junit.jupiter.api.function.Executable e) {
        PierException thrown = assertThrows(PierException.class, e);
        assertFalse(thrown.getMessage().contains("\n"), thrown.getMessage());
        return thrown;
    }

    // ---- Procfile ----

    @Test
    void procfileTypesAndCommandsSkipCommentsAndBlankLines() {
        Procfile p = Procfile.parse("# processes\n\nweb: bin/server --port $PORT\r\nworker:bin/worker  -q  \n"
                + "release: bin/migrate\n  clock :  bin/clock\n");
        assertEquals("bin/server --port $PORT", p.command(ProcessType.WEB).orElseThrow());
        assertEquals("bin/worker  -q", p.command(ProcessType.of("worker")).orElseThrow());
        assertEquals("bin/clock", p.command(ProcessType.of("clock")).orElseThrow());
        assertEquals(List.of(ProcessType.WEB, ProcessType.of("clock"), ProcessType.of("worker")), p.running(),
                "web first, then the workers by name; release never runs as a container");
    }

    @Test
    void aProcfileWithoutWebRunsNoWebButWithoutAProcfileWebRunsTheImagesCommand() {
        Procfile p = Procfile.parse("worker: bin/worker\n");
        assertEquals(Optional.empty(), p.command(ProcessType.WEB));
        assertEquals(List.of(ProcessType.of("worker")), p.running(), "as on Dokku: a worker-only app");
        assertEquals(List.of(ProcessType.WEB), Procfile.none().running());
        assertEquals(List.of(ProcessType.WEB), Procfile.parse("release: bin/migrate\n").running(),
                "a release command alone leaves web to the image's command");
    }

    @ParameterizedTest
    @ValueSource(strings = {"web bin/server", "web:", "web:   ", "we b: x", "1web: x", "web;rm: x", "$(id): x",
            "web: a\nweb: b", ": x", "a-very-long-process-type-name-xx: x"})
    void aMalformedProcfileIsRefusedWithItsLineNumber(String text) {
        PierException e = failed(() -> Procfile.parse(text));
        assertTrue(e.getMessage().startsWith("Procfile line "), e.getMessage());
        assertEquals(PierException.FAILED, e.exitCode(), "a bad Procfile fails the deploy, it is not a bad command line");
    }

    @Test
    void commandsRunWithShellWhenTheImageHasOne() {
        assertEquals(List.of("/bin/sh", "-c", "bin/web -p $PORT && echo hi"),
                Procfile.argv("bin/web -p $PORT && echo hi", true, Map.of("PORT", "5000")));
    }

    @Test
    void withoutAShellCommandsAreSplitAndVariablesReplaced() {
        assertEquals(List.of("/bin/busybox", "httpd", "-f", "-p", "5000", "-h", "/www"),
                Procfile.argv("/bin/busybox httpd -f -p $PORT -h /www", false, Map.of("PORT", "5000")));
        assertEquals(List.of("/app", "--name=blog db", "x-5000-", "$"),
                Procfile.argv("/app '--name=${APP} db' x-${PORT}-$MISSING $", false, Map.of("PORT", "5000", "APP", "blog")));
        failed(() -> Procfile.argv("/app 'unterminated", false, Map.of()));
    }

    // ---- scale ----

    @Test
    void scaleWordsSetCountsAndAnUnsetTypeRunsOne() {
        Scale scale = Scale.parse(List.of("web=2", "worker=0"));
        assertEquals(2, scale.count(ProcessType.WEB));
        assertEquals(0, scale.count(ProcessType.of("worker")));
        assertEquals(1, scale.count(ProcessType.of("clock")));
        assertEquals(0, scale.count(ProcessType.RELEASE));
        Procfile p = Procfile.parse("web: a\nworker: b\nclock: c\nrelease: d\n");
        assertEquals("web=2 clock=1 worker=0", Scale.describe(scale.formation(p)));
        assertEquals("web=3 worker=0", Scale.describe(scale.with(Scale.parse(List.of("web=3"))).counts()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"web", "web=", "web=-1", "web=51", "web=1.5", "web=two", "=1", "release=1", "a b=1",
            "web=1000", "web=0x1"})
    void badScaleWordsAreUsageErrors(String word) {
        PierException e = failed(() -> Scale.parse(List.of(word)));
        assertEquals(PierException.USAGE, e.exitCode(), e.getMessage());
    }

    @Test
    void aTypeGivenTwiceOrNoWordsAreUsageErrors() {
        assertEquals(PierException.USAGE, failed(() -> Scale.parse(List.of("web=1", "web=2"))).exitCode());
        assertEquals(PierException.USAGE, failed(() -> Scale.parse(List.of())).exitCode());
    }

    @Test
    void theScaleFileRoundTrips() {
        PierHome home = new PierHome(tmp);
        AppName app = AppName.of("blog");
        assertEquals(Scale.none(), Scale.read(home, app));
        Scale scale = Scale.parse(List.of("web=2", "worker=0"));
        scale.write(home, app);
        assertEquals(scale, Scale.read(home, app));
    }

    // ---- CHECKS and app.json ----

    @Test
    void checksFileSettingsApplyToEveryCheckWhereverTheyStand() {
        Checks checks = Checks.parseChecksFile("""
                # checks
                /health ok
                WAIT=2
                //blog.example.com/about Our  Team
                http://other/ x
                TIMEOUT=7
                ATTEMPTS=4
                """);
        assertEquals("CHECKS", checks.source());
        assertEquals(3, checks.list().size());
        Checks.Check first = checks.list().get(0);
        assertEquals("/health", first.path());
        assertEquals("", first.host());
        assertEquals("ok", first.content());
        assertEquals(4, first.attempts());
        assertEquals(Duration.ofSeconds(7), first.timeout());
        assertEquals(Duration.ofSeconds(2), first.interval());
        assertEquals("blog.example.com", checks.list().get(1).host());
        assertEquals("/about", checks.list().get(1).path());
        assertEquals("Our  Team", checks.list().get(1).content());
        assertEquals("other", checks.list().get(2).host());
        assertEquals("/", checks.list().get(2).path());
    }

    @Test
    void checksFileDefaultsAreDokkus() {
        Checks.Check c = Checks.parseChecksFile("/\n").list().get(0);
        assertEquals(5, c.attempts());
        assertEquals(Duration.ofSeconds(30), c.timeout());
        assertEquals(Duration.ofSeconds(5), c.interval());
        assertTrue(Checks.parseChecksFile("# nothing\nWAIT=1\n").isDefault(), "settings alone keep the default check");
    }

    @ParameterizedTest
    @ValueSource(strings = {"health ok", "https://x/ ok", "WAIT=x", "ATTEMPTS=0", "TIMEOUT=99999", "RETRIES=3",
            "/a\u0001b", "//a_b/x", "//a;b/x"})
    void aMalformedChecksFileIsRefusedWithItsLineNumber(String line) {
        PierException e = failed(() -> Checks.parseChecksFile("/ok\n" + line + "\n"));
        assertTrue(e.getMessage().startsWith("CHECKS line 2: "), e.getMessage());
    }

    @Test
    void appJsonWebChecksWithDokkusDefaults() {
        List<String> notes = new ArrayList<>();
        Checks checks = Checks.parseAppJson("""
                {"healthchecks": {
                   "web": [
                     {"type": "startup", "name": "ready", "path": "/ready", "content": "ok", "attempts": 2, "wait": 1},
                     {"command": ["/bin/check", "--quick"], "timeout": 9},
                     {"uptime": 3},
                     {"type": "liveness", "path": "/live"}
                   ],
                   "worker": [{"uptime": 5}]
                }}""", notes::add).orElseThrow();
        assertEquals("app.json", checks.source());
        assertEquals(3, checks.list().size());
        Checks.Check ready = checks.list().get(0);
        assertEquals(Checks.Kind.http, ready.kind());
        assertEquals("/ready", ready.path());
        assertEquals("ok", ready.content());
        assertEquals(2, ready.attempts());
        assertEquals(Duration.ofSeconds(5), ready.timeout());
        assertEquals(Duration.ofSeconds(1), ready.interval());
        assertEquals(List.of("/bin/check", "--quick"), checks.list().get(1).command());
        assertEquals(3, checks.list().get(1).attempts());
        assertEquals(Duration.ofSeconds(9), checks.list().get(1).timeout());
        assertEquals(3, checks.list().get(2).uptime());
        assertEquals(2, notes.size(), "a skipped liveness check and worker checks are reported: " + notes);
    }

    @Test
    void appJsonWithoutWebChecksDeclaresNone() {
        assertEquals(Optional.empty(), Checks.parseAppJson("{\"name\": \"blog\"}", n -> { }));
        assertEquals(Optional.empty(), Checks.parseAppJson("{\"healthchecks\": {\"worker\": []}}", n -> { }));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"healthchecks\": []}", "{\"healthchecks\": {\"web\": {}}}",
            "{\"healthchecks\": {\"web\": [{\"attempts\": \"3\"}]}}", "{\"healthchecks\": {\"web\": [{\"attempts\": 0}]}}",
            "{\"healthchecks\": {\"web\": [{\"command\": \"ls\"}]}}", "{\"healthchecks\": {\"web\": [{\"path\": \"x\"}]}}",
            "{\"healthchecks\": {\"web\": [{\"scheme\": \"https\"}]}}", "{\"healthchecks\": {\"web\": [3]}}"})
    void malformedAppJsonChecksAreRefused(String json) {
        PierException e = failed(() -> Checks.parseAppJson(json, n -> { }));
        assertTrue(e.getMessage().startsWith("app.json"), e.getMessage());
    }

    @Test
    void appJsonWinsOverChecksAndNeitherMeansTheDefault() {
        List<String> notes = new ArrayList<>();
        Checks both = Checks.declared(Optional.of("/from-checks\n"),
                Optional.of("{\"healthchecks\": {\"web\": [{\"path\": \"/from-json\"}]}}"), notes::add);
        assertEquals("/from-json", both.list().get(0).path());
        assertEquals(1, notes.size(), notes.toString());
        assertEquals("/from-checks", Checks.declared(Optional.of("/from-checks\n"), Optional.of("{}"), n -> { })
                .list().get(0).path());
        assertTrue(Checks.declared(Optional.empty(), Optional.empty(), n -> { }).isDefault());
    }

    @Test
    void aCheckReadsTheBodyAfterEitherKindOfBlankLine() {
        assertEquals("web.1\n", HealthCheck.body("HTTP/1.1 200 OK\r\nContent-Type: text/plain\n\nweb.1\n"),
                "a CGI script ends its headers with a bare newline");
        assertEquals("ok\n\nmore", HealthCheck.body("HTTP/1.0 200 OK\r\nA: b\r\n\r\nok\n\nmore"));
        assertEquals("", HealthCheck.body("HTTP/1.0 200 OK\r\n"));
    }

    // ---- release files ----

    static Release release(int id, String image, String config, String description) {
        Checks checks = Checks.parseAppJson("{\"healthchecks\": {\"web\": [{\"path\": \"/ready\", \"content\": \"a = b: c\"},"
                + " {\"command\": [\"/bin/check\", \"two words\"]}, {\"uptime\": 2}]}}", n -> { }).orElseThrow();
        return new Release(id, "3dbf1b3c0ffee0000000000000000000000000000", image, 5000,
                Instant.parse("2026-01-02T03:04:05.678Z"), "alice", description, config,
                Procfile.parse("web: bin/web -p $PORT\nworker: sh -c 'a && b # not a comment'\nrelease: bin/migrate\n"),
                true, checks, new TreeMap<>(Map.of(ProcessType.WEB, 2, ProcessType.of("worker"), 0)));
    }

    @Test
    void aReleaseFileReadsBackExactly() {
        PierHome home = new PierHome(tmp);
        AppName app = AppName.of("blog");
        Releases releases = new Releases(home, app);
        Release written = release(3, "pier/blog:v3", "ab".repeat(32), "Setting GREETING");
        ConfigSnapshot config = new ConfigSnapshot(
                new Env(new TreeMap<>(Map.of(EnvKey.of("TZ"), "UTC", EnvKey.of("SHARED"), "global"))),
                new Env(new TreeMap<>(Map.of(EnvKey.of("SHARED"), "own", EnvKey.of("MULTI"), "a\nb = c\t$X"))));
        releases.record(written, config);
        assertEquals(written, releases.current().orElseThrow());
        assertEquals(config, releases.config(written).orElseThrow());
        assertEquals("own", config.merged().get(EnvKey.of("SHARED")).orElseThrow());
    }

    @Test
    void theConfigSnapshotIsReadableByItsOwnerOnly() throws Exception {
        PierHome home = new PierHome(tmp);
        AppName app = AppName.of("blog");
        new Releases(home, app).record(release(1, "pier/blog:v1", "", "Deploy"), new ConfigSnapshot(Env.empty(), Env.empty()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.releases(app).resolve("v1.env"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.releases(app).resolve("v1.properties"))));
    }

    @Test
    void aReleaseRecordedBeforeProcessesReadsAsOneWebContainerOfTheImage() {
        PierHome home = new PierHome(tmp);
        AppName app = AppName.of("blog");
        AtomicFile.write(home.releases(app).resolve("v1.properties"), "id=1\ncommit=abc\nimage=pier/blog:v1\nport=5000\n"
                + "time=2026-01-01T00:00:00Z\nkey=alice\n", "rw-r--r--");
        Release old = new Releases(home, app).current().orElseThrow();
        assertEquals(1, old.count(ProcessType.WEB));
        assertTrue(old.procfile().isEmpty());
        assertTrue(old.checks().isDefault());
        assertEquals("unknown", old.configShort());
        assertEquals(Optional.empty(), new Releases(home, app).config(old));
    }

    @Test
    void theConfigVersionChangesWithAnyValueAndOnlyThen() {
        ConfigSnapshot a = new ConfigSnapshot(Env.empty(), new Env(new TreeMap<>(Map.of(EnvKey.of("A"), "1"))));
        ConfigSnapshot same = new ConfigSnapshot(new Env(new TreeMap<>(Map.of(EnvKey.of("A"), "1"))), Env.empty());
        ConfigSnapshot other = new ConfigSnapshot(Env.empty(), new Env(new TreeMap<>(Map.of(EnvKey.of("A"), "2"))));
        assertEquals(a.version(), same.version(), "the version is of what the containers get");
        assertFalse(a.version().equals(other.version()));
        assertEquals(64, a.version().length());
    }

    // ---- image retention and the default rollback ----

    @Test
    void retentionKeepsTheNewestDifferentImagesNotTheNewestReleases() {
        List<Release> releases = List.of(release(1, "pier/blog:v1", "c1", "Deploy"), release(2, "pier/blog:v2", "c1", "Deploy"),
                release(3, "pier/blog:v3", "c1", "Deploy"), release(4, "pier/blog:v3", "c2", "Setting A"),
                release(5, "pier/blog:v3", "c2", "Scale web=2"), release(6, "pier/blog:v6", "c2", "Deploy"),
                release(7, "pier/blog:v2", "c1", "Rollback to v2"));
        assertEquals(Set.of("pier/blog:v2", "pier/blog:v6"), Releases.imagesToKeep(releases, 2));
        assertEquals(Set.of("pier/blog:v2", "pier/blog:v6", "pier/blog:v3"), Releases.imagesToKeep(releases, 3));
        assertEquals(Set.of("pier/blog:v2"), Releases.imagesToKeep(releases, 1), "the live release's image always stays");
        assertEquals(Set.of(), Releases.imagesToKeep(List.of(), 5));
    }

    @Test
    void aRollbackGoesBackToTheNewestReleaseWithAnotherImageOrConfig() {
        Release v1 = release(1, "pier/blog:v1", "c1", "Deploy");
        Release v2 = release(2, "pier/blog:v2", "c1", "Deploy");
        Release v3 = release(3, "pier/blog:v2", "c1", "Scale web=2");
        Release v4 = release(4, "pier/blog:v2", "c2", "Setting A");
        Release v5 = release(5, "pier/blog:v2", "c2", "Restart");
        assertEquals(Optional.of(v3), Processes.previous(List.of(v1, v2, v3, v4, v5)), "config c1 differs from c2");
        assertEquals(Optional.of(v1), Processes.previous(List.of(v1, v2, v3)), "restarts and scaling are passed over");
        assertEquals(Optional.empty(), Processes.previous(List.of(v1)));
        assertEquals(Optional.empty(), Processes.previous(List.of()));
    }

    @Test
    void processTypeNamesFollowOneRule() {
        for (String bad : List.of("", "1web", "we b", "web.1", "a;b", "$(id)", "x".repeat(31), "wéb")) {
            assertEquals(PierException.USAGE, failed(() -> ProcessType.of(bad)).exitCode(), bad);
        }
        assertEquals("urgent_worker-2", ProcessType.of("urgent_worker-2").value());
    }
}
