package pier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
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
import pier.TestPki.Issued;
import pier.names.AppName;
import pier.state.PierHome;

/**
 * HTTPS through the installed pier and real Nginx: two busybox apps are pushed once, then served with a self-signed,
 * an own and a global wildcard certificate, checked with curl --cacert and openssl s_client (the serial served).
 * Bad pairs are refused with one error line and no file changed; a developer key cannot touch another app's
 * certificate or the global one. The tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CertsSystemTest {
    static final String APP = "certs-a";
    static final String OTHER = "certs-b";
    static final String HOST = APP + ".pier.test";
    static final String OTHER_HOST = OTHER + ".pier.test";
    static final String DEV_KEY = "certs-dev";
    static final PierHome HOME = new PierHome(PierHome.DEFAULT);
    static final Issued CA = TestPki.ca("pier certs test CA");

    static Path key;
    static Path dev;
    static Path tmp;

    @BeforeAll
    static void deployTwoApps() throws IOException, InterruptedException {
        key = SystemHost.installWithAdminKey("pier.test");
        cleanUp();
        tmp = Files.createTempDirectory("pier-certs-");
        Path repo = SystemHost.busyboxRepo(key);
        // What the app is told about the scheme: busybox httpd runs this CGI with the request's headers.
        Path proto = Files.createDirectories(repo.resolve("www/cgi-bin")).resolve("proto");
        Files.writeString(proto, "#!/bin/busybox sh\necho 'Content-Type: text/plain'\necho\necho \"$HTTP_X_FORWARDED_PROTO\"\n");
        Files.setPosixFilePermissions(proto, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String app : List.of(APP, OTHER)) {
            Result push = SystemHost.pushBusybox(repo, key, app, app);
            assertEquals(0, push.code(), push.output());
            assertEquals(new Response(200, app), SystemHost.awaitBody(app + ".pier.test", app, 10));
        }
        dev = tmp.resolve("dev");
        assertEquals(0, SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dev.toString()).code());
        Result allow = SystemHost.pierWithInput(Files.readString(Path.of(dev + ".pub")), "developer:allow", APP, DEV_KEY);
        assertEquals(0, allow.code(), allow.output());
    }

    @AfterAll
    static void cleanUp() {
        Result global = SystemHost.pier("certs:remove", "--global");
        assertEquals(0, global.code(), "other tests must not meet this one's global certificate: " + global.output());
        SystemHost.pier("apps:destroy", APP, "--force");
        SystemHost.pier("apps:destroy", OTHER, "--force");
        SystemHost.pier("ssh-keys:remove", DEV_KEY);
    }

    /** {@code curl https://NAME/} through Nginx on 127.0.0.1, trusting only {@code ca}: the status and body, or curl's error. */
    static Response https(String name, Path ca) {
        return https(name, "/", ca);
    }

    static Response https(String name, String path, Path ca) {
        Result r = SystemHost.run("curl", "-sS", "--max-time", "10", "--resolve", name + ":443:127.0.0.1", "--cacert", ca.toString(),
                "-w", "\n%{http_code}", "https://" + name + path);
        String out = r.output().strip();
        int cut = out.lastIndexOf('\n');
        if (r.code() != 0 || cut < 0) {
            return new Response(-1, out);
        }
        return new Response(Integer.parseInt(out.substring(cut + 1)), out.substring(0, cut).strip());
    }

    /** Status and Location of a plain HTTP request. */
    static String http(String name, String path) {
        Result r = SystemHost.run("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "--resolve", name + ":80:127.0.0.1",
                "-w", "%{http_code} %{redirect_url}", "http://" + name + path);
        return r.output().strip();
    }

    /** The serial of the certificate Nginx serves for {@code name} (SNI), as openssl prints it. */
    static String servedSerial(String name) {
        Result hello = SystemHost.run(null, Map.of(), "", "openssl", "s_client", "-connect", "127.0.0.1:443", "-servername", name);
        Result serial = SystemHost.run(null, Map.of(), hello.output(), "openssl", "x509", "-noout", "-serial");
        return serial.output().strip();
    }

    static String serialOf(Path certificate) {
        return SystemHost.run("openssl", "x509", "-in", certificate.toString(), "-noout", "-serial").output().strip();
    }

    static Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    /** The app's site and certificate files, byte for byte. */
    static Map<String, byte[]> state() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (Path p : List.of(HOME.vhost(AppName.of(APP)), HOME.vhost(AppName.of(OTHER)),
                HOME.tls(AppName.of(APP)).resolve("server.crt"), HOME.tls(AppName.of(APP)).resolve("server.key"),
                HOME.globalTls().resolve("server.crt"))) {
            files.put(p.toString(), Files.exists(p) ? Files.readAllBytes(p) : new byte[0]);
        }
        return files;
    }

    static void assertSameState(Map<String, byte[]> before) throws IOException {
        Map<String, byte[]> after = state();
        before.forEach((file, bytes) -> assertArrayEquals(bytes, after.get(file), file + " changed"));
    }

    static void assertOneError(Result r, String contains) {
        List<String> errors = r.output().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, r.code(), r.output());
        assertEquals(1, errors.size(), r.output());
        assertTrue(errors.get(0).contains(contains), r.output());
    }

    @Test
    @Order(1)
    void aSelfSignedCertificateServesHttpsAndPlainHttpRedirectsExceptAcmeChallenges() throws IOException {
        Result generate = SystemHost.pier("certs:generate", APP);
        assertEquals(0, generate.code(), generate.output());
        assertTrue(generate.output().contains("Nginx reloaded (nothing restarted)"), generate.output());
        Path served = HOME.tls(AppName.of(APP)).resolve("server.crt");
        assertEquals(new Response(200, APP), https(HOST, served));
        assertEquals(new Response(200, "https"), https(HOST, "/cgi-bin/proto", served), "the app is told it was HTTPS");
        assertEquals("301 https://" + HOST + "/", http(HOST, "/"));
        Result report = SystemHost.pier("certs:report", APP, "--format", "json");
        assertTrue(report.output().matches("(?s).*\"source\"\\s*:\\s*\"self-signed\".*"), report.output());
        Path token = PierHome.ACME_CHALLENGES.resolve("certs-system-test-token");
        Files.writeString(token, "token-answer\n");
        try {
            assertEquals(new Response(200, "token-answer"), SystemHost.get(HOST, "/.well-known/acme-challenge/" + token.getFileName()),
                    "answered before the redirect");
            assertEquals(new Response(200, "token-answer"),
                    SystemHost.get("no-app.example", "/.well-known/acme-challenge/" + token.getFileName()), "and for any name");
        } finally {
            Files.deleteIfExists(token);
        }
    }

    @Test
    @Order(2)
    void badPairsAreRefusedWithOneErrorLineAndChangeNothing() throws IOException {
        Issued good = TestPki.server(CA, List.of(HOST));
        Issued other = TestPki.server(CA, List.of(HOST));
        Issued expired = TestPki.issue(CA, TestPki.ec(), HOST, List.of(HOST), Instant.now().minus(Duration.ofDays(60)),
                Instant.now().minus(Duration.ofDays(1)), false);
        Issued elsewhere = TestPki.server(CA, List.of("shop.example"));
        Map<String, byte[]> before = state();
        assertOneError(SystemHost.pier("certs:add", APP, write("good.crt", good.certificatePem()).toString(),
                write("other.key", other.keyPem()).toString()), "the key does not match the certificate");
        assertOneError(SystemHost.pier("certs:add", APP, write("expired.crt", expired.certificatePem()).toString(),
                write("expired.key", expired.keyPem()).toString()), "expired on");
        assertOneError(SystemHost.pier("certs:add", APP, write("elsewhere.crt", elsewhere.certificatePem()).toString(),
                write("elsewhere.key", elsewhere.keyPem()).toString()), "the certificate is for shop.example, none of certs-a's names");
        assertSameState(before);
        assertEquals(new Response(200, APP), https(HOST, HOME.tls(AppName.of(APP)).resolve("server.crt")), "the old one still serves");
    }

    @Test
    @Order(3)
    void aGoodPairGivenAsATarOverSshIsServedThenRemovedBackToHttp() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("openssl"));
        Result made = SystemHost.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                "-subj", "/CN=" + HOST, "-addext", "subjectAltName=DNS:" + HOST,
                "-keyout", dir.resolve("server.key").toString(), "-out", dir.resolve("server.crt").toString());
        assertEquals(0, made.code(), made.output());
        Result tar = SystemHost.run("tar", "-cf", tmp.resolve("pair.tar").toString(), "-C", dir.toString(), "server.crt", "server.key");
        assertEquals(0, tar.code(), tar.output());
        String archive = new String(Files.readAllBytes(tmp.resolve("pair.tar")), StandardCharsets.UTF_8);
        Result add = SystemHost.ssh(key, archive, "certs:add", APP);
        assertEquals(0, add.code(), add.output());
        assertEquals(serialOf(dir.resolve("server.crt")), servedSerial(HOST));
        assertEquals(new Response(200, APP), https(HOST, dir.resolve("server.crt")));
        assertTrue(SystemHost.pier("certs:report", APP).output().contains("source:     own"));

        Result remove = SystemHost.pier("certs:remove", APP);
        assertEquals(0, remove.code(), remove.output());
        assertEquals("200", http(HOST, "/"));
        assertEquals(-1, https(HOST, dir.resolve("server.crt")).status(), "no HTTPS for it any more");
        assertFalse(Files.exists(HOME.tls(AppName.of(APP)).resolve("server.key")));
    }

    @Test
    @Order(4)
    void aGlobalWildcardServesEveryAppWithoutItsOwn() throws IOException {
        Issued wildcard = TestPki.server(CA, List.of("*.pier.test"));
        Path ca = write("ca.pem", CA.certificatePem());
        Result add = SystemHost.pier("certs:add", "--global", write("wild.crt", wildcard.certificatePem()).toString(),
                write("wild.key", wildcard.keyPem()).toString());
        assertEquals(0, add.code(), add.output());
        for (String host : List.of(HOST, OTHER_HOST)) {
            assertEquals(new Response(200, host.substring(0, host.indexOf('.'))), https(host, ca));
            assertEquals(serialOf(tmp.resolve("wild.crt")), servedSerial(host));
            assertEquals("301 https://" + host + "/", http(host, "/"));
        }
        assertTrue(SystemHost.pier("certs:report", OTHER).output().contains("source:     global"));
    }

    @Test
    @Order(5)
    void aDeveloperKeyManagesItsAppsCertificateButNoOtherAppsNorTheGlobalOne() throws IOException {
        Issued wildcard = TestPki.server(CA, List.of("*.pier.test"));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("server.crt", wildcard.certificatePem().getBytes(StandardCharsets.UTF_8));
        files.put("server.key", wildcard.keyPem().getBytes(StandardCharsets.UTF_8));
        String archive = new String(pier.base.Tar.write(files), StandardCharsets.UTF_8);
        Map<String, byte[]> before = state();
        assertOneError(SystemHost.ssh(dev, archive, "certs:add", OTHER), "may not run certs:add on " + OTHER);
        assertOneError(SystemHost.ssh(dev, archive, "certs:add", "--global"), "may not run certs:add without an app");
        assertOneError(SystemHost.ssh(dev, null, "certs:remove", "--global"), "may not run certs:remove");
        assertOneError(SystemHost.ssh(dev, null, "certs:generate", OTHER), "may not run certs:generate on " + OTHER);
        Result paths = SystemHost.ssh(dev, null, "certs:add", APP, HOME.globalTls().resolve("server.crt").toString(),
                HOME.globalTls().resolve("server.key").toString());
        assertEquals(2, paths.code(), "no path on the server is opened for a key over SSH: " + paths.output());
        assertTrue(paths.output().startsWith("error: over SSH, give the pair as a tar on stdin"), paths.output());
        assertSameState(before);
        assertNotEquals(-1, https(OTHER_HOST, tmp.resolve("ca.pem")).status(), "the global certificate still serves");

        Result own = SystemHost.ssh(dev, archive, "certs:add", APP);
        assertEquals(0, own.code(), own.output());
        assertEquals(serialOf(write("dev.crt", wildcard.certificatePem())), servedSerial(HOST), "its own pair now serves it");
        assertTrue(SystemHost.pier("certs:report", APP).output().contains("source:     own"));
    }
}
