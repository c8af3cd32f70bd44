package pier.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.SystemHost;
import pier.access.Keys;
import pier.access.SshKey;
import pier.access.SshKeyTest;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.KeyName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shipped templates produce the config files Nginx, sshd, sudo and the shell read; these tests pin
 * the lines those programs depend on. The templates come from the classpath: the override dir is empty.
 */
class TemplatesTest {
    static final Path NGINX = Path.of(Nginx.BINARY);

    @TempDir
    Path tmp;

    Templates templates;
    PierHome home;

    @BeforeEach
    void setUp() throws IOException {
        templates = new Templates(Files.createDirectories(tmp.resolve("no-overrides")));
        home = new PierHome(Files.createDirectories(tmp.resolve("home")));
    }

    static Nginx.Vhost blogVhost() {
        return new Nginx.Vhost(AppName.of("blog"),
                List.of(Domain.of("blog.example.com"), Domain.of("www.example.com")),
                List.of(new Nginx.Upstream("127.0.0.1", 10000), new Nginx.Upstream("127.0.0.1", 10001)));
    }

    @Test
    void appVhostDeclaresUpstreamWithEveryServer() {
        String conf = new Nginx(home, templates).render(blogVhost());
        assertTrue(conf.contains("upstream pier-blog {"), conf);
        assertTrue(conf.contains("server 127.0.0.1:10000;"), conf);
        assertTrue(conf.contains("server 127.0.0.1:10001;"), conf);
    }

    @Test
    void theUpstreamsASiteRoutesToAreReadBackFromItsFile() throws IOException {
        Nginx nginx = new Nginx(home, templates);
        assertEquals(List.of(), nginx.routed(AppName.of("blog")), "no site yet");
        Files.createDirectories(home.nginx());
        Files.writeString(home.vhost(AppName.of("blog")), nginx.render(blogVhost()));
        assertEquals(blogVhost().upstreams(), nginx.routed(AppName.of("blog")));
        Files.writeString(home.vhost(AppName.of("blog")), nginx.render(new Nginx.Vhost(AppName.of("blog"),
                List.of(Domain.of("blog.example.com")), List.of())));
        assertEquals(List.of(), nginx.routed(AppName.of("blog")), "the 503 page routes nowhere");
    }

    @Test
    void appVhostPortsHaveNoThousandsSeparator() {
        String conf = new Nginx(home, templates).render(blogVhost());
        assertFalse(conf.contains("10,000"), conf);
        assertFalse(conf.contains("10,001"), conf);
    }

    @Test
    void appVhostServesAllDomainsThroughItsUpstream() {
        String conf = new Nginx(home, templates).render(blogVhost());
        assertTrue(conf.contains("server_name blog.example.com www.example.com;"), conf);
        assertTrue(conf.contains("proxy_pass http://pier-blog;"), conf);
    }

    @Test
    void aVhostWithNoWebContainerAnswers503AndDeclaresNoUpstream() {
        String conf = new Nginx(home, templates).render(new Nginx.Vhost(AppName.of("blog"),
                List.of(Domain.of("blog.example.com")), List.of()));
        assertFalse(conf.contains("upstream"), conf);
        assertFalse(conf.contains("proxy_pass"), conf);
        assertTrue(conf.contains("return 503;"), conf);
        assertTrue(conf.contains("server_name blog.example.com;"), conf);
    }

    static Nginx.Vhost httpsVhost(Path certificate, Path key, boolean redirect, boolean hsts) {
        return new Nginx.Vhost(AppName.of("blog"), List.of(Domain.of("blog.example.com"), Domain.of("www.example.com")),
                List.of(new Nginx.Upstream("127.0.0.1", 10000)), java.util.Optional.of(new Nginx.Tls(
                List.of(Domain.of("blog.example.com")), certificate, key, "sha256:0123abcd", redirect, hsts)));
    }

