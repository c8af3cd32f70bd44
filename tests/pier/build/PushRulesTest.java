package pier.build;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.access.Actor;
import pier.access.Grants;
import pier.access.Role;
import pier.apps.AppDomains;
import pier.apps.Checks;
import pier.apps.Procfile;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.ProcessType;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules for what a push carries: files pier reads, links, submodule URLs, and argument files on the command line. */
class PushRulesTest {
    @TempDir
    Path tmp;

    @Test
    void aFileIsReadOnlyWhenItIsARegularFileOfThePush() throws IOException {
        Files.writeString(tmp.resolve("Procfile"), "web: run\r\n");
        assertEquals(Optional.of("web: run\n"), PushedFiles.read(tmp, "Procfile"));
        assertEquals(Optional.empty(), PushedFiles.read(tmp, "app.json"));
        Path secret = Files.writeString(Files.createTempFile("secret", ".env"), "OTHER_SECRET=topsecret\n");
        Files.createSymbolicLink(tmp.resolve("CHECKS"), secret);
        PierException e = assertThrows(PierException.class, () -> PushedFiles.read(tmp, "CHECKS"));
        assertTrue(e.getMessage().startsWith("CHECKS in the push is not a regular file"), e.getMessage());
        assertFalse(e.getMessage().contains("topsecret"));
        Files.createDirectories(tmp.resolve("app.json"));
        assertThrows(PierException.class, () -> PushedFiles.read(tmp, "app.json"));
    }

    @Test
    void aFileLargerThanTheLimitOrNotUtf8IsRefused() throws IOException {
        Files.write(tmp.resolve("app.json"), new byte[PushedFiles.MAX_SIZE + 1]);
        assertTrue(assertThrows(PierException.class, () -> PushedFiles.read(tmp, "app.json")).getMessage().contains("larger"));
        Files.write(tmp.resolve("Procfile"), new byte[] {(byte) 0xff, (byte) 0xfe});
        assertTrue(assertThrows(PierException.class, () -> PushedFiles.read(tmp, "Procfile")).getMessage().contains("UTF-8"));
    }

    @Test
    void linksThatLeadOutOfTheCheckoutAreFoundHoweverTheyGetThere() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(root.resolve("www"));
        Files.writeString(root.resolve("www/index.html"), "hi");
        Files.createSymbolicLink(root.resolve("inside"), Path.of("www/index.html"));
        Files.createSymbolicLink(root.resolve("dir"), Path.of("www"));
        assertEquals(List.of(), PushedFiles.linksLeaving(root));
        Files.createSymbolicLink(root.resolve("absolute"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("www/up"), Path.of("../../outside"));
        // Lexically inside, really outside: "here" is the root itself, so here/.. is its parent.
        Files.createSymbolicLink(root.resolve("here"), Path.of("."));
        Files.createSymbolicLink(root.resolve("sneaky"), Path.of("here/../src-sibling"));
        Files.createDirectories(tmp.resolve("src-sibling"));
        assertEquals(List.of("absolute", "sneaky", "www/up"), PushedFiles.linksLeaving(root).stream().sorted().toList());
    }

    @Test
    void submodulesComeOnlyFromHttpsOrAllowedSshHosts() {
        List<String> none = List.of();
        assertNull(Submodules.refusal("https://github.example/team/lib.git", none));
        assertNull(Submodules.refusal("ssh://git@git.example.com/team/lib.git", List.of("git.example.com")));
        assertNull(Submodules.refusal("git@git.example.com:team/lib.git", List.of("git.example.com")));
        for (String url : List.of("/var/lib/pier/apps/other/repo.git", "file:///var/lib/pier/apps/other/repo.git", "../other",
                "./x", "other", "http://example.com/x.git", "git://example.com/x.git", "https://127.0.0.1/x.git",
                "https://localhost/x.git", "https://10.0.0.5/x.git", "https://192.168.1.1/x", "https://[::1]/x",
                "https://169.254.169.254/latest", "https://2130706433/x", "ssh://git@git.example.com/x.git",
                "git@evil.example:x.git", "ssh://localhost/x.git", "https:///x")) {
            assertTrue(Submodules.refusal(url, none) != null, url);
        }
        assertTrue(Submodules.refusal("ssh://git@127.0.0.1/x", List.of("127.0.0.1")) != null);
    }

    @Test
    void aRefusedSubmoduleIsNamedAndTheMessageSaysWhatIsAllowed() {
        PierException e = assertThrows(PierException.class, () -> Submodules.check(
                "[submodule \"lib\"]\n\tpath = lib\n\turl = /var/lib/pier/apps/b/repo.git\n", List.of()));
        assertTrue(e.getMessage().startsWith("submodule 'lib' in .gitmodules: it is a path on this server"), e.getMessage());
        assertTrue(e.getMessage().contains("only from https://"), e.getMessage());
        Submodules.check("[submodule \"lib\"]\n\tpath = lib\n\turl = https://git.example.com/lib.git\n", List.of());
    }

