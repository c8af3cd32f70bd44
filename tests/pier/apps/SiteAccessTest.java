package pier.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.access.Actor;
import pier.access.Grants;
import pier.access.Role;
import pier.base.PierException;
import pier.engine.Nginx;
import pier.engine.Proxy;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.AuthUser;
import pier.names.Domain;
import pier.state.PierHome;
import pier.state.Settings;

/** What stands in front of an app's site: HTTP basic auth and redirected names, rendered as Nginx would get them. */
class SiteAccessTest {
    static final AppName BLOG = AppName.of("blog");
    static final AppName SHOP = AppName.of("shop");

    @TempDir
    Path tmp;
    PierHome home;
    Path passwords;
    SiteProxy proxy;
    Routing routing;
    HttpAuth auth;

    /** Writes each site as Nginx would get it; refuses every site while {@code refuse} is set, as a failed nginx -t. */
    final class SiteProxy implements Proxy {
        final Nginx nginx;
        boolean refuse;

        SiteProxy(Templates templates) {
            nginx = new Nginx(home, templates);
        }

        @Override
        public void apply(Nginx.Vhost vhost) {
            if (refuse) {
                throw PierException.failed("nginx rejected the new configuration for " + vhost.app() + ", kept the old one");
            }
            try {
                Files.createDirectories(home.nginx());
                Files.writeString(home.vhost(vhost.app()), nginx.render(vhost));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public List<Nginx.Upstream> routed(AppName app) {
            return nginx.routed(app);
        }

        @Override
        public void remove(AppName app) {
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        home = new PierHome(Files.createDirectories(tmp.resolve("home")));
        passwords = tmp.resolve("auth");
        new Settings(home).globalDomain(Domain.of("pier.test"));
        proxy = new SiteProxy(new Templates(Files.createDirectories(tmp.resolve("no-overrides"))));
        routing = new Routing(home, () -> null, proxy);
        auth = new HttpAuth(home, routing, passwords);
        for (AppName app : List.of(BLOG, SHOP)) {
            new Apps(home).create(app);
            routing.switchTo(app, new Apps(home).domains(app), List.of(new Nginx.Upstream("127.0.0.1", 20000)));
        }
    }

    String site(AppName app) throws IOException {
        return Files.readString(home.vhost(app));
    }

    Redirects redirects(Actor actor) {
        return new Redirects(home, actor, routing);
    }

    @Test
    void httpAuthKeepsOnlyABcryptHashReadableByNginxsGroupAndTheSiteAsksForAUser() throws IOException {
        assertTrue(auth.on(BLOG, AuthUser.of("alice"), "s3cret pass"));

        Path published = passwords.resolve("blog");
        String line = Files.readString(published).strip();
        assertTrue(line.startsWith("alice:$2y$05$"), line);
        assertFalse(line.contains("s3cret"), "never the password itself");
        assertTrue(OpenBSDBCrypt.checkPassword(line.substring("alice:".length()), "s3cret pass".toCharArray()));
        assertFalse(OpenBSDBCrypt.checkPassword(line.substring("alice:".length()), "s3cret".toCharArray()));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(published)));
        assertTrue(site(BLOG).contains("auth_basic_user_file " + PierHome.PASSWORDS.resolve("blog") + ";"), site(BLOG));
        assertFalse(site(SHOP).contains("auth_basic_user_file"), "other apps are not asked");
    }

    @Test
    void aSecondUserIsAddedAPasswordChangedAndOffForgetsThemAllAndTheSiteStopsAsking() throws IOException {
        auth.on(BLOG, AuthUser.of("alice"), "one");
        String aliceFirst = Files.readString(passwords.resolve("blog"));
        assertFalse(auth.on(BLOG, AuthUser.of("bob"), "two"), "already on");
        assertFalse(auth.on(BLOG, AuthUser.of("alice"), "three"));
        assertEquals(List.of("alice", "bob"), auth.users(BLOG));
        assertFalse(Files.readString(passwords.resolve("blog")).contains(aliceFirst.strip()), "alice's hash changed");

        assertTrue(auth.off(BLOG));
        assertFalse(auth.off(BLOG));
        assertEquals(List.of(), auth.users(BLOG));
        assertFalse(Files.exists(passwords.resolve("blog")));
        assertFalse(site(BLOG).contains("auth_basic_user_file"), site(BLOG));
    }

    @Test
    void anEmptyOverlongOrMultiLinePasswordIsRefusedAndChangesNothing() throws IOException {
        String before = site(BLOG);
        for (String bad : List.of("", "x".repeat(73), "two\rlines", "tab\there")) {
            PierException e = assertThrows(PierException.class, () -> auth.on(BLOG, AuthUser.of("alice"), bad));
            assertEquals(PierException.USAGE, e.exitCode(), e.getMessage());
        }
        assertEquals(List.of(), auth.users(BLOG));
        assertFalse(Files.exists(passwords.resolve("blog")));
        assertEquals(before, site(BLOG));
    }

