package pier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Response;
import pier.SystemHost.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Databases as services on this host: MariaDB, PostgreSQL and Redis built from the distro's packages on the
 * debootstrapped base image, linked to apps that use them through their env (a PHP app over mysqli, a Python app
 * over psycopg2, a Node.js app speaking Redis's protocol by hand), all pushed over real SSH and asked through real
 * Nginx. Then what a dump must survive (export, destroy, create, import), what a backup must prove (restored and
 * matched, or failed loudly), and who may not reach a service (an app not linked to it, another app's developer).
 * The tests run in order; the scheduled backup is set first so the host's minute tick comes round meanwhile, and
 * the service is destroyed and made again (the export test) only after its schedule is gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServicesSystemTest {
    static final String DOMAIN = "pier.test";
    static final String LAMP = "svc-lamp";
    static final String PY = "svc-py";
    static final String NODE = "svc-node";
    static final String MARIA = "svc-maria";
    static final String PG = "svc-pg";
    static final String CACHE = "svc-cache";
    static final String UPLOADS = "svc-uploads";
    static final String BROKEN_KIND = "brokenpg";
    static final Path BROKEN_TEMPLATES = Path.of("/etc/pier/templates/services", BROKEN_KIND);
    static final String DEV = "svc-dev";
    static final String ADMIN_IMAGE = "pier-test/redis:admins";

    static Path key;
    static Path dev;
    static long scheduledAt;

    @BeforeAll
    static void threeServices() throws IOException {
        key = SystemHost.installWithAdminKey(DOMAIN);
        BaseImage.ensure();
        cleanUp();
        for (String[] service : List.of(new String[]{"mariadb", MARIA}, new String[]{"postgres", PG}, new String[]{"redis", CACHE})) {
            Result created = SystemHost.pier(service[0] + ":create", service[1]);
            assertEquals(0, created.code(), created.output());
        }
        assertOk(SystemHost.pier("postgres:backup-schedule", PG, "* * * * *", "--keep", "2"));
        scheduledAt = System.currentTimeMillis();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        for (String app : List.of(LAMP, PY, NODE)) {
            SystemHost.pier("apps:destroy", app, "--force");
        }
        SystemHost.pier("volume:destroy", UPLOADS, "--force");
        SystemHost.pier("mariadb:destroy", MARIA, "--force");
        SystemHost.pier("postgres:destroy", PG, "--force");
        SystemHost.pier("redis:destroy", CACHE, "--force");
        if (Files.isDirectory(BROKEN_TEMPLATES)) {
            SystemHost.pier(BROKEN_KIND + ":destroy", "broken", "--force");
            SystemHost.run("rm", "-rf", BROKEN_TEMPLATES.toString());
        }
        SystemHost.pier("ssh-keys:remove", DEV);
        // A run stopped mid-way can leave services pier no longer records: their containers still running on their
        // volumes, which pier rightly refuses to take over. The test knows they are its own: container, volume and
        // network share the name, and the volume goes only once no container holds it.
        List<String> leftovers = List.of("pier_mariadb_" + MARIA, "pier_postgres_" + PG, "pier_redis_" + CACHE,
                "pier_" + BROKEN_KIND + "_broken");
        for (String what : List.of("rm -f", "volume rm -f", "network rm")) {
            List<String> command = new java.util.ArrayList<>(List.of("docker"));
            command.addAll(List.of(what.split(" ")));
            command.addAll(leftovers);
            SystemHost.run(command.toArray(String[]::new));
        }
        SystemHost.run("rm", "-rf", "/var/lib/pier/backups/postgres/" + PG, "/var/lib/pier/backups/" + BROKEN_KIND);
    }

    static void assertOk(Result r) {
        assertEquals(0, r.code(), r.output());
    }

    /** A new app, linked to {@code service} before its first push (so its first release has the env), then pushed. */
    static Path deploy(String app, String kind, String service, Map<String, String> files) throws IOException {
        assertOk(SystemHost.pier("apps:create", app));
        return linkAndPush(app, kind, service, files);
    }

    static Path linkAndPush(String app, String kind, String service, Map<String, String> files) throws IOException {
        assertOk(SystemHost.pier(kind + ":link", service, app));
        Path repo = Files.createTempDirectory("pier-systest-" + app + "-");
        assertEquals(0, SystemHost.git(repo, key, "init", "-q", "-b", "main").code());
        for (var file : files.entrySet()) {
            Files.writeString(repo.resolve(file.getKey()), file.getValue());
        }
        push(repo, app, "first");
        return repo;
    }

    static void push(Path repo, String app, String message) {
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "--allow-empty", "-m", message).code());
        Result push = SystemHost.git(repo, key, "push", "-q", "pier@localhost:" + app, "main");
        assertEquals(0, push.code(), push.output());
    }

    static String host(String app) {
        return app + "." + DOMAIN;
    }

    static Response get(String app, String path) {
        return SystemHost.get(host(app), path);
    }

    /** The rows part of the PHP and Python apps' answer ("HOSTNAME rows=a,b ..."): everything after the host name. */
    static String rows(Response r) {
        assertEquals(200, r.status(), r.body());
        return r.body().substring(r.body().indexOf(' ') + 1);
    }

    static final String PHP_APP = """
            <?php
            // A LAMP page: rows in MariaDB through mysqli, reached by DATABASE_URL; uploads in a pier volume.
            $u = parse_url(getenv('DATABASE_URL'));
            $db = new mysqli($u['host'], $u['user'], $u['pass'], ltrim($u['path'], '/'), $u['port']);
            $db->query('CREATE TABLE IF NOT EXISTS notes (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(200))');
            if (isset($_GET['add'])) {
                $s = $db->prepare('INSERT INTO notes (body) VALUES (?)');
                $s->bind_param('s', $_GET['add']);
                $s->execute();
                file_put_contents('/app/uploads/' . basename($_GET['add']) . '.txt', $_GET['add']);
            }
            $rows = [];
            foreach ($db->query('SELECT body FROM notes ORDER BY id') as $r) { $rows[] = $r['body']; }
            echo gethostname() . ' rows=' . implode(',', $rows) . ' uploads=' . count(glob('/app/uploads/*.txt'))
                . ' db=' . getenv('DB_NAME');
            """;

    /**
     * The LAMP scenario: a PHP app on MariaDB with a volume for uploads keeps its rows through a redeploy, a config
     * change, a restart of dockerd, a run of the installer (as an upgrade runs it) and a scale to two web
     * containers, which both see the same rows.
     */
    @Test
    @Order(1)
    void aPhpAppKeepsItsMariadbRowsThroughRedeployConfigDockerRestartUpgradeAndScale() throws Exception {
        assertOk(SystemHost.pier("volume:create", UPLOADS, "/app/uploads"));
        assertOk(SystemHost.pier("apps:create", LAMP));
        assertOk(SystemHost.pier("volume:link", LAMP, UPLOADS));
        // Apache's workers run as www-data: the uploads directory is made theirs before Apache starts.
        Path repo = linkAndPush(LAMP, "mariadb", MARIA, Map.of("index.php", PHP_APP,
                "Procfile", "web: chown www-data /app/uploads && . /etc/apache2/envvars && exec apache2 -DFOREGROUND\n"));
        assertEquals("rows= uploads=0 db=svc_maria", rows(get(LAMP, "/")));
        assertEquals("rows=one uploads=1 db=svc_maria", rows(get(LAMP, "/?add=one")));

        push(repo, LAMP, "redeploy");
        assertEquals("rows=one,two uploads=2 db=svc_maria", rows(get(LAMP, "/?add=two")));

        assertOk(SystemHost.pier("config:set", LAMP, "GREETING=hi"));
        assertEquals("rows=one,two,three uploads=3 db=svc_maria", rows(get(LAMP, "/?add=three")));

        SystemHost.restartDocker();
        assertEquals("rows=one,two,three uploads=3 db=svc_maria", awaitRows(LAMP, "rows=one,two,three uploads=3 db=svc_maria"));
        assertTrue(SystemHost.pier("mariadb:info", MARIA).output().contains("Up "), "MariaDB runs again after dockerd's restart");
        // What an upgrade runs: the installer over an installed pier leaves the services and their data alone.
        assertOk(SystemHost.run("java", "-jar", SystemHost.JAR.toString(), "install"));
        assertEquals("rows=one,two,three uploads=3 db=svc_maria", rows(get(LAMP, "/")));

        assertOk(SystemHost.pier("ps:scale", LAMP, "web=2"));
        assertEquals("rows=one,two,three,four uploads=4 db=svc_maria", rows(get(LAMP, "/?add=four")));
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < 20 && hosts.size() < 2; i++) {
            Response r = get(LAMP, "/");
            assertEquals("rows=one,two,three,four uploads=4 db=svc_maria", rows(r), "every web container sees the same rows");
            hosts.add(r.body().substring(0, r.body().indexOf(' ')));
        }
        assertEquals(2, hosts.size(), "both web containers answered: " + hosts);
    }

    /** After dockerd's restart the app and its database come back by themselves; polls until the page shows {@code rows}. */
    static String awaitRows(String app, String rows) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Response last = get(app, "/");
        while (System.nanoTime() < deadline) {
            if (last.status() == 200 && rows(last).equals(rows)) {
                return rows;
            }
            Thread.sleep(500);
            last = get(app, "/");
        }
        return last.status() + " " + last.body();
    }

    static final String PY_APP = """
            import os, signal, socket, sys, psycopg2
            from http.server import BaseHTTPRequestHandler, HTTPServer
            from urllib.parse import urlparse, parse_qs

            class Notes(BaseHTTPRequestHandler):
                def do_GET(self):
                    if 'DATABASE_URL' not in os.environ:
                        return self.answer('no database')
                    db = psycopg2.connect(os.environ['DATABASE_URL'])
                    with db, db.cursor() as c:
                        c.execute('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text)')
                        for body in parse_qs(urlparse(self.path).query).get('add', []):
                            c.execute('INSERT INTO notes (body) VALUES (%s)', (body,))
                        c.execute('SELECT body FROM notes ORDER BY id')
                        rows = ','.join(r[0] for r in c.fetchall())
                    db.close()
                    self.answer('rows=' + rows)

                def answer(self, text):
                    out = (socket.gethostname() + ' ' + text).encode()
                    self.send_response(200)
                    self.send_header('Content-Length', str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)

            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            HTTPServer(('', int(os.environ['PORT'])), Notes).serve_forever()
            """;

    /** One layer for both the Python and the Node.js app: Docker builds it once and the second build reuses it. */
    static final String RUNTIMES = "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends"
            + " python3 python3-psycopg2 nodejs && rm -rf /var/lib/apt/lists/*\n";

    static final String PY_DOCKERFILE = """
            FROM debian:bookworm-slim
            """ + RUNTIMES + """
            COPY app.py /app.py
            CMD ["python3", "/app.py"]
            """;

    @Test
    @Order(2)
    void aPythonAppKeepsItsRowsInPostgres() throws Exception {
        Path repo = deploy(PY, "postgres", PG, Map.of("app.py", PY_APP, "Dockerfile", PY_DOCKERFILE));
        assertEquals("rows=alpha", rows(get(PY, "/?add=alpha")));
        push(repo, PY, "redeploy");
        assertEquals("rows=alpha,beta", rows(get(PY, "/?add=beta")));
        assertTrue(SystemHost.pier("config", PY).output().contains("DATABASE_URL=postgres://svc_pg:"));
    }

    static final String NODE_APP = """
            // Counts hits in Redis over its own protocol (no client library), and probes whether a host:port answers.
            const http = require('http'), net = require('net');
            const redis = new URL(process.env.REDIS_URL);
            process.on('SIGTERM', () => process.exit(0));
            function command(words) {
              return '*' + words.length + '\\r\\n' + words.map(w => '$' + Buffer.byteLength(w) + '\\r\\n' + w + '\\r\\n').join('');
            }
            function hit(done) {
              const s = net.connect(Number(redis.port), redis.hostname);
              let got = '';
              s.on('data', d => {
                got += d;
                const m = got.match(/^\\+OK\\r\\n:(\\d+)\\r\\n/);
                if (m) { s.end(); done(null, m[1]); }
                else if (got.startsWith('-')) { s.end(); done(new Error(got.trim())); }
              });
              s.on('error', done);
              s.write(command(['AUTH', decodeURIComponent(redis.password)]) + command(['INCR', 'hits']));
            }
            http.createServer((req, res) => {
              const url = new URL(req.url, 'http://x');
              if (url.pathname === '/probe') {
                const s = net.connect({host: url.searchParams.get('host'), port: Number(url.searchParams.get('port')), timeout: 2000});
                const answer = text => { s.destroy(); res.end(text); };
                s.on('connect', () => answer('open'));
                s.on('timeout', () => answer('closed: timeout'));
                s.on('error', e => answer('closed: ' + e.code));
                return;
              }
              hit((err, n) => { res.statusCode = err ? 500 : 200; res.end(err ? String(err) : 'hits=' + n); });
            }).listen(Number(process.env.PORT));
            """;

    static final String NODE_DOCKERFILE = """
            FROM debian:bookworm-slim
            """ + RUNTIMES + """
            COPY server.js /server.js
            CMD ["node", "/server.js"]
            """;

    @Test
    @Order(3)
    void aNodeAppCountsHitsInRedis() throws Exception {
        deploy(NODE, "redis", CACHE, Map.of("server.js", NODE_APP, "Dockerfile", NODE_DOCKERFILE));
        int first = Integer.parseInt(get(NODE, "/").body().replace("hits=", ""));
        assertEquals(new Response(200, "hits=" + (first + 1)), get(NODE, "/"));
        assertEquals(new Response(200, "hits=" + (first + 2)), get(NODE, "/"));
    }

    /**
     * An app reaches only the services linked to it: the Node app (linked to Redis only) finds neither Postgres's
     * name nor any of its addresses, though it reaches Redis; and a developer of that app may not connect to,
     * export or even look at a service.
     */
    @Test
    @Order(4)
    void anAppOrAKeyNotLinkedToAServiceCannotReachIt() throws Exception {
        assertEquals(new Response(200, "open"), get(NODE, "/probe?host=redis-" + CACHE + "&port=6379"), "the probe works");
        assertTrue(get(NODE, "/probe?host=postgres-" + PG + "&port=5432").body().startsWith("closed: "), "Postgres's name");
        String addresses = SystemHost.run("docker", "inspect", "--format",
                "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", "pier_postgres_" + PG).output().strip();
        assertFalse(addresses.isEmpty());
        for (String address : addresses.split(" ")) {
            assertTrue(get(NODE, "/probe?host=" + address + "&port=5432").body().startsWith("closed: "), "Postgres at " + address);
        }

        Path dir = Files.createTempDirectory("pier-svc-dev-");
        dev = dir.resolve("id_ed25519");
        assertOk(SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "svc-dev@ci", "-f", dev.toString()));
        assertOk(SystemHost.pierWithInput(Files.readString(Path.of(dev + ".pub")), "developer:allow", NODE, DEV));
        // The services of its own app: a developer may look, connect, export and list backups.
        assertTrue(SystemHost.ssh(dev, null, "redis:info", CACHE).output().contains("Apps:       " + NODE));
        assertEquals("PONG", SystemHost.ssh(dev, "PING\n", "redis:connect", CACHE).output().strip());
        Result export = SystemHost.ssh(dev, null, "redis:export", CACHE);
        assertOk(export);
        assertTrue(export.output().startsWith("REDIS"), "an RDB snapshot");
        assertOk(SystemHost.ssh(dev, null, "redis:backups", CACHE));
        // Anything else, and every service not linked to its app, is refused, and says nothing of the service.
        for (List<String> call : List.of(List.of("postgres:connect", PG), List.of("postgres:export", PG),
                List.of("postgres:info", PG), List.of("postgres:info", "no-such-db"), List.of("postgres:link", PG, NODE),
                List.of("redis:unlink", CACHE, NODE), List.of("redis:destroy", CACHE, "--force"), List.of("redis:backup", CACHE),
                List.of("redis:import", CACHE))) {
            Result r = SystemHost.ssh(dev, "SELECT 1;\n", call.toArray(String[]::new));
            assertEquals(1, r.code(), call + ": " + r.output());
            assertTrue(r.output().contains("may not run " + call.get(0)), r.output());
            assertFalse(r.output().contains("svc_pg") || r.output().contains("5432"), "nothing of the service leaks: " + r.output());
        }
    }

    /**
     * Export, destroy, create, import: the same rows. The dump of 100,000 rows is streamed over SSH by the pier
     * process behind the key's forced command, whose peak RSS is printed and bounded.
     */
    @Test
    @Order(6)
    void anExportOverSshImportsIntoANewServiceWithTheSameRows() throws Exception {
        Result big = SystemHost.pierWithInput("CREATE TABLE big AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, 100000) g;\n",
                "postgres:connect", PG);
        assertOk(big);
        String before = count(PG);
        assertTrue(before.contains("big 100000") && before.contains("notes 2"), before);

        Path dump = Files.createTempFile("pier-svc-", ".sql");
        // The JVM behind the key's forced command (its line says ssh-command; the command is in SSH_ORIGINAL_COMMAND).
        PeakRss rss = PeakRss.watch("ssh-command");
        Process export = new ProcessBuilder("ssh", "-i", key.toString(), "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "pier@localhost",
                "postgres:export", PG).redirectOutput(dump.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(export.waitFor(3, TimeUnit.MINUTES));
        long peak = rss.stop();
        assertEquals(0, export.exitValue());
        long size = Files.size(dump);
        System.out.printf("postgres:export of 100,000 rows over SSH: %.1f MB dump, peak RSS of pier's JVM %.0f MB%n",
                size / 1e6, peak / 1e6);
        assertTrue(size > 3_500_000, "the dump holds the rows (about 40 bytes each): " + size + " bytes");
        assertTrue(Files.readString(dump).startsWith("--\n-- PostgreSQL database dump"), "stdout carries the dump and nothing else");
        assertTrue(peak > 0 && peak < 400_000_000L, "pier streams the dump: peak RSS " + peak);

        Result linked = SystemHost.pier("postgres:destroy", PG, "--force");
        assertEquals(1, linked.code(), linked.output());
        assertTrue(linked.output().contains("is linked to " + PY), linked.output());
        assertOk(SystemHost.pier("postgres:unlink", PG, PY));
        assertEquals("no database", rows(get(PY, "/")));
        assertOk(SystemHost.pier("postgres:destroy", PG, "--force"));
        assertFalse(SystemHost.run("docker", "volume", "inspect", "pier_postgres_" + PG).code() == 0, "its data is gone");
        assertOk(SystemHost.pier("postgres:create", PG));
        assertEquals("", count(PG));
        Process load = new ProcessBuilder("ssh", "-i", key.toString(), "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "pier@localhost",
                "postgres:import", PG).redirectInput(dump.toFile()).redirectErrorStream(true).start();
        String said = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(load.waitFor(3, TimeUnit.MINUTES));
        assertEquals(0, load.exitValue(), said);
        assertEquals(before, count(PG));
        assertOk(SystemHost.pier("postgres:link", PG, PY));
        assertEquals("rows=alpha,beta,gamma", rows(get(PY, "/?add=gamma")));
        Files.delete(dump);
    }

    /**
     * An admin's image for a kind (here pier's own Redis build under another name, since no registry is reachable):
     * new services run from it, with the kind's image.command, and answer with their password; an image that is not
     * on the host is refused and changes nothing.
     */
    @Test
    @Order(7)
    void anAdminPointsAKindAtItsOwnImage() throws Exception {
        String built = SystemHost.run("docker", "images", "pier-service-redis", "--format", "{{.Repository}}:{{.Tag}}").output()
                .lines().findFirst().orElseThrow();
        assertOk(SystemHost.run("docker", "tag", built, ADMIN_IMAGE));
        try {
            Result missing = SystemHost.pier("redis:image", "pier-test/nowhere:1");
            assertEquals(1, missing.code(), missing.output());
            assertTrue(missing.output().contains("docker pull pier-test/nowhere:1"), missing.output());
            assertTrue(SystemHost.pier("redis:image").output().contains("pier's build"));
            assertOk(SystemHost.pier("redis:image", ADMIN_IMAGE));
            assertOk(SystemHost.pier("redis:create", "svc-own"));
            assertEquals(ADMIN_IMAGE, SystemHost.run("docker", "inspect", "--format", "{{.Config.Image}}", "pier_redis_svc-own").output().strip());
            assertTrue(SystemHost.run("docker", "inspect", "--format", "{{json .Config.Cmd}}", "pier_redis_svc-own").output()
                    .contains("--requirepass"), "started with the kind's image.command");
            assertEquals("PONG", SystemHost.pierWithInput("PING\n", "redis:connect", "svc-own").output().strip());
            assertTrue(SystemHost.run("docker", "exec", "pier_redis_svc-own", "redis-cli", "--no-auth-warning", "-a", "wrong", "ping")
                    .output().contains("WRONGPASS"), "its password is required");
        } finally {
            SystemHost.pier("redis:destroy", "svc-own", "--force");
            SystemHost.pier("redis:image", "--default");
            SystemHost.run("docker", "rmi", ADMIN_IMAGE);
        }
    }

    /** Each table and its rows, as psql prints them for the service's database. */
    static String count(String service) {
        Result r = SystemHost.pierWithInput("SELECT table_name || ' ' || (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c "
                + "FROM %I', table_name), false, true, '')))[1]::text FROM information_schema.tables WHERE table_schema = 'public' "
                + "ORDER BY 1;\n", "postgres:connect", service);
        assertOk(r);
        return String.join("\n", r.output().lines().map(String::strip).filter(l -> l.matches("[a-z_]+ \\d+")).toList());
    }

    /**
     * Backups: the schedule set first has run from the minute tick and left a verified backup; with --keep 2, two
     * stay; and a backup whose restore fails (a kind an admin added, whose dump is broken) is failed, loudly.
     */
    @Test
    @Order(5)
    void backupsAreVerifiedByARestoreAndAFailedOneIsLoud() throws Exception {
        // The tick comes each minute; one may have failed while dockerd restarted (test 1), the next one must not.
        long deadline = Math.max(scheduledAt + TimeUnit.SECONDS.toMillis(150), System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(75));
        String listed = SystemHost.pier("postgres:backups", PG).output();
        while (!listed.contains(" verified") && System.currentTimeMillis() < deadline) {
            Thread.sleep(2000);
            listed = SystemHost.pier("postgres:backups", PG).output();
        }
        assertTrue(listed.contains(" verified"), "a scheduled backup ran from the minute tick and was verified:\n" + listed
                + "\n" + SystemHost.run("tail", "-n", "20", "/var/lib/pier/backup.log").output());
        assertOk(SystemHost.pier("postgres:backup-unschedule", PG));
        // A scheduled backup the last tick started may still run: the ones below must come after it.
        long quiet = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(90);
        while (ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains("postgres:backup " + PG))
                && System.currentTimeMillis() < quiet) {
            Thread.sleep(500);
        }
        for (int i = 0; i < 3; i++) {
            Result backup = SystemHost.pier("postgres:backup", PG, "--keep", "2");
            assertOk(backup);
            assertTrue(backup.output().contains("verified"), backup.output());
            Thread.sleep(1100);
        }
        List<String> files = backupLines(SystemHost.pier("postgres:backups", PG).output());
        assertEquals(2, files.size(), String.join("\n", files));
        files.forEach(f -> assertTrue(f.endsWith(" verified"), f));

        // An admin's kind: Postgres whose dump names a table that does not exist, so its restore fails.
        Files.createDirectories(BROKEN_TEMPLATES);
        Path shipped = Path.of("templates/services/postgres");
        Files.writeString(BROKEN_TEMPLATES.resolve("Dockerfile.ftl"), Files.readString(shipped.resolve("Dockerfile.ftl")));
        Files.writeString(BROKEN_TEMPLATES.resolve("service.properties"), Files.readString(shipped.resolve("service.properties"))
                .replaceFirst("(?m)^export=(.*)$", "export=$1 | sed 's/^COPY public\\\\./COPY missing_/'"));
        assertOk(SystemHost.pier(BROKEN_KIND + ":create", "broken"));
        assertOk(SystemHost.pierWithInput("CREATE TABLE t AS SELECT 1 AS x;\n", BROKEN_KIND + ":connect", "broken"));
        long failedBefore = failedBackupEvents();
        Result failed = SystemHost.pier(BROKEN_KIND + ":backup", "broken");
        assertEquals(1, failed.code(), failed.output());
        List<String> errors = failed.output().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), failed.output());
        assertTrue(errors.get(0).contains("failed: its restore failed"), errors.get(0));
        List<String> listedBroken = backupLines(SystemHost.pier(BROKEN_KIND + ":backups", "broken").output());
        assertEquals(1, listedBroken.size());
        assertTrue(listedBroken.get(0).contains(" failed: its restore failed"), listedBroken.get(0));
        assertFalse(listedBroken.get(0).contains("verified"));
        assertEquals(failedBefore + 1, failedBackupEvents(), "the failure is an event");
        assertEquals("", SystemHost.run("docker", "ps", "-aq", "--filter", "label=pier.service.check").output().strip(),
                "no check container is left");
    }

    static List<String> backupLines(String listing) {
        return listing.lines().filter(l -> l.contains(".dump ")).toList();
    }

    static long failedBackupEvents() throws IOException {
        Path log = Path.of("/var/lib/pier/events.log");
        return Files.readAllLines(log).stream().filter(l -> l.contains("\tbackup\t") && l.contains("\tfailed\t")).count();
    }

    /** Polls the peak RSS (VmHWM) of the JVM whose command line holds a marker, until stopped. */
    static final class PeakRss {
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long peak;

        private PeakRss(String marker) {
            thread = new Thread(() -> {
                while (running) {
                    ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains("java") && c.contains(marker))
                            .orElse(false)).forEach(p -> peak = Math.max(peak, hwm(p.pid())));
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            thread.start();
        }

        static PeakRss watch(String marker) {
            return new PeakRss(marker);
        }

        long stop() throws InterruptedException {
            running = false;
            thread.join();
            return peak;
        }

        private static long hwm(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Gone meanwhile.
            }
            return 0;
        }
    }

}
