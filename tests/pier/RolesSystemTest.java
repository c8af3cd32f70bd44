package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Result;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command, run over real OpenSSH by an admin key, a developer key and a deploy key, on the developer's own
 * app, another app and the server: what a role allows works, what it does not is refused with one error line and
 * changes nothing. Then the ways out a key might try: shell syntax in names, other apps' repositories, paths,
 * an over-long command. Which role may run what is written here from the issue, not read from pier's own table,
 * so the two are checked against each other.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolesSystemTest {
    static final String OWN = "roles-own";
    static final String OTHER = "roles-other";
    static final String DEV = "matrix-dev";
    static final String CI = "matrix-ci";

    /** What the issue lets a developer run on its own apps; everything else a developer or deploy key may not run. */
    static final Set<String> DEVELOPER_COMMANDS = Set.of("apps:info", "config", "config:get", "config:set", "config:unset",
            "domains", "domains:add", "domains:remove", "domains:set", "domains:clear", "builder", "builder:set",
            "ps", "ps:scale", "ps:restart", "ps:start", "ps:stop", "ps:rebuild", "ps:reconcile", "logs", "run", "enter",
            "releases", "releases:rollback", "events", "resource:report", "cron:list", "cron:run", "cron:suspend",
            "cron:resume", "nginx:set", "nginx:report", "maintenance:on", "maintenance:off", "maintenance:report", "certs:report", "certs:generate", "certs:set", "certs:add", "certs:remove",
            "http-auth:on", "http-auth:report", "http-auth:off", "redirect", "redirect:set", "redirect:unset",
            "letsencrypt:enable", "letsencrypt:renew", "letsencrypt:disable");

    /**
     * Commands that reach an ACME server, which this test has none of (LetsEncryptSystemTest has): a key may run
     * them when the gate lets it through, whatever the server then answers.
     */
    static final Set<String> REACH_OUTSIDE = Set.of("letsencrypt:enable", "letsencrypt:renew");

    /** Commands that act on a cluster's node, which this host has none of (NodesSystemTest has): the gate is what is tried. */
    static final Set<String> NEEDS_A_NODE = Set.of("nodes:drain", "nodes:activate");

    /** The one app.json cron entry of the apps under test: yearly, so no tick runs it meanwhile. */
    static final String CRON_JSON = "{\"cron\": [{\"command\": \"true\", \"schedule\": \"0 0 1 1 *\"}]}";
    static final String CRON_ID = new pier.apps.CronEntry(pier.apps.CronSchedule.parse("0 0 1 1 *"), "true", false).id();

    /** A tar of a *.pier.test pair, as certs:add takes it on stdin. */
    static final String CERT_TAR = certTar();

    static String certTar() {
        TestPki.Issued pair = TestPki.server(TestPki.ca("roles CA"), List.of("*.pier.test"));
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        files.put("server.crt", pair.certificatePem().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        files.put("server.key", pair.keyPem().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new String(pier.base.Tar.write(files), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** One command line of the matrix; {app} is replaced by the app under test, {role} by who runs it. */
    record Call(String command, List<String> args, boolean pubKeyOnStdin, String stdin) {
        static Call of(String command, String... args) {
            return new Call(command, List.of(args), false, null);
        }

        static Call withKey(String command, String... args) {
            return new Call(command, List.of(args), true, null);
        }

        List<String> words(String app, String role) {
            List<String> words = new ArrayList<>(List.of(command));
            args.forEach(a -> words.add(a.replace("{app}", app).replace("{role}", role)));
            return words;
        }
    }

    /** In the order an admin or developer can run them one after the other, each succeeding. */
    static final List<Call> APP_CALLS = List.of(
            Call.of("apps:info", "{app}"),
            Call.of("config:set", "--no-restart", "{app}", "MATRIX=1"),
            Call.of("config", "{app}"),
            Call.of("config:get", "{app}", "MATRIX"),
            Call.of("config:unset", "--no-restart", "{app}", "MATRIX"),
            Call.of("domains", "{app}"),
            Call.of("domains:add", "{app}", "{role}.matrix.test"),
            Call.of("domains:remove", "{app}", "{role}.matrix.test"),
            Call.of("domains:set", "{app}", "{role}.matrix.test"),
            Call.of("domains:clear", "{app}"),
            Call.of("builder", "{app}"),
            Call.of("builder:set", "{app}", "auto"),
            Call.of("ps", "{app}"),
            Call.of("ps:scale", "{app}"),
            Call.of("logs", "-n", "5", "{app}"),
            Call.of("run", "{app}", "/bin/busybox", "true"),
            new Call("enter", List.of("{app}"), false, "exit 0\n"),
            Call.of("ps:restart", "{app}"),
            Call.of("ps:stop", "{app}"),
            Call.of("ps:start", "{app}"),
            Call.of("ps:reconcile", "{app}"),
            Call.of("releases", "{app}"),
            Call.of("releases:rollback", "{app}"),
            Call.of("ps:rebuild", "{app}"),
            Call.of("events", "{app}"),
            Call.of("resource:report", "{app}"),
            Call.of("cron:list", "{app}"),
            Call.of("cron:suspend", "{app}", CRON_ID),
            Call.of("cron:resume", "{app}", CRON_ID),
            Call.of("cron:run", "{app}", CRON_ID),
            Call.of("nginx:set", "{app}", "client-max-body-size", "30m"),
            Call.of("nginx:report", "{app}"),
            Call.of("nginx:set", "{app}", "client-max-body-size"),
            Call.of("maintenance:on", "{app}"),
            Call.of("maintenance:report", "{app}"),
            Call.of("maintenance:off", "{app}"),
            new Call("http-auth:on", List.of("{app}", "{role}"), false, "matrix secret\n"),
            Call.of("http-auth:report", "{app}"),
            Call.of("http-auth:off", "{app}"),
            Call.of("redirect:set", "{app}", "{role}.redirect.test", "{role}.matrix.test"),
            Call.of("redirect", "{app}"),
            Call.of("redirect:unset", "{app}", "{role}.redirect.test"),
            Call.of("letsencrypt:enable", "{app}"),
            Call.of("letsencrypt:renew", "{app}"),
            Call.of("letsencrypt:disable", "{app}"),
            Call.of("certs:generate", "{app}"),
            Call.of("certs:report", "{app}"),
            Call.of("certs:set", "{app}", "hsts", "on"),
            Call.of("certs:set", "{app}", "hsts", "off"),
            new Call("certs:add", List.of("{app}"), false, CERT_TAR),
            Call.of("certs:remove", "{app}"));

    static final List<Call> SERVER_CALLS = List.of(
            Call.of("help"),
            Call.of("apps:list"),
            Call.of("apps:create", "matrix-new"),
            Call.of("apps:destroy", "matrix-new", "--force"),
            Call.of("config", "--global"),
            Call.of("config:set", "--global", "--no-restart", "MATRIX_GLOBAL=1"),
            Call.of("config:unset", "--global", "--no-restart", "MATRIX_GLOBAL"),
            Call.of("domains:clear-global"),
            Call.of("domains:set-global", "pier.test"),
            Call.of("ps:reconcile", "--all"),
            Call.of("volume:create", "matrix-vol", "/data"),
            Call.of("volume:list"),
            Call.of("volume:info", "matrix-vol"),
            Call.of("volume:link", "{app}", "matrix-vol"),
            Call.of("volume:unlink", "{app}", "matrix-vol"),
            Call.of("volume:destroy", "matrix-vol", "--force"),
            Call.of("builder:list"),
            Call.of("builder:base"),
            Call.of("builder:images"),
            Call.of("builder:allow-image", "matrix/img:*"),
            Call.of("builder:disallow-image", "matrix/img:*"),
            Call.of("resource:limit", "{app}", "pids=600"),
            Call.of("resource:limit", "{app}", "pids=default"),
            Call.of("ssh-keys:list"),
            Call.withKey("ssh-keys:add", "matrix-extra"),
            Call.of("ssh-keys:remove", "matrix-extra"),
            Call.withKey("deploy:allow", "{app}", "matrix-ci2"),
            Call.of("deploy:list", "{app}"),
            Call.of("deploy:revoke", "{app}", "matrix-ci2"),
            Call.withKey("developer:allow", "{app}", "matrix-dev2"),
            Call.of("developer:list"),
            Call.of("developer:revoke", "{app}", "matrix-dev2"),
            Call.of("system:df"),
            Call.of("cron:tick"),
            new Call("certs:add", List.of("--global"), false, CERT_TAR),
            Call.of("certs:remove", "--global"),
            Call.of("letsencrypt:list"),
            Call.of("letsencrypt:set", "renew-before", "10d"),
            Call.of("letsencrypt:set", "renew-before"),
            Call.of("letsencrypt:renew"),
            // Every service kind's commands are the same classes with the same rules (ServiceCommandsTest): one
            // kind's stand for all, see theMatrixCoversEveryCommand.
            Call.of("nodes:list"),
            Call.of("nodes:watch", "--once"),
            Call.of("nodes:drain", "10.88.0.9"),
            Call.of("nodes:activate", "10.88.0.9"),
            Call.of("scheduler:report", "{app}"),
            Call.of("scheduler:set", "{app}", "constraint", "node.labels.matrix==1"),
            Call.of("scheduler:set", "{app}", "constraint", "clear"),
            Call.of("postgres:create", "matrix-pg"),
            Call.of("postgres:list"),
            Call.of("postgres:info", "matrix-pg"),
            Call.of("postgres:link", "matrix-pg", "{app}"),
            Call.of("postgres:unlink", "matrix-pg", "{app}"),
            Call.of("postgres:restart", "matrix-pg"),
            Call.of("postgres:logs", "matrix-pg"),
            new Call("postgres:connect", List.of("matrix-pg"), false, "SELECT 1;\n"),
            Call.of("postgres:export", "matrix-pg"),
            new Call("postgres:import", List.of("matrix-pg"), false, "CREATE TABLE matrix (id int);\n"),
            Call.of("postgres:backup", "matrix-pg", "--keep", "1"),
            Call.of("postgres:backups", "matrix-pg"),
            Call.of("postgres:backup-schedule", "matrix-pg", "'0 0 1 1 *'", "--keep", "1"),
            Call.of("postgres:backup-unschedule", "matrix-pg"),
            Call.of("postgres:destroy", "matrix-pg", "--force"),
            Call.of("postgres:image"),
            Call.of("events"));

    static Path admin;
    static Path dev;
    static Path ci;
    static Path repo;
    static String spareKey;

    @BeforeAll
    static void twoAppsAndThreeKeys() throws IOException {
        admin = SystemHost.installWithAdminKey("pier.test");
        for (String app : List.of(OWN, OTHER, "matrix-new")) {
            SystemHost.pier("apps:destroy", app, "--force");
        }
        SystemHost.pier("volume:destroy", "matrix-vol", "--force");
        SystemHost.pier("postgres:destroy", "matrix-pg", "--force");
        for (String key : List.of(DEV, CI, "matrix-extra", "matrix-ci2", "matrix-dev2")) {
            SystemHost.pier("ssh-keys:remove", key);
        }
        // An ACME server that refuses at once: letsencrypt:enable and renew then fail fast, past the gate.
        assertOk(SystemHost.pier("letsencrypt:set", "server", "https://127.0.0.1:9/dir"));
        repo = SystemHost.busyboxRepo(admin);
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\n"
                + "COPY www /www\nEXPOSE 5000\nCMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"5000\", \"-h\", \"/www\"]\n");
        Files.writeString(repo.resolve("app.json"), CRON_JSON);
        commit("v1");
        assertPushed(admin, OWN);
        commit("v2");
        assertPushed(admin, OWN);
        assertEquals(0, SystemHost.pier("apps:create", OTHER).code());
        dev = newKey("dev");
        ci = newKey("ci");
        assertOk(SystemHost.pierWithInput(Files.readString(Path.of(dev + ".pub")), "developer:allow", OWN, DEV));
        assertOk(SystemHost.pierWithInput(Files.readString(Path.of(ci + ".pub")), "deploy:allow", OWN, CI));
        spareKey = Files.readString(Path.of(newKey("spare") + ".pub"));
        for (Path key : List.of(admin, dev, ci)) {
            SystemHost.openShared(key);
        }
    }

    @AfterAll
    static void cleanUp() {
        if (admin == null) {
            return;
        }
        closeSharedConnections();
        for (String app : List.of(OWN, OTHER, "matrix-new")) {
            SystemHost.pier("apps:destroy", app, "--force");
        }
        SystemHost.pier("volume:destroy", "matrix-vol", "--force");
        SystemHost.pier("postgres:destroy", "matrix-pg", "--force");
        SystemHost.run("rm", "-rf", "/var/lib/pier/backups/postgres/matrix-pg");
        SystemHost.pier("certs:remove", "--global");
        SystemHost.pier("domains:set-global", "pier.test");
        SystemHost.pier("letsencrypt:set", "server");
    }

    static Path newKey(String name) throws IOException {
        Path key = Files.createTempDirectory("pier-roles-").resolve(name);
        assertEquals(0, SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@matrix", "-f", key.toString()).code());
        return key;
    }

    static void commit(String body) throws IOException {
        Files.writeString(repo.resolve("www/index.html"), body + "\n");
        assertEquals(0, SystemHost.git(repo, admin, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, admin, "commit", "-q", "-m", body).code());
    }

    static void assertPushed(Path key, String app) {
        Result push = SystemHost.git(repo, key, "push", "-f", "pier@localhost:" + app, "main");
        assertEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("is live"), push.output());
    }

    static void assertOk(Result r) {
        assertEquals(0, r.code(), r.output());
    }

    /** One matrix call, on the key's shared connection: the same forced command and role as a connection of its own. */
    static Result ssh(Path key, Call call, String app, String role) {
        return SystemHost.sshShared(key, call.pubKeyOnStdin() ? spareKey : call.stdin(), call.words(app, role).toArray(String[]::new));
    }

    /** The matrix covers every command a user can run, so a new command cannot slip past it. */
    @Test
    @Order(1)
    void theMatrixCoversEveryCommand() {
        Set<String> covered = new TreeSet<>();
        APP_CALLS.forEach(c -> covered.add(c.command()));
        SERVER_CALLS.forEach(c -> covered.add(c.command()));
        Set<String> commands = new TreeSet<>();
        pier.cli.pier.commandLine().getSubcommands().forEach((name, sub) -> {
            // Commands only the host runs (install, nodes:add) are refused over SSH to every key: NodesSystemTest and
            // InstallSystemTest try them.
            if (name.equals(sub.getCommandName()) && !sub.getCommandSpec().usageMessage().hidden()
                    && !pier.access.Access.HOST_ONLY.contains(name)) {
                commands.add(name.replaceFirst("^(mariadb|redis):", "postgres:"));
            }
        });
        assertEquals(commands, covered);
        APP_CALLS.forEach(c -> assertTrue(DEVELOPER_COMMANDS.contains(c.command()), c.command() + " is not a developer command"));
    }

    /**
     * Every forbidden pair at once, from four clients in parallel: each is refused with one error line that says
     * so, pier's files and Nginx's are as they were, and the event log gained exactly one "refused" line each.
     */
    @Test
    @Order(2)
    void forbiddenCommandsAreRefusedAndChangeNothing() throws Exception {
        record Attempt(String who, Path key, Call call, String app) {
        }
        List<Attempt> attempts = new ArrayList<>();
        // A deploy key is refused every command whatever the app, so it is tried on its own app only: the
        // harder case, where only the role, not the app, stands in the way.
        for (Call call : APP_CALLS) {
            attempts.add(new Attempt("developer", dev, call, OTHER));
            attempts.add(new Attempt("deploy", ci, call, OWN));
        }
        for (Call call : SERVER_CALLS) {
            if (!call.command().equals("help")) {
                attempts.add(new Attempt("developer", dev, call, OWN));
                attempts.add(new Attempt("deploy", ci, call, OWN));
            }
        }
        Map<String, String> before = SystemHost.snapshot();
        long refusedBefore = refusedEvents();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<String>> problems = new ArrayList<>();
        for (Attempt a : attempts) {
            problems.add(pool.submit(() -> {
                Result r = ssh(a.key(), a.call(), a.app(), a.who());
                List<String> errors = r.output().lines().filter(l -> l.startsWith("error:")).toList();
                boolean refused = r.code() == 1 && errors.size() == 1 && errors.get(0).contains("may not run " + a.call().command());
                return refused ? null : a.who() + " " + a.call().words(a.app(), a.who()) + " -> exit " + r.code() + ": " + r.output();
            }));
        }
        List<String> failed = new ArrayList<>();
        for (Future<String> f : problems) {
            if (f.get() != null) {
                failed.add(f.get());
            }
        }
        pool.shutdown();
        assertEquals(List.of(), failed);
        assertEquals(before, SystemHost.snapshot(), "a refused command changed pier's or Nginx's files");
        assertEquals(refusedBefore + attempts.size(), refusedEvents(), "each refusal is one event");
    }

    static long refusedEvents() throws IOException {
        Path log = PierHome.DEFAULT.resolve("events.log");
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains("\trefused\t")).count() : 0;
    }

    @Test
    @Order(3)
    void aDeveloperRunsEveryAppCommandOnItsOwnApp() {
        List<String> failed = new ArrayList<>();
        for (Call call : APP_CALLS) {
            Result r = ssh(dev, call, OWN, "developer");
            if (REACH_OUTSIDE.contains(call.command()) ? r.output().contains("may not run") : r.code() != 0) {
                failed.add(call.words(OWN, "developer") + " -> exit " + r.code() + ": " + r.output());
            }
        }
        assertEquals(List.of(), failed);
        Result events = SystemHost.ssh(dev, null, "events", OWN);
        assertTrue(events.output().contains(DEV + "  " + OWN + "  ok  config:set --no-restart " + OWN + " MATRIX=..."), events.output());
        assertFalse(events.output().contains("MATRIX=1"), "config values stay out of the event log");
    }

    @Test
    @Order(4)
    void anAdminRunsEveryServerWideCommand() {
        List<String> failed = new ArrayList<>();
        for (Call call : SERVER_CALLS) {
            Result r = ssh(admin, call, OWN, "admin");
            if (NEEDS_A_NODE.contains(call.command()) ? r.output().contains("may not run") || !r.output().contains("no node")
                    : r.code() != 0) {
                failed.add(call.words(OWN, "admin") + " -> exit " + r.code() + ": " + r.output());
            }
        }
        assertEquals(List.of(), failed);
    }

    @Test
    @Order(5)
    void helpListsOnlyWhatTheKeyMayRun() {
        Result developer = SystemHost.ssh(dev, null, "help");
        assertOk(developer);
        assertTrue(developer.output().contains("config:set"), developer.output());
        assertTrue(developer.output().contains("developer:" + OWN), developer.output());
        for (String serverWide : List.of("apps:create", "apps:destroy", "ssh-keys:add", "developer:allow", "volume:link", "domains:set-global")) {
            assertFalse(developer.output().contains(serverWide), serverWide + " listed for a developer:\n" + developer.output());
        }
        Result deploy = SystemHost.ssh(ci, null, "help");
        assertOk(deploy);
        assertTrue(deploy.output().contains("git push"), deploy.output());
        assertFalse(deploy.output().contains("config"), deploy.output());
        assertTrue(SystemHost.ssh(admin, null, "help").output().contains("apps:destroy"));
    }

    @Test
    @Order(6)
    void deployAndDeveloperKeysPushAndFetchTheirAppOnly() throws Exception {
        commit("v3 by ci");
        assertPushed(ci, OWN);
        commit("v4 by dev");
        assertPushed(dev, OWN);
        assertOk(SystemHost.git(repo, ci, "ls-remote", "pier@localhost:" + OWN));
        Map<String, String> before = SystemHost.snapshot();
        for (Path key : List.of(ci, dev)) {
            Result push = SystemHost.git(repo, key, "push", "pier@localhost:" + OTHER, "main");
            assertNotEquals(0, push.code(), push.output());
            assertTrue(push.output().contains("may not push to " + OTHER), push.output());
            Result fetch = SystemHost.git(repo, key, "ls-remote", "pier@localhost:" + OTHER);
            assertNotEquals(0, fetch.code(), fetch.output());
            assertTrue(fetch.output().contains("may not fetch " + OTHER), fetch.output());
            Result unknown = SystemHost.git(repo, key, "push", "pier@localhost:matrix-unknown", "main");
            assertNotEquals(0, unknown.code(), unknown.output());
        }
        assertEquals(before, SystemHost.snapshot());
        assertFalse(Files.exists(PierHome.DEFAULT.resolve("apps/matrix-unknown")), "a restricted key must not create apps");
    }

    /** Shell syntax, paths and oversize input from a developer key: refused before anything runs, nothing changed. */
    @Test
    @Order(7)
    void noWayOutOfTheRole() throws Exception {
        Path pwned = Path.of("/tmp/pier-matrix-pwned");
        Files.deleteIfExists(pwned);
        Map<String, String> before = SystemHost.snapshot();
        List<List<String>> attempts = List.of(
                List.of("config", OWN + ";apps:destroy", OTHER, "--force"),
                List.of("config", "'" + OWN + "'", "\"$(touch " + pwned + ")\""),
                List.of("config", "$(touch " + pwned + ")"),
                List.of("config", "`touch " + pwned + "`"),
                List.of("config", "../" + OTHER),
                List.of("config:set", "--no-restart", OWN + "/../" + OTHER, "A=1"),
                List.of("config", "\"" + OWN + "\"'", ";", "apps:destroy", "'" + OTHER + "'"),
                List.of("config:set", "--global", "A=1"),
                List.of("ps:retire", OTHER, "x"),
                List.of("install"),
                // "--" ends ssh's own options, so these reach pier as typed.
                List.of("--", "-a", OTHER, "config"),
                List.of("--", "--remote", "root@localhost", "apps:list"),
                List.of("ssh-command", "--key", "systest"),
                List.of("git-upload-pack", "'" + OTHER + "'"),
                List.of("git-upload-pack", "'../" + OTHER + "'"),
                List.of("git-receive-pack", "'" + OWN + "/../" + OTHER + "'"),
                List.of("git-receive-pack", "'" + OWN + "'", "'" + OTHER + "'"),
                List.of("config", OWN, "x".repeat(100_000)));
        List<String> failed = new ArrayList<>();
        for (List<String> words : attempts) {
            Result r = SystemHost.ssh(dev, "", words.toArray(String[]::new));
            long errors = r.output().lines().filter(l -> l.startsWith("error:")).count();
            if (r.code() == 0 || errors != 1) {
                failed.add(words.toString().substring(0, Math.min(120, words.toString().length())) + " -> exit " + r.code() + ": "
                        + r.output().substring(0, Math.min(300, r.output().length())));
            }
        }
        Result push = SystemHost.git(repo, dev, "push", "pier@localhost:../" + OTHER, "main");
        if (push.code() == 0) {
            failed.add("push to ../" + OTHER + " succeeded");
        }
        assertEquals(List.of(), failed);
        assertFalse(Files.exists(pwned), "a word was run by a shell");
        assertEquals(before, SystemHost.snapshot());
        assertOk(SystemHost.pier("apps:info", OTHER));
    }

    static void closeSharedConnections() {
        for (Path key : List.of(admin, dev, ci)) {
            if (key != null) {
                SystemHost.closeShared(key);
            }
        }
    }

    /**
     * Revoking takes effect at once: the next connection with that key is turned away by sshd itself, and a
     * connection opened before the revoke (sshd checked the key only when it was opened) gets no further command,
     * because pier reads the key's rights again for every session.
     */
    @Test
    @Order(8)
    void aRevokedKeyIsShutOutAtOnce() {
        assertOk(SystemHost.sshShared(dev, null, "ps", OWN));
        assertOk(SystemHost.pier("developer:revoke", OWN, DEV));
        Result onTheOpenConnection = SystemHost.sshShared(dev, null, "ps", OWN);
        assertNotEquals(0, onTheOpenConnection.code(), onTheOpenConnection.output());
        assertTrue(onTheOpenConnection.output().contains("no longer allowed"), onTheOpenConnection.output());
        closeSharedConnections();
        Result after = SystemHost.ssh(dev, null, "ps", OWN);
        assertNotEquals(0, after.code(), after.output());
        assertTrue(SystemHost.pier("ssh-keys:list").output().lines().noneMatch(l -> l.startsWith(DEV + " ")));
        Result events = SystemHost.pier("events", OWN);
        assertTrue(events.output().contains("local  " + OWN + "  ok  developer:revoke " + OWN + " " + DEV), events.output());
    }
}