    /** "@FILE" on any command line stays a word: the file is never opened, so its content is never quoted back. */
    @Test
    void anArgumentFileIsNeverExpanded() throws IOException {
        Path secret = Files.writeString(tmp.resolve("env"), "OTHER_SECRET=topsecret\n");
        for (List<String> args : List.of(List.of("@" + secret), List.of("apps:info", "@" + secret),
                List.of("config:get", "blog", "@" + secret))) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = pier.cli.pier.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
            assertEquals(2, code, args + ": " + err);
            assertFalse((out + err.toString()).contains("topsecret"), args + ": " + err);
        }
    }

    @Test
    void aProcfileDeclaresAtMostTwentyTypesAndChecksMayWaitAtMost900Seconds() {
        StringBuilder procfile = new StringBuilder();
        for (int i = 1; i <= Procfile.MAX_TYPES; i++) {
            procfile.append("worker").append(i).append(": run\n");
        }
        assertEquals(Procfile.MAX_TYPES, Procfile.parse(procfile.toString()).commands().size());
        PierException types = assertThrows(PierException.class, () -> Procfile.parse(procfile + "one-more: run\n"));
        assertTrue(types.getMessage().contains("at most 20 process types"), types.getMessage());
        Checks.parseChecksFile("ATTEMPTS=10\nTIMEOUT=30\nWAIT=5\n/\n");
        PierException checks = assertThrows(PierException.class,
                () -> Checks.parseChecksFile("ATTEMPTS=100\nTIMEOUT=3600\nWAIT=5\n/\n"));
        assertTrue(checks.getMessage().contains("at most 900s in all"), checks.getMessage());
    }

    /** Developers claim names for their apps, never the server's own address or every app's name at once. */
    @Test
    void aDeveloperMayNotClaimAnAddressTheGlobalWildcardOrANameOutsideTheAllowedSuffixes() throws IOException {
        PierHome home = new PierHome(tmp);
        Settings settings = new Settings(home);
        settings.globalDomain(Domain.of("example.com"));
        AppDomains domains = new AppDomains(home);
        Actor dev = new Actor("bob", Grants.none().with(AppName.of("blog"), Role.developer));
        for (String d : List.of("*.example.com", "10.0.0.1", "192.168.1.10")) {
            PierException e = assertThrows(PierException.class, () -> domains.refuseBeyondRole(dev, List.of(Domain.of(d))));
            assertTrue(e.getMessage().startsWith("key bob may not claim " + d), e.getMessage());
        }
        domains.refuseBeyondRole(dev, List.of(Domain.of("*.blog.example.com"), Domain.of("www.shop.org")));
        domains.refuseBeyondRole(Actor.LOCAL, List.of(Domain.of("*.example.com"), Domain.of("10.0.0.1")));
        settings.set(AppDomains.DEVELOPER_SUFFIXES, "example.com, apps.example.org");
        domains.refuseBeyondRole(dev, List.of(Domain.of("blog.apps.example.org"), Domain.of("www.example.com")));
        PierException outside = assertThrows(PierException.class, () -> domains.refuseBeyondRole(dev, List.of(Domain.of("shop.org"))));
        assertTrue(outside.getMessage().contains("under example.com, apps.example.org only"), outside.getMessage());
    }

    @Test
    void resourceLimitsAreCheckedAndTypeLimitsWinOverTheAppsOverTheServers() throws IOException {
        PierHome home = new PierHome(tmp);
        AppName blog = AppName.of("blog");
        Files.createDirectories(home.app(blog));
        Resources resources = new Resources(home);
        assertEquals(new Resources.Limits(1L << 30, 0, 512), resources.limits(blog, "web"));
        resources.set(blog, Optional.empty(), Resources.changes(List.of("memory=256m", "pids=100")));
        resources.set(blog, Optional.of(ProcessType.of("worker")), Resources.changes(List.of("memory=64m", "cpus=0.5")));
        assertEquals(new Resources.Limits(256L << 20, 0, 100), resources.limits(blog, "web"));
        assertEquals(new Resources.Limits(64L << 20, 0.5, 100), resources.limits(blog, "worker"));
        assertEquals(Optional.empty(), resources.set(blog, Optional.empty(), Map.of("memory", "256m")));
        resources.set(blog, Optional.empty(), Map.of("memory", "default"));
        assertEquals(1L << 30, resources.limits(blog, "web").memory());
        for (String bad : List.of("memory=5m", "memory=lots", "cpus=-1", "cpus=1e9", "pids=3", "disk=1g", "memory", "pids=1.5")) {
            assertEquals(PierException.USAGE, assertThrows(PierException.class, () -> Resources.changes(List.of(bad))).exitCode(), bad);
        }
        Resources.Confinement c = resources.confinement(blog, "web");
        assertEquals("pier-blog", c.network());
        assertEquals("10m", c.logMaxSize());
        assertEquals(3, c.logMaxFiles());
    }
}
