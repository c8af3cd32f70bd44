package pier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Result;
import pier.apps.CertificatePair;
import pier.engine.ServedCertificate;
import pier.names.Domain;
import pier.state.PierHome;

/**
 * Let's Encrypt against a real ACME server on loopback: Debian's Pebble, with pebble-challtestsrv as its DNS (every
 * name is 127.0.0.1, one name fails with SERVFAIL). Pebble proves each name over HTTP-01 against this host's Nginx
 * on port 80, as Let's Encrypt would, and the certificate Nginx then serves is read back over TLS with SNI.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LetsEncryptSystemTest {
    static final String APP = "lesite";
    static final String HOST = APP + ".pier.test";
    static final String WWW = "www.le-site.test";
    static final String BAD = "bad.le-site.test";

    static Path key;
    static Path dir;
    static final List<Process> servers = new ArrayList<>();

    @BeforeAll
    static void pebbleAndAnApp() throws Exception {
        SystemHost.requireProgram(Path.of("/usr/bin/pebble"));
        SystemHost.requireProgram(Path.of("/usr/bin/pebble-challtestsrv"));
        key = SystemHost.installWithAdminKey("pier.test");
        SystemHost.pier("apps:destroy", APP, "--force");
        // World-readable: pier (not root) reads the CA file when it talks to Pebble.
        dir = Files.createTempDirectory("pier-pebble-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        TestPki.Issued ca = TestPki.ca("pier test Pebble CA");
        TestPki.Issued tls = TestPki.server(ca, List.of("localhost"));
        Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
        Files.writeString(dir.resolve("pebble.crt"), tls.certificatePem());
        Files.writeString(dir.resolve("pebble.key"), tls.keyPem());
        Files.writeString(dir.resolve("pebble.json"), """
                {"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000",
                  "certificate": "%s", "privateKey": "%s", "httpPort": 80, "tlsPort": 443,
                  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
                """.formatted(dir.resolve("pebble.crt"), dir.resolve("pebble.key")));
        Files.setPosixFilePermissions(dir.resolve("ca.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        servers.add(start(List.of("pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01", "127.0.0.1:8053",
                "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", "127.0.0.1:8055"), "challtestsrv.log"));
        awaitPort(8055);
        servers.add(start(List.of("pebble", "-config", dir.resolve("pebble.json").toString(), "-dnsserver", "127.0.0.1:8053"),
                "pebble.log"));
        awaitPort(14000);
        Result servfail = SystemHost.run("curl", "-s", "-X", "POST", "-d", "{\"host\":\"" + BAD + "\"}", "http://127.0.0.1:8055/set-servfail");
        assertEquals(0, servfail.code(), servfail.output());

        for (String[] set : List.of(new String[] {"server", "https://localhost:14000/dir"},
                new String[] {"server-ca", dir.resolve("ca.pem").toString()}, new String[] {"email", "admin@pier.test"})) {
            Result r = SystemHost.pier("letsencrypt:set", set[0], set[1]);
            assertEquals(0, r.code(), r.output());
        }
        Path repo = SystemHost.busyboxRepo(key);
        Result push = SystemHost.pushBusybox(repo, key, APP, "served over https");
        assertEquals(0, push.code(), push.output());
        Result domains = SystemHost.pier("domains:add", APP, WWW, BAD);
        assertEquals(0, domains.code(), domains.output());
    }

    static Process start(List<String> command, String log) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
        b.environment().put("PEBBLE_VA_NOSLEEP", "1");
        b.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        return b.start();
    }

    static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing listens on 127.0.0.1:" + port);
    }

    @AfterAll
    static void stopAndClean() throws IOException {
        if (key != null) {
            SystemHost.pier("letsencrypt:disable", APP);
            SystemHost.pier("apps:destroy", APP, "--force");
            for (String setting : List.of("server", "server-ca", "email", "renew-before")) {
                SystemHost.pier("letsencrypt:set", setting);
            }
        }
        servers.forEach(Process::destroy);
    }

    /** A client asking for HOST over HTTPS (a new TLS connection each time, SNI set), counting what did not answer 200. */
    static final class HttpsLoad {
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile int requests;
        final Thread client;

        HttpsLoad(String host) throws Exception {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] c, String a) {
                }

                public void checkServerTrusted(X509Certificate[] c, String a) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            client = new Thread(() -> {
                while (!stop.get()) {
                    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", 443), 2000);
                        socket.setSoTimeout(5000);
                        javax.net.ssl.SSLParameters p = socket.getSSLParameters();
                        p.setServerNames(List.of(new javax.net.ssl.SNIHostName(host)));
                        socket.setSSLParameters(p);
                        socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                        if (!response.startsWith("HTTP/1.1 200")) {
                            failures.add(response.lines().findFirst().orElse("(nothing)"));
                        }
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                    requests++;
                }
            });
            client.start();
        }

        List<String> stopAfter(long millis) throws InterruptedException {
            Thread.sleep(millis);
            stop.set(true);
            client.join();
            return List.copyOf(failures);
        }
    }

    static X509Certificate served(String name) {
        return ServedCertificate.of(Domain.of(name)).orElseThrow(() -> new AssertionError("no TLS answer for " + name));
    }

    static JsonNode report() throws IOException {
        Result r = SystemHost.pier("certs:report", APP, "--format", "json");
        assertEquals(0, r.code(), r.output());
        return ProcessesSystemTest.json(r.output());
    }

    @Test
    @Order(1)
    void enableIssuesOneCertificateForEveryNameThatCanBeProvedAndNamesTheOneThatCannot() throws Exception {
        Result enable = SystemHost.pier("letsencrypt:enable", APP);

        assertEquals(1, enable.code(), "one name failed, so the command says so: " + enable.output());
        assertTrue(enable.output().contains(BAD + " could not be proved"), enable.output());
        X509Certificate leaf = served(HOST);
        List<String> names = leaf.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString()).sorted().toList();
        assertEquals(List.of(HOST, WWW).stream().sorted().toList(), names, "one certificate for the names that were proved");
        assertEquals(CertificatePair.serial(leaf), CertificatePair.serial(served(WWW)), "the same certificate for each");
        JsonNode report = report();
        assertEquals("letsencrypt", report.get("source").asText(), report.toString());
        assertEquals(CertificatePair.serial(leaf), report.get("serial").asText());
        assertEquals(301, SystemHost.get(HOST).status(), "plain HTTP goes to HTTPS");
        // Pebble's root, from its management API: a client that trusts only it gets 200 over HTTPS for both names.
        Result root = SystemHost.run("curl", "-sk", "-o", dir.resolve("pebble-root.pem").toString(), "-w", "%{http_code}",
                "https://127.0.0.1:15000/roots/0");
        assertEquals("200", root.output().strip(), root.output());
        for (String name : List.of(HOST, WWW)) {
            Result https = SystemHost.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
                    dir.resolve("pebble-root.pem").toString(), "--resolve", name + ":443:127.0.0.1", "https://" + name + "/");
            assertEquals("200", https.output().strip(), name + ": " + https.output());
        }

        Result list = SystemHost.pier("letsencrypt:list", "--format", "json");
        JsonNode row = ProcessesSystemTest.json(list.output()).get("apps").get(0);
        assertEquals(APP, row.get("app").asText(), list.output());
        assertTrue(row.get("lastError").asText().contains(BAD), "the last error names the name left out: " + row);
        assertEquals("ok", ProcessesSystemTest.json(list.output()).get("trigger").asText(), "the daily trigger is installed");
    }

    @Test
    @Order(2)
    void aRenewalIsDueOnlyAtAThirdOfTheLifetimeLeftOrTheSettingAndServesTheNewCertificate() throws Exception {
        String before = CertificatePair.serial(served(HOST));
        Result notDue = SystemHost.pier("letsencrypt:renew");
        assertEquals(0, notDue.code(), notDue.output());
        assertTrue(notDue.output().contains("No certificate is due for renewal"), notDue.output());
        assertEquals(before, CertificatePair.serial(served(HOST)));

        // Renew no later than 9999 days before expiry: every certificate is due now. A steady HTTPS client runs across it.
        assertEquals(0, SystemHost.pier("letsencrypt:set", "renew-before", "9999d").code());
        HttpsLoad load = new HttpsLoad(HOST);
        Result due = SystemHost.pier("letsencrypt:renew");
        List<String> failures = load.stopAfter(1000);

        System.out.println("HTTPS requests during the renewal: " + load.requests + ", failed: " + failures.size());
        assertTrue(due.output().contains(APP + ": renewed, serial "), due.output());
        assertEquals(List.of(), failures, load.requests + " HTTPS requests during the renewal");
        assertTrue(load.requests > 20, "the client kept asking: " + load.requests);
        String after = CertificatePair.serial(served(HOST));
        assertNotEquals(before, after, "Nginx serves the renewed certificate");
        assertEquals(after, report().get("serial").asText());
        Result openssl = SystemHost.run("sh", "-c", "openssl s_client -connect 127.0.0.1:443 -servername " + HOST
                + " </dev/null 2>/dev/null | openssl x509 -noout -serial");
        assertEquals("serial=" + after, openssl.output().strip(), "an independent client sees the new serial");
        assertTrue(SystemHost.pier("events", APP).output().contains("letsencrypt renewed " + after), "the renewal is an event");
        assertEquals(0, SystemHost.pier("letsencrypt:set", "renew-before").code());
    }

    @Test
    @Order(3)
    void theAccountKeyAndTheCertificateKeyAreForPierAloneAndNoKeyReachesTheEventLog() throws IOException {
        Path account = PierHome.DEFAULT.resolve("letsencrypt/account.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(account)));
        assertEquals("pier", Files.getOwner(account).getName());
        Path appKey = PierHome.DEFAULT.resolve("apps/" + APP + "/tls/server.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(appKey)));
        assertFalse(Files.readString(PierHome.DEFAULT.resolve("events.log")).contains("PRIVATE KEY"));
    }

    @Test
    @Order(4)
    void listWarnsWhenTheDailyTriggerIsGone() throws IOException {
        Path cron = Path.of("/etc/cron.d/pier");
        String schedule = Files.readString(cron);
        try {
            Files.writeString(cron, schedule.lines().filter(l -> !l.contains("letsencrypt:renew")).reduce("", (a, l) -> a + l + "\n"));
            Result list = SystemHost.pier("letsencrypt:list");
            assertTrue(list.output().contains("renewals will not run: " + cron + " has no letsencrypt:renew line"), list.output());
        } finally {
            Files.writeString(cron, schedule);
        }
    }

    @Test
    @Order(5)
    void disableStopsServingTheCertificateAndRenewing() throws Exception {
        Result disable = SystemHost.pier("letsencrypt:disable", APP);
        assertEquals(0, disable.code(), disable.output());
        assertEquals("none", report().get("source").asText(), report().toString());
        assertEquals(Optional.empty(), ProcessesSystemTest.json(SystemHost.pier("letsencrypt:list", "--format", "json").output())
                .get("apps").findValues("app").stream().filter(a -> a.asText().equals(APP)).findFirst());
        assertEquals(200, SystemHost.get(HOST).status(), "plain HTTP serves the app again");
    }
}
