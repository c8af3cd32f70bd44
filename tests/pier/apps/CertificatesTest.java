package pier.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.TestPki;
import pier.TestPki.Issued;
import pier.base.PierException;
import pier.engine.Nginx;
import pier.engine.Proxy;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.Domain;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * Where certificates are kept and which one an app's site serves: stored for pier and root only, checked before any
 * file changes, put back when the proxy refuses the site, and the global one serving the apps without their own.
 * The proxy here renders the real template into the site file and can be told to refuse, as {@code nginx -t} would.
 */
class CertificatesTest {
    static final Issued CA = TestPki.ca("Certificates CA");
    static final AppName BLOG = AppName.of("blog");

    @TempDir
    Path tmp;
    PierHome home;
    RenderingProxy proxy;
    Certificates certificates;

    /**
     * Writes what Nginx would, and refuses every site while {@code refuse} is set, or, as {@code nginx -t} does, when
     * any site (the new one or another) names a certificate file that is not there.
     */
    final class RenderingProxy implements Proxy {
        final Nginx nginx;
        final Map<AppName, Nginx.Vhost> applied = new HashMap<>();
        boolean refuse;

        RenderingProxy(Templates templates) {
            nginx = new Nginx(home, templates);
        }

        @Override
        public void apply(Nginx.Vhost vhost) {
            if (refuse || !filesThere(vhost)) {
                throw PierException.failed("nginx rejected the new configuration for " + vhost.app() + ", kept the old one");
            }
            try {
                Files.createDirectories(home.nginx());
                Files.writeString(home.vhost(vhost.app()), nginx.render(vhost));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            applied.put(vhost.app(), vhost);
        }

        boolean filesThere(Nginx.Vhost vhost) {
            List<String> sites = new java.util.ArrayList<>(List.of(nginx.render(vhost)));
            try (var files = Files.list(home.nginx())) {
                for (Path f : files.filter(f -> !f.equals(home.vhost(vhost.app()))).toList()) {
                    sites.add(Files.readString(f));
                }
            } catch (IOException e) {
                // No site yet.
            }
            return sites.stream().flatMap(s -> java.util.regex.Pattern.compile("ssl_certificate(?:_key)? (\\S+);")
                    .matcher(s).results()).allMatch(m -> Files.exists(Path.of(m.group(1))));
        }

        @Override
        public List<Nginx.Upstream> routed(AppName app) {
            return applied.containsKey(app) ? applied.get(app).upstreams() : List.of();
        }

        @Override
        public void remove(AppName app) {
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        home = new PierHome(Files.createDirectories(tmp.resolve("home")));
        new Settings(home).globalDomain(Domain.of("pier.test"));
        proxy = new RenderingProxy(new Templates(Files.createDirectories(tmp.resolve("no-overrides"))));
        Routing routing = new Routing(home, () -> null, proxy);
        certificates = new Certificates(home, routing);
        new Apps(home).create(BLOG);
        routing.switchTo(BLOG, new Apps(home).domains(BLOG), List.of(new Nginx.Upstream("127.0.0.1", 20000)));
    }

    String site() throws IOException {
        return Files.readString(home.vhost(BLOG));
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void anAddedPairIsKeptForPierAndRootOnlyAndTheSiteServesItOverHttpsWithoutARestart() throws IOException {
        Issued cert = TestPki.server(CA, List.of("blog.pier.test"));
        Certificates.Installed installed = certificates.add(BLOG, cert.certificatePem(), cert.keyPem());
        assertEquals(List.of(Domain.of("blog.pier.test")), installed.served());
        assertEquals(1, installed.sitesChanged());
        Path dir = home.tls(BLOG);
        assertEquals("rwx------", mode(dir));
        assertEquals("rw-------", mode(dir.resolve("server.key")));
        assertEquals("rw-------", mode(dir.resolve("server.crt")));
        assertEquals(cert.keyPem(), Files.readString(dir.resolve("server.key")));
        String site = site();
        assertTrue(site.contains("ssl_certificate " + dir.resolve("server.crt") + ";"), site);
        assertTrue(site.contains("proxy_pass http://pier-blog;"), "still routed to what ran: " + site);
        assertEquals("own", certificates.report(BLOG).source());
    }

    @Test
    void aRefusedPairChangesNoFile() throws IOException {
        String before = site();
        Issued cert = TestPki.server(CA, List.of("blog.pier.test"));
        Issued other = TestPki.server(CA, List.of("blog.pier.test"));
        assertThrows(PierException.class, () -> certificates.add(BLOG, cert.certificatePem(), other.keyPem()));
        Issued elsewhere = TestPki.server(CA, List.of("shop.example"));
        String m = assertThrows(PierException.class, () -> certificates.add(BLOG, elsewhere.certificatePem(), elsewhere.keyPem()))
                .getMessage();
        assertEquals("the certificate is for shop.example, none of blog's names (blog.pier.test)", m);
        assertFalse(Files.exists(home.tls(BLOG).resolve("server.crt")));
        assertEquals(before, site());
    }

    @Test
    void whenTheProxyRefusesTheSiteTheOldCertificateStays() throws IOException {
        Issued first = TestPki.server(CA, List.of("blog.pier.test"));
        certificates.add(BLOG, first.certificatePem(), first.keyPem());
        byte[] chain = Files.readAllBytes(home.tls(BLOG).resolve("server.crt"));
        byte[] key = Files.readAllBytes(home.tls(BLOG).resolve("server.key"));
        String site = site();
        proxy.refuse = true;
        Issued second = TestPki.server(CA, List.of("blog.pier.test"));
        assertThrows(PierException.class, () -> certificates.add(BLOG, second.certificatePem(), second.keyPem()));
        assertArrayEquals(chain, Files.readAllBytes(home.tls(BLOG).resolve("server.crt")));
        assertArrayEquals(key, Files.readAllBytes(home.tls(BLOG).resolve("server.key")));
        assertEquals(site, site());
        assertThrows(PierException.class, () -> certificates.remove(BLOG));
        assertArrayEquals(chain, Files.readAllBytes(home.tls(BLOG).resolve("server.crt")), "a refused removal keeps it too");
    }

    @Test
    void removingGoesBackToPlainHttp() throws IOException {
        String plain = site();
        certificates.generate(BLOG);
        assertEquals("self-signed", certificates.report(BLOG).source());
        assertTrue(site().contains("listen 443 ssl"));
        assertTrue(certificates.remove(BLOG));
        assertEquals(plain, site());
        assertEquals("none", certificates.report(BLOG).source());
        assertFalse(certificates.remove(BLOG), "nothing left to remove");
    }

    @Test
    void theGlobalCertificateServesAppsWithoutTheirOwnAndTheirOwnWins() throws IOException {
        Issued wildcard = TestPki.server(CA, List.of("*.pier.test"));
        certificates.addGlobal(wildcard.certificatePem(), wildcard.keyPem());
        assertTrue(site().contains("ssl_certificate " + home.globalTls().resolve("server.crt") + ";"), site());
        assertEquals("global", certificates.report(BLOG).source());
        Issued own = TestPki.server(CA, List.of("blog.pier.test"));
        certificates.add(BLOG, own.certificatePem(), own.keyPem());
        assertTrue(site().contains("ssl_certificate " + home.tls(BLOG).resolve("server.crt") + ";"), site());
        certificates.remove(BLOG);
        assertEquals("global", certificates.report(BLOG).source());
        assertEquals(java.util.Optional.of(List.of()), certificates.removeGlobal());
        assertFalse(site().contains("listen 443"), site());
    }

    @Test
    void removingTheGlobalCertificateFromTwoAppsNeverLeavesASiteNamingADeletedFile() throws IOException {
        AppName shop = AppName.of("shop");
        new Apps(home).create(shop);
        Routing routing = new Routing(home, () -> null, proxy);
        routing.switchTo(shop, new Apps(home).domains(shop), List.of(new Nginx.Upstream("127.0.0.1", 20001)));
        Issued wildcard = TestPki.server(CA, List.of("*.pier.test"));
        certificates.addGlobal(wildcard.certificatePem(), wildcard.keyPem());
        assertTrue(Files.readString(home.vhost(shop)).contains(home.globalTls().toString()));

        assertEquals(java.util.Optional.of(List.of()), certificates.removeGlobal());

        assertFalse(site().contains("listen 443"), site());
        assertFalse(Files.readString(home.vhost(shop)).contains("listen 443"));
        assertFalse(Files.exists(home.globalTls().resolve("server.crt")));
        assertFalse(Files.exists(home.globalTls().resolve("withdrawn")));
    }

    @Test
    void oneAppWhoseSiteCannotBeRenderedDoesNotBlockTheGlobalCertificateUnlessItLoadsIt() throws IOException {
        AppName shop = AppName.of("shop");
        new Apps(home).create(shop);
        Files.writeString(home.vhost(shop), "# a site from before\n");
        Files.writeString(home.domains(shop), "Not A Domain!\n");
        Issued wildcard = TestPki.server(CA, List.of("*.pier.test"));
        Certificates.Installed installed = certificates.addGlobal(wildcard.certificatePem(), wildcard.keyPem());
        assertEquals(1, installed.skipped().size(), installed.toString());
        assertTrue(installed.skipped().get(0).startsWith("shop: "), installed.toString());
        assertTrue(site().contains(home.globalTls().toString()), "blog got it: " + site());
        assertEquals(1, certificates.removeGlobal().orElseThrow().size());
        assertFalse(Files.exists(home.globalTls().resolve("server.crt")));

        certificates.addGlobal(wildcard.certificatePem(), wildcard.keyPem());
        Files.writeString(home.vhost(shop), "ssl_certificate " + home.globalTls().resolve("server.crt") + ";\n");
        assertThrows(PierException.class, () -> certificates.removeGlobal());
        assertTrue(Files.exists(home.globalTls().resolve("server.crt")), "a site still loads it");
        assertTrue(site().contains(home.globalTls().toString()), "blog's site is put back: " + site());
    }

    @Test
    void aGlobalCertificateForNoNameOfTheServerIsRefused() {
        Issued other = TestPki.server(CA, List.of("*.example.org"));
        String m = assertThrows(PierException.class, () -> certificates.addGlobal(other.certificatePem(), other.keyPem())).getMessage();
        assertTrue(m.startsWith("the certificate is for *.example.org, none of the server's names (*.pier.test, blog.pier.test"), m);
        assertFalse(Files.exists(home.globalTls()));
    }

    @Test
    void namesTheCertificateDoesNotCoverAreReportedAndStayPlain() throws IOException {
        new AppDomains(home).add(BLOG, List.of(Domain.of("www.blog.example")));
        Issued cert = TestPki.server(CA, List.of("blog.pier.test"));
        Certificates.Installed installed = certificates.add(BLOG, cert.certificatePem(), cert.keyPem());
        assertEquals(List.of(Domain.of("www.blog.example")), installed.uncovered());
        assertTrue(site().contains("listen 80;\n    server_name www.blog.example;\n"), site());
    }

    @Test
    void redirectAndHstsAreSettingsOfTheApp() throws IOException {
        certificates.generate(BLOG);
        assertTrue(site().contains("return 301 https://"));
        assertTrue(certificates.set(BLOG, "redirect", false));
        assertFalse(site().contains("return 301"), site());
        assertFalse(certificates.set(BLOG, "redirect", false), "unchanged");
        assertTrue(certificates.set(BLOG, "hsts", true));
        assertTrue(site().contains("Strict-Transport-Security"));
        assertEquals(PierException.USAGE, assertThrows(PierException.class, () -> certificates.set(BLOG, "colour", true)).exitCode());
    }

    @Test
    void anUndeployedAppKeepsItsCertificateForItsFirstDeploy() throws IOException {
        AppName shop = AppName.of("shop");
        new Apps(home).create(shop);
        Certificates.Installed installed = certificates.generate(shop);
        assertEquals(0, installed.sitesChanged());
        assertFalse(Files.exists(home.vhost(shop)));
        assertTrue(certificates.tls(shop, new Apps(home).domains(shop)).isPresent());
    }
}
