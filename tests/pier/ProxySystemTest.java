package pier;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
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
 * How Nginx proxies an app, per app (nginx:set): a 50 MB upload is refused with 413 under the default body limit
 * and taken once it is raised, with no restart of the app; a WebSocket upgrade passes through Nginx both ways; a
 * bad value changes nothing. The app is busybox's nc running a shell handler that answers GET, counts a POST's
 * body, and on an Upgrade request answers 101 and then echoes every byte, as a WebSocket echo server does after
 * its handshake: enough to show what Nginx forwards and tunnels.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxySystemTest {
    static final String APP = "proxytest";
    static final String HOST = APP + ".pier.test";
    /** An app that never deploys: it tries to take a name this one redirects. */
    static final String OTHER = APP + "-b";
    static final String HANDLER = """
            #!/bin/sh
            read -r request
            upgrade=
            length=0
            while read -r header; do
                header=${header%%?}
                [ -z "$header" ] && break
                case "$header" in
                    [Uu]pgrade:*[Ww]eb[Ss]ocket*) upgrade=yes ;;
                    [Cc]ontent-[Ll]ength:*) length=${header#*: } ;;
                esac
            done
            if [ -n "$upgrade" ]; then
                printf 'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n'
                exec /bin/busybox cat
            fi
            body="ok"
            if [ "$length" -gt 0 ]; then
                body=$(/bin/busybox head -c "$length" | /bin/busybox wc -c)
            fi
            printf 'HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s' "${#body}" "$body"
            """;

    static Path key;
    static Path repo;
    static Path upload;

    @BeforeAll
    static void deployTheEchoApp() throws IOException {
        key = SystemHost.installWithAdminKey("pier.test");
        SystemHost.pier("apps:destroy", APP, "--force");
        SystemHost.pier("apps:destroy", OTHER, "--force");
        repo = SystemHost.busyboxRepo(key);
        Path handler = repo.resolve("handler");
        Files.writeString(handler, HANDLER);
        Files.setPosixFilePermissions(handler, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\n"
                + "COPY handler /handler\n");
        Files.writeString(repo.resolve("Procfile"), "web: /bin/busybox nc -ll -p $PORT -e /handler\n");
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "-m", "echo").code());
        Result push = SystemHost.git(repo, key, "push", "pier@localhost:" + APP, "main");
        assertEquals(0, push.code(), push.output());
        upload = Files.createTempFile("pier-upload-", ".bin");
        try (RandomAccessFile file = new RandomAccessFile(upload.toFile(), "rw")) {
            file.setLength(50L * 1024 * 1024);
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (key != null) {
            SystemHost.pier("apps:destroy", APP, "--force");
            SystemHost.pier("apps:destroy", OTHER, "--force");
        }
        if (upload != null) {
            Files.deleteIfExists(upload);
        }
    }

    /** POSTs the 50 MB file through Nginx; "STATUS BODY". */
    static String post() {
        Result r = SystemHost.run("curl", "-s", "-o", "-", "-w", " %{http_code}", "-H", "Host: " + HOST,
                "-H", "Expect:", "--data-binary", "@" + upload, "http://127.0.0.1/upload");
        String out = r.output().strip();
        int space = out.lastIndexOf(' ');
        return out.substring(space + 1) + " " + (space < 0 ? "" : out.substring(0, space).strip());
    }

    static String container() {
        return SystemHost.run("docker", "ps", "-q", "--filter", "label=pier.app=" + APP, "--filter",
                "label=pier.process=web").output().strip();
    }

    @Test
    @Order(1)
    void aBigUploadIsRefusedUntilTheBodyLimitIsRaisedWithoutARestart() throws IOException {
        assertTrue(post().startsWith("413 "), "the default limit (20m) refuses 50 MB: " + post());
        String before = container();
        Path site = PierHome.DEFAULT.resolve("nginx").resolve(APP + ".conf");

        Result set = SystemHost.pier("nginx:set", APP, "client-max-body-size", "60m");

        assertEquals(0, set.code(), set.output());
        assertTrue(Files.readString(site).contains("client_max_body_size 60m;"), Files.readString(site));
        assertEquals("200 " + upload.toFile().length(), post(), "the app got every byte");
        assertEquals(before, container(), "no restart: the same container serves");
        assertTrue(SystemHost.pier("nginx:report", APP).output().contains("client-max-body-size:  60m"),
                SystemHost.pier("nginx:report", APP).output());
    }

    @Test
    @Order(2)
    void aWebSocketUpgradePassesThroughNginxBothWays() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 80), 2000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /chat HTTP/1.1\r\nHost: " + HOST + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), "Nginx passed the upgrade: " + head);
            for (String message : new String[] {"hello through nginx\n", "and back again\n"}) {
                out.write(message.getBytes(StandardCharsets.UTF_8));
                out.flush();
                byte[] echo = in.readNBytes(message.length());
                assertEquals(message, new String(echo, StandardCharsets.UTF_8));
            }
        }
        assertEquals(new SystemHost.Response(200, "ok"), SystemHost.get(HOST), "plain requests still work beside it");
    }

    @Test
    @Order(3)
    void aBadValueIsOneErrorAndChangesNothing() throws IOException {
        Path site = PierHome.DEFAULT.resolve("nginx").resolve(APP + ".conf");
        String before = Files.readString(site);
        for (String[] bad : new String[][] {{"client-max-body-size", "60m;evil"}, {"proxy-read-timeout", "0"},
                {"proxy-buffering", "maybe"}, {"worker_processes", "1"}}) {
            Result r = SystemHost.pier("nginx:set", APP, bad[0], bad[1]);
            assertEquals(2, r.code(), r.output());
            assertEquals(1, r.output().lines().filter(l -> l.startsWith("error:")).count(), r.output());
        }
        assertEquals(before, Files.readString(site));
        Result reset = SystemHost.pier("nginx:set", APP, "client-max-body-size");
        assertEquals(0, reset.code(), reset.output());
        assertTrue(Files.readString(site).contains("client_max_body_size 20m;"), "back to the default");
    }

    @Test
    @Order(4)
    void maintenanceServesItsPageWhileTheAppRunsAndOffServesTheAppWithNoFailedRequest() throws Exception {
        String before = container();
        Result on = SystemHost.pier("maintenance:on", APP);
        assertEquals(0, on.code(), on.output());
        SystemHost.Response page = SystemHost.get(HOST);
        assertEquals(503, page.status());
        assertTrue(page.body().contains(APP + " is being worked on"), page.body());
        assertEquals(before, container(), "the container keeps running");
        assertTrue(SystemHost.pier("maintenance:report", APP).output().contains("maintenance: on"));

        SystemHost.Load load = SystemHost.Load.on(HOST);
        Thread.sleep(300);
        Result off = SystemHost.pier("maintenance:off", APP);
        List<SystemHost.Response> seen = load.stopAfter(1000);

        assertEquals(0, off.code(), off.output());
        List<Integer> statuses = seen.stream().map(SystemHost.Response::status).toList();
        // While Nginx reloads, its old workers still answer with the maintenance page for a moment: a 503 with the
        // page is what maintenance serves, not a failure. A failure is anything else (no answer, 502, 504).
        assertEquals(List.of(), seen.stream().filter(r -> r.status() != 200 && !(r.status() == 503
                && r.body().contains(APP + " is being worked on"))).toList(), statuses.size() + " requests");
        assertEquals(503, statuses.get(0), "in maintenance when the client started");
        assertEquals(200, statuses.get(statuses.size() - 1), "served again at the end");
        assertEquals(new SystemHost.Response(200, "ok"), SystemHost.get(HOST));
    }

    /** "STATUS LOCATION" of one request through Nginx: curl with these extra arguments. */
    static String curl(String host, String path, String... extra) {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                "-H", "Host: " + host));
        command.addAll(List.of(extra));
        command.add("http://127.0.0.1" + path);
        return SystemHost.run(command.toArray(String[]::new)).output().strip();
    }

    /** What {@link #curl} answers once Nginx's reload is done (its old workers answer the old way for a moment). */
    static String settled(String expected, String host, String path, String... extra) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        String seen = curl(host, path, extra);
        while (!seen.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            seen = curl(host, path, extra);
        }
        return seen;
    }

    @Test
    @Order(5)
    void httpAuthAnswers401WithoutTheUsersPasswordAnd200WithItAndOffOpensTheAppAgain() throws Exception {
        Result on = SystemHost.ssh(key, "s3cret pass\n", "http-auth:on", APP, "alice");
        assertEquals(0, on.code(), on.output());
        assertFalse(on.output().contains("s3cret"), on.output());

        assertEquals("401", settled("401", HOST, "/"), "no credentials");
        assertEquals("200", curl(HOST, "/", "-u", "alice:s3cret pass"));
        assertEquals("401", curl(HOST, "/", "-u", "alice:s3cret"), "a wrong password");
        assertEquals("401", curl(HOST, "/", "-u", "bob:s3cret pass"), "an unknown user");
        assertEquals("404", curl(HOST, "/.well-known/acme-challenge/nothing-here"), "ACME challenges stay open");
        assertTrue(SystemHost.pier("http-auth:report", APP).output().contains("on, users alice"));

        Result off = SystemHost.pier("http-auth:off", APP);
        assertEquals(0, off.code(), off.output());
        assertEquals("200", settled("200", HOST, "/"));
    }

    @Test
    @Order(6)
    void aRedirectedNameAnswers301ToItsTargetKeepingThePathUntilUnset() throws Exception {
        String from = "old-" + APP + ".example.test";
        Result set = SystemHost.pier("redirect:set", APP, from, HOST);
        assertEquals(0, set.code(), set.output());

        assertEquals("301 http://" + HOST + "/shop/item?id=7", settled("301 http://" + HOST + "/shop/item?id=7", from, "/shop/item?id=7"));
        assertEquals("200", curl(HOST, "/"), "the target still serves the app");
        assertEquals(0, SystemHost.pier("apps:create", OTHER).code());
        Result taken = SystemHost.pier("domains:add", OTHER, from);
        assertNotEquals(0, taken.code(), taken.output());
        assertTrue(taken.output().contains(from + " is redirected by the app " + APP), "the name is this app's: " + taken.output());

        Result unset = SystemHost.pier("redirect:unset", APP, from);
        assertEquals(0, unset.code(), unset.output());
        assertEquals("404", settled("404", from, "/"), "no app answers on it any more");
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