    @Test
    void theNamesACertificateCoversGetHttpsAndA301AfterTheAcmeLocationTheOthersStayPlain() {
        String conf = new Nginx(home, templates).render(httpsVhost(Path.of("/c/server.crt"), Path.of("/c/server.key"), true, false));
        assertTrue(conf.contains("listen 443 ssl http2;\n    server_name blog.example.com;\n"
                + "    ssl_certificate /c/server.crt;\n    ssl_certificate_key /c/server.key;\n"
                + "    ssl_protocols TLSv1.2 TLSv1.3;\n"), conf);
        assertTrue(conf.contains("# HTTPS, certificate sha256:0123abcd"), "a new certificate changes the file: " + conf);
        int redirect = conf.indexOf("return 301 https://$host$request_uri;");
        int redirectServer = conf.lastIndexOf("server {", redirect);
        assertTrue(redirect > 0 && conf.substring(redirectServer, redirect).contains("server_name blog.example.com;"), conf);
        assertTrue(conf.substring(redirectServer, redirect).contains("location ^~ /.well-known/acme-challenge/ {"),
                "challenges are answered before the redirect: " + conf);
        assertTrue(conf.contains("listen 80;\n    server_name www.example.com;\n"), "the uncovered name stays plain: " + conf);
        assertEquals(2, conf.split("proxy_pass http://pier-blog;", -1).length - 1, "plain and HTTPS both reach the app");
        assertTrue(conf.contains("proxy_set_header X-Forwarded-Proto $scheme;"), conf);
        assertFalse(conf.contains("Strict-Transport-Security"), "HSTS is opt-in: " + conf);
    }

    @Test
    void hstsIsOptInAndRedirectOffKeepsEveryNameOnPlainHttp() {
        String conf = new Nginx(home, templates).render(httpsVhost(Path.of("/c/server.crt"), Path.of("/c/server.key"), false, true));
        assertFalse(conf.contains("return 301"), conf);
        assertTrue(conf.contains("listen 80;\n    server_name blog.example.com www.example.com;\n"), conf);
        assertTrue(conf.contains("add_header Strict-Transport-Security \"max-age=31536000\" always;"), conf);
    }

    @Test
    void everyPlainSiteAndTheCatchAllAnswerAcmeChallengesFromPiersDirectory() {
        String location = "location ^~ /.well-known/acme-challenge/ {\n        alias /var/lib/pier-acme-challenge/;";
        assertTrue(new Nginx(home, templates).render(blogVhost()).contains(location));
        assertTrue(new Nginx(home, templates).render(new Nginx.Vhost(AppName.of("blog"), List.of(Domain.of("blog.example.com")),
                List.of())).contains(location), "a stopped app too");
        String catchAll = templates.render("nginx/pier.conf.ftl", Map.of("nginxDir", "/x"));
        assertTrue(catchAll.contains(location), catchAll);
        assertTrue(catchAll.contains("ssl_reject_handshake on;"), "an unknown name gets no app's certificate: " + catchAll);
    }

    @Test
    void nginxAcceptsAnHttpsVhostBesideTheCatchAll() throws Exception {
        SystemHost.requireProgram(NGINX);
        pier.TestPki.Issued cert = pier.TestPki.server(pier.TestPki.ca("Templates CA"), List.of("blog.example.com"));
        Path crt = Files.writeString(tmp.resolve("server.crt"), cert.certificatePem());
        Path key = Files.writeString(tmp.resolve("server.key"), cert.keyPem());
        Path vhosts = Files.createDirectories(tmp.resolve("vhosts"));
        Files.writeString(vhosts.resolve("blog.conf"), new Nginx(home, templates).render(httpsVhost(crt, key, true, true)));
        Files.writeString(vhosts.resolve("shop.conf"), new Nginx(home, templates).render(new Nginx.Vhost(AppName.of("shop"),
                List.of(Domain.of("shop.example.com")), List.of(new Nginx.Upstream("127.0.0.1", 10002)), java.util.Optional.of(
                new Nginx.Tls(List.of(Domain.of("shop.example.com")), crt, key, "sha256:1", true, false)))));
        Path pierConf = tmp.resolve("pier.conf");
        Files.writeString(pierConf, templates.render("nginx/pier.conf.ftl", Map.of("nginxDir", vhosts.toString())));
        assertNginxAccepts("include " + pierConf + ";");
    }