    @Test
    void aUserNameThatCouldBreakThePasswordFileIsRefused() {
        for (String bad : List.of("a:b", "", "-x", "a b", "a\nb", "x".repeat(65))) {
            assertThrows(PierException.class, () -> AuthUser.of(bad), bad);
        }
    }

    @Test
    void aSiteNginxRefusesLeavesHttpAuthAsItWas() throws IOException {
        String before = site(BLOG);
        proxy.refuse = true;
        assertThrows(PierException.class, () -> auth.on(BLOG, AuthUser.of("alice"), "one"));
        proxy.refuse = false;
        assertEquals(List.of(), auth.users(BLOG));
        assertFalse(Files.exists(passwords.resolve("blog")), "no password file left behind");
        assertEquals(before, site(BLOG));
    }

    @Test
    void aRedirectedNameAnswers301ToItsTargetWithThePathAndUnsetStopsIt() throws IOException {
        assertTrue(redirects(Actor.LOCAL).set(BLOG, Domain.of("old.example.org"), Domain.of("blog.example.com")));
        assertFalse(redirects(Actor.LOCAL).set(BLOG, Domain.of("old.example.org"), Domain.of("blog.example.com")));
        assertTrue(site(BLOG).contains("server_name old.example.org;"), site(BLOG));
        assertTrue(site(BLOG).contains("return 301 $scheme://blog.example.com$request_uri;"), site(BLOG));
        assertEquals(List.of(new Nginx.Redirect(Domain.of("old.example.org"), Domain.of("blog.example.com"))),
                redirects(Actor.LOCAL).list(BLOG));

        assertTrue(redirects(Actor.LOCAL).unset(BLOG, Domain.of("old.example.org")));
        assertFalse(redirects(Actor.LOCAL).unset(BLOG, Domain.of("old.example.org")));
        assertFalse(site(BLOG).contains("old.example.org"), site(BLOG));
    }

    @Test
    void aRedirectedNameBelongsToItsAppAloneLikeADomain() {
        AppDomains domains = new AppDomains(home, Actor.LOCAL, (app, served) -> true);
        domains.add(SHOP, List.of(Domain.of("shop.example.com")));
        redirects(Actor.LOCAL).set(BLOG, Domain.of("old.example.org"), Domain.of("blog.example.com"));

        PierException taken = assertThrows(PierException.class, () -> domains.add(SHOP, List.of(Domain.of("old.example.org"))));
        assertTrue(taken.getMessage().contains("old.example.org is redirected by the app blog"), taken.getMessage());
        PierException own = assertThrows(PierException.class, () -> domains.add(BLOG, List.of(Domain.of("old.example.org"))));
        assertTrue(own.getMessage().contains("pier redirect:unset blog old.example.org"), own.getMessage());
        PierException otherApps = assertThrows(PierException.class,
                () -> redirects(Actor.LOCAL).set(BLOG, Domain.of("shop.example.com"), Domain.of("blog.example.com")));
        assertTrue(otherApps.getMessage().contains("already a domain of shop"), otherApps.getMessage());
        PierException served = assertThrows(PierException.class,
                () -> redirects(Actor.LOCAL).set(BLOG, Domain.of("blog.pier.test"), Domain.of("blog.example.com")));
        assertTrue(served.getMessage().contains("is a name blog answers on"), served.getMessage());
        assertThrows(PierException.class,
                () -> redirects(Actor.LOCAL).set(SHOP, Domain.of("old.example.org"), Domain.of("shop.example.com")));
        assertEquals(java.util.Optional.of(BLOG), domains.owner(Domain.of("old.example.org")));
    }

    @Test
    void aWildcardALoopAndANameBeyondTheKeysRoleAreRefusedAndChangeNothing() throws IOException {
        String before = site(BLOG);
        Actor developer = new Actor("dev", Grants.none().with(BLOG, Role.developer));
        List<Runnable> attempts = List.of(
                () -> redirects(Actor.LOCAL).set(BLOG, Domain.of("*.example.org"), Domain.of("blog.example.com")),
                () -> redirects(Actor.LOCAL).set(BLOG, Domain.of("old.example.org"), Domain.of("old.example.org")),
                () -> redirects(developer).set(BLOG, Domain.of("10.0.0.1"), Domain.of("blog.example.com")),
                () -> redirects(developer).set(BLOG, Domain.of("*.pier.test"), Domain.of("blog.example.com")));
        for (Runnable attempt : attempts) {
            assertThrows(PierException.class, attempt::run);
        }
        assertEquals(List.of(), redirects(Actor.LOCAL).list(BLOG));
        assertEquals(before, site(BLOG));
    }

    @Test
    void aSiteNginxRefusesLeavesTheRedirectsAsTheyWere() throws IOException {
        String before = site(BLOG);
        proxy.refuse = true;
        assertThrows(PierException.class,
                () -> redirects(Actor.LOCAL).set(BLOG, Domain.of("old.example.org"), Domain.of("blog.example.com")));
        proxy.refuse = false;
        assertEquals(List.of(), redirects(Actor.LOCAL).list(BLOG));
        assertEquals(before, site(BLOG));
    }
}