    @Test
    void catchAllConfigAnswers404AndIncludesAppVhosts() {
        String conf = templates.render("nginx/pier.conf.ftl", Map.of("nginxDir", "/var/lib/pier/nginx"));
        assertTrue(conf.contains("default_server"), conf);
        assertTrue(conf.contains("return 404;"), conf);
        assertTrue(conf.contains("include /var/lib/pier/nginx/*.conf;"), conf);
    }

    @Test
    void authorizedKeysForcesPierCommandWithRestrictOnEveryKey() {
        Keys keys = new Keys(home, templates);
        SshKey alice = SshKey.parse(SshKeyTest.ed25519Line("alice@laptop"));
        SshKey bob = SshKey.parse("ssh-rsa " + SshKeyTest.base64(SshKeyTest.rsaBlob()));
        keys.add(KeyName.of("alice"), alice);
        keys.add(KeyName.of("bob"), bob);

        List<String> keyLines = keys.render().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertEquals(2, keyLines.size(), keys.render());
        assertTrue(keyLines.get(0).startsWith(
                "command=\"/usr/local/bin/pier ssh-command --key alice\",restrict,pty ssh-ed25519 " + alice.base64()),
                keyLines.get(0));
        assertTrue(keyLines.get(1).startsWith(
                "command=\"/usr/local/bin/pier ssh-command --key bob\",restrict,pty ssh-rsa " + bob.base64()),
                keyLines.get(1));
    }

    @Test
    void sudoersLetsPierUserOnlyTestAndReloadNginx() {
        String conf = templates.render("sudoers/pier.ftl", Map.of("user", "pier", "nginx", Nginx.BINARY));
        assertTrue(conf.contains("pier ALL=(root) NOPASSWD: /usr/sbin/nginx -t"), conf);
        String rule = conf.lines().filter(l -> l.startsWith("pier ALL=")).findFirst().orElseThrow();
        assertEquals("pier ALL=(root) NOPASSWD: /usr/sbin/nginx -t, /usr/sbin/nginx -t -q, /usr/sbin/nginx -s reload", rule);
    }

    @Test
    void sshdDropInMatchesPierUserAndDisablesPasswordsAndForwarding() {
        String conf = templates.render("sshd/pier.conf.ftl", Map.of("user", "pier"));
        assertTrue(conf.contains("Match User pier"), conf);
        assertTrue(conf.contains("PasswordAuthentication no"), conf);
        assertTrue(conf.contains("AllowTcpForwarding no"), conf);
    }

    @Test
    void launcherExecsJavaWithPierMainAndArguments() {
        String script = Launcher.render(templates, "/usr/bin/java");
        assertTrue(script.startsWith("#!/bin/sh\n"), script);
        assertTrue(script.contains("exec /usr/bin/java"), script);
        assertTrue(script.contains("-cp '/usr/lib/pier/lib/*'"), script);
        assertTrue(script.contains("pier.cli.pier \"$@\""), script);
    }

    @Test
    void overrideTemplateWinsOverShippedOne() throws IOException {
        Path overrides = tmp.resolve("overrides");
        Files.createDirectories(overrides.resolve("nginx"));
        Files.writeString(overrides.resolve("nginx/app.conf.ftl"), "# custom vhost for ${app}\n");

        Templates custom = new Templates(overrides);
        assertEquals("# custom vhost for blog\n", new Nginx(home, custom).render(blogVhost()));
        // Templates without an override still come from the shipped set.
        assertTrue(custom.render("nginx/pier.conf.ftl", Map.of("nginxDir", "/x")).contains("return 404;"));
    }

    @Test
    void missingOverrideDirectoryFallsBackToShippedTemplates() {
        Templates fallback = new Templates(tmp.resolve("does-not-exist"));
        assertTrue(new Nginx(home, fallback).render(blogVhost()).contains("upstream pier-blog {"));
    }

    // ---- nginx -t on the rendered files ----

    @Test
    void nginxAcceptsRenderedVhost() throws Exception {
        SystemHost.requireProgram(NGINX);
        assertNginxAccepts(includedByPierConf(new Nginx(home, templates).render(blogVhost())));
    }

    @Test
    void nginxAcceptsAVhostWithEveryProxySettingChanged() throws Exception {
        SystemHost.requireProgram(NGINX);
        Nginx.Vhost v = blogVhost();
        String conf = new Nginx(home, templates).render(new Nginx.Vhost(v.app(), v.domains(), v.upstreams(), v.tls(),
                new Nginx.Proxying("1g", "3600s", "5s", false)));
        assertTrue(conf.contains("client_max_body_size 1g;") && conf.contains("proxy_read_timeout 3600s;")
                && conf.contains("proxy_send_timeout 5s;") && conf.contains("proxy_buffering off;"), conf);
        assertTrue(conf.contains("proxy_set_header Upgrade $http_upgrade;"), "WebSocket upgrades pass: " + conf);
        assertNginxAccepts(includedByPierConf(conf));
    }

    @Test
    void nginxAcceptsAVhostInMaintenance() throws Exception {
        SystemHost.requireProgram(NGINX);
        Nginx.Vhost v = blogVhost();
        String conf = new Nginx(home, templates).render(new Nginx.Vhost(v.app(), v.domains(), v.upstreams(), v.tls(),
                v.proxying(), java.util.Optional.of(tmp.resolve("pages/blog")), java.util.Optional.empty(), List.of()));
        assertTrue(conf.contains("error_page 503 /pier-maintenance.html;") && !conf.contains("proxy_pass"), conf);
        assertNginxAccepts(includedByPierConf(conf));
    }

    @Test
    void nginxAcceptsAVhostWithHttpAuthAndRedirectsOverHttpAndHttps() throws Exception {
        SystemHost.requireProgram(NGINX);
        pier.TestPki.Issued cert = pier.TestPki.server(pier.TestPki.ca("Templates CA"), List.of("blog.example.com", "www.example.com"));
        Path crt = Files.writeString(tmp.resolve("server.crt"), cert.certificatePem());
        Path key = Files.writeString(tmp.resolve("server.key"), cert.keyPem());
        Nginx.Tls tls = new Nginx.Tls(List.of(Domain.of("blog.example.com"), Domain.of("www.example.com")), crt, key, "sha256:1",
                true, false);
        Nginx.Redirect plain = new Nginx.Redirect(Domain.of("old.example.org"), Domain.of("blog.example.com"));
        Nginx.Redirect covered = new Nginx.Redirect(Domain.of("www.example.com"), Domain.of("blog.example.com"));
        String conf = new Nginx(home, templates).render(new Nginx.Vhost(AppName.of("blog"), List.of(Domain.of("blog.example.com")),
                List.of(new Nginx.Upstream("127.0.0.1", 10000)), java.util.Optional.of(tls), Nginx.Proxying.DEFAULT,
                java.util.Optional.empty(), java.util.Optional.of(tmp.resolve("auth/blog")), List.of(plain, covered)));

        String https = conf.substring(conf.indexOf("# HTTPS"), conf.indexOf("# pier redirect:set"));
        assertTrue(https.contains("auth_basic_user_file " + tmp.resolve("auth/blog") + ";"), conf);
        assertTrue(serverOf(conf, "old.example.org").contains("return 301 $scheme://blog.example.com$request_uri;"), conf);
        assertTrue(serverOf(conf, "www.example.com").contains("listen 443 ssl"),
                "a redirected name the certificate covers is redirected over HTTPS too: " + conf);
        assertFalse(serverOf(conf, "old.example.org").contains("443"), "one it does not cover, over HTTP only: " + conf);
        assertFalse(serverOf(conf, "www.example.com").contains("proxy_pass"), "a redirected name never reaches the app: " + conf);
        assertNginxAccepts(includedByPierConf(conf));
    }

    @Test
    void nginxAcceptsAStoppedAppsVhost() throws Exception {
        SystemHost.requireProgram(NGINX);
        assertNginxAccepts(includedByPierConf(new Nginx(home, templates).render(new Nginx.Vhost(AppName.of("blog"),
                List.of(Domain.of("blog.example.com")), List.of()))));
    }

    /** The server block whose server_name line is exactly {@code name}. */
    private static String serverOf(String conf, String name) {
        int at = conf.indexOf("server_name " + name + ";");
        assertTrue(at >= 0, "no server for " + name + ": " + conf);
        int start = conf.lastIndexOf("server {", at);
        return conf.substring(start, conf.indexOf("\n}", at));
    }

    /** An app's site is read only through pier.conf (which defines what sites use, such as $pier_connection). */
    private String includedByPierConf(String vhost) throws Exception {
        Path vhosts = Files.createDirectories(tmp.resolve("vhosts"));
        Files.writeString(vhosts.resolve("blog.conf"), vhost);
        Path pierConf = tmp.resolve("pier.conf");
        Files.writeString(pierConf, templates.render("nginx/pier.conf.ftl", Map.of("nginxDir", vhosts.toString())));
        return "include " + pierConf + ";";
    }

    @Test
    void nginxAcceptsCatchAllConfigWithTwoAppVhosts() throws Exception {
        SystemHost.requireProgram(NGINX);
        Path vhosts = Files.createDirectories(tmp.resolve("vhosts"));
        Nginx nginx = new Nginx(home, templates);
        Files.writeString(vhosts.resolve("blog.conf"), nginx.render(blogVhost()));
        Files.writeString(vhosts.resolve("shop.conf"), nginx.render(new Nginx.Vhost(AppName.of("shop"),
                List.of(Domain.of("shop.example.com")), List.of(new Nginx.Upstream("127.0.0.1", 10002)))));
        Path pierConf = tmp.resolve("pier.conf");
        Files.writeString(pierConf, templates.render("nginx/pier.conf.ftl", Map.of("nginxDir", vhosts.toString())));
        assertNginxAccepts("include " + pierConf + ";");
    }

    /** Runs nginx -t on a minimal main config whose pid, logs and temp paths all live in the temp dir. */
    private void assertNginxAccepts(String httpBody) throws Exception {
        Path conf = tmp.resolve("nginx.conf");
        Files.writeString(conf, String.join("\n",
                "pid " + tmp.resolve("nginx.pid") + ";",
                "error_log " + tmp.resolve("error.log") + ";",
                "events {}",
                "http {",
                "    access_log " + tmp.resolve("access.log") + ";",
                "    client_body_temp_path " + tmp.resolve("client_body") + ";",
                "    proxy_temp_path " + tmp.resolve("proxy") + ";",
                "    fastcgi_temp_path " + tmp.resolve("fastcgi") + ";",
                "    uwsgi_temp_path " + tmp.resolve("uwsgi") + ";",
                "    scgi_temp_path " + tmp.resolve("scgi") + ";",
                "    " + httpBody,
                "}", ""));
        Process p = new ProcessBuilder(NGINX.toString(), "-t", "-c", conf.toString(), "-p", tmp.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("nginx -t timed out");
        }
        if (p.exitValue() != 0) {
            // nginx -t binds the listen sockets, so port 80 needs root (or CAP_NET_BIND_SERVICE) even here.
            String why = out.contains("Permission denied")
                    ? "nginx -t failed on a permission, not necessarily on pier's config (binding port 80 needs root"
                            + " or CAP_NET_BIND_SERVICE; run the tests as root or grant nginx that capability): "
                    : "nginx -t rejected the rendered config: ";
            fail(why + out + "\n--- " + conf + " ---\n" + Files.readString(conf));
        }
    }
}
