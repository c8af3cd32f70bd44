package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pier.SystemHost.Result;
import pier.engine.Launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pier on an admin's laptop, played on this host: the packaged CLI as a separate process with its own HOME (keys and
 * known_hosts in ~/.ssh), talking to the installed pier over the real OpenSSH, from inside an app's git checkout and
 * from outside any. What the server does is checked with the local pier, as the server's admin would.
 */
class RemoteCliSystemTest {
    static final String APP = "remotecli";
    static final String KEY = "remotecli";
    static final String OTHER_KEY = "remotecli-stdin";
    static final String DEVELOPER_KEY = "remotecli-dev";
    /** Quotes, $, backticks, spaces and unicode: every word must reach the server as typed, through two SSH hops. */
    static final String AWKWARD = "it's \"quoted\" $HOME `id` $(id) a  b ✓";

    static Path home;
    static Path checkout;
    static Path elsewhere;
    static Path notPierHome;

    @BeforeAll
    static void laptop() throws IOException {
        SystemHost.installWithAdminKey("pier.test");
        Path hostKey = Path.of("/etc/ssh/ssh_host_ed25519_key.pub");
        assertTrue(Files.isRegularFile(hostKey), "this test records the server's ed25519 host key, and " + hostKey + " is missing");

        home = Files.createTempDirectory("pier-remote-home-");
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Result keygen = SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "laptop@remote", "-f",
                ssh.resolve("id_ed25519").toString());
        assertEquals(0, keygen.code(), keygen.output());
        // Only the ed25519 key, as OpenSSH records it today: pier must ask the server for that type, not MINA's first choice.
        String[] recorded = Files.readString(hostKey).strip().split("\\s+");
        Files.writeString(ssh.resolve("known_hosts"), "localhost " + recorded[0] + " " + recorded[1] + "\n");

        SystemHost.pier("ssh-keys:remove", KEY);
        SystemHost.pier("ssh-keys:remove", OTHER_KEY);
        Result add = SystemHost.pierWithInput(Files.readString(ssh.resolve("id_ed25519.pub")), "ssh-keys:add", KEY);
        assertEquals(0, add.code(), add.output());

        SystemHost.pier("apps:destroy", APP, "--force");
        Result create = SystemHost.pier("apps:create", APP);
        assertEquals(0, create.code(), create.output());

        checkout = Files.createTempDirectory("pier-remote-checkout-");
        assertEquals(0, SystemHost.run(checkout, Map.of(), null, "git", "init", "-q").code());
        assertEquals(0, SystemHost.run(checkout, Map.of(), null, "git", "remote", "add", "origin",
                "git@github.com:example/" + APP + ".git").code());
        assertEquals(0, SystemHost.run(checkout, Map.of(), null, "git", "remote", "add", "pier", "pier@localhost:" + APP).code());
        elsewhere = Files.createTempDirectory("pier-remote-elsewhere-");
        notPierHome = home.resolve("no-pier-state-here");
    }

    @AfterAll
    static void cleanUp() {
        if (home == null) {
            return;
        }
        SystemHost.pier("apps:destroy", APP, "--force");
        SystemHost.pier("ssh-keys:remove", KEY);
        SystemHost.pier("ssh-keys:remove", OTHER_KEY);
        SystemHost.pier("ssh-keys:remove", DEVELOPER_KEY);
    }

    /** The packaged CLI in {@code dir} with the laptop's HOME, as a person runs it: {@code pier ARGS}. */
    static Result cli(Path dir, Path userHome, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", SystemHost.JAR.toString(), Launcher.MAIN));
        command.addAll(List.of(args));
        // PIER_HOME points nowhere: were the remote path to open pier's state on this side, it would show up there.
        // A laptop's locale is UTF-8, and pier passes it on as ssh does, so the server reads the words in it.
        return SystemHost.run(dir, Map.of("HOME", userHome.toString(), "PIER_HOME", notPierHome.toString(),
                "LANG", "C.UTF-8"), stdin, command.toArray(String[]::new));
    }

    static String serverValue(String key) {
        return SystemHost.pier("config:get", APP, key).output();
    }

    /** A developer's laptop: the role is the server's to enforce, so its app's config works and a server command is refused. */
    @Test
    void aDeveloperKeySetsItsAppsConfigFromTheCheckoutAndNoMore() throws IOException {
        Path developer = Files.createTempDirectory("pier-remote-developer-");
        Path ssh = Files.createDirectories(developer.resolve(".ssh"));
        Files.copy(home.resolve(".ssh/known_hosts"), ssh.resolve("known_hosts"));
        assertEquals(0, SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dev@laptop", "-f",
                ssh.resolve("id_ed25519").toString()).code());
        SystemHost.pier("ssh-keys:remove", DEVELOPER_KEY);
        Result allow = SystemHost.pierWithInput(Files.readString(ssh.resolve("id_ed25519.pub")), "developer:allow", APP, DEVELOPER_KEY);
        assertEquals(0, allow.code(), allow.output());

        Result set = cli(checkout, developer, null, "config:set", "--no-restart", "FROM_DEVELOPER=yes");
        assertEquals(0, set.code(), set.output());
        assertEquals("yes\n", serverValue("FROM_DEVELOPER"));

        Result list = cli(elsewhere, developer, null, "--remote", "pier@localhost", "apps:list");
        assertEquals(1, list.code(), list.output());
        assertTrue(list.output().contains("error: key " + DEVELOPER_KEY + " may not run apps:list"), list.output());
    }

    @Test
    void configSetInTheCheckoutSetsTheValueOnTheServerWithTheAppFromTheGitRemote() {
        Result set = cli(checkout, home, null, "config:set", "GREETING=" + AWKWARD);
        assertEquals(0, set.code(), set.output());
        assertEquals(AWKWARD + "\n", serverValue("GREETING"));
        assertFalse(Files.exists(notPierHome), "the remote path created pier state on the client side");
    }

    @Test
    void configGetInTheCheckoutPrintsTheServersValue() {
        assertEquals(0, SystemHost.pier("config:set", APP, "--no-restart", "COLOUR=teal blue").code());
        Result get = cli(checkout, home, null, "config:get", "COLOUR");
        assertEquals(0, get.code(), get.output());
        assertEquals("teal blue\n", get.output());
    }

    @Test
    void typingTheAppAsWellInItsCheckoutStillWorks() {
        Result set = cli(checkout, home, null, "config:set", APP, "--no-restart", "HABIT=dokku");
        assertEquals(0, set.code(), set.output());
        assertEquals("dokku\n", serverValue("HABIT"));
    }

    @Test
    void failingCommandGivesTheServersExitCodeAndErrorLine() {
        Result missing = cli(checkout, home, null, "config:get", "NOT_SET_ANYWHERE");
        Result local = SystemHost.pier("config:get", APP, "NOT_SET_ANYWHERE");
        assertEquals(1, missing.code(), missing.output());
        assertEquals(local.output(), missing.output());
        assertTrue(missing.output().startsWith("error: "), missing.output());

        Result usage = cli(checkout, home, null, "config:set", "NOT-A-PAIR");
        assertEquals(2, usage.code(), usage.output());
        assertEquals(SystemHost.pier("config:set", APP, "NOT-A-PAIR").output(), usage.output());
    }

    @Test
    void remoteOptionListsAppsFromOutsideAnyCheckout() {
        Result list = cli(elsewhere, home, null, "--remote", "pier@localhost", "apps:list");
        assertEquals(0, list.code(), list.output());
        assertTrue(list.output().lines().anyMatch(APP::equals), list.output());

        Result named = cli(elsewhere, home, null, "--remote", "pier@localhost", "-a", APP, "config:get", "HABIT_UNSET");
        assertEquals(1, named.code(), named.output());
        assertTrue(named.output().contains(APP), named.output());
    }

    @Test
    void stdinReachesTheServer() throws IOException {
        Path other = Files.createTempDirectory("pier-remote-other-key-").resolve("id_ed25519");
        assertEquals(0, SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "other@remote", "-f",
                other.toString()).code());
        String pub = Files.readString(Path.of(other + ".pub"));
        Result add = cli(elsewhere, home, pub, "--remote", "pier@localhost", "ssh-keys:add", OTHER_KEY);
        assertEquals(0, add.code(), add.output());
        String fingerprint = SystemHost.run("ssh-keygen", "-l", "-f", other + ".pub").output().split("\\s+")[1];
        assertTrue(SystemHost.pier("ssh-keys:list").output().lines().anyMatch(l -> l.contains(OTHER_KEY) && l.contains(fingerprint)),
                SystemHost.pier("ssh-keys:list").output());
    }

    @Test
    void unknownHostKeyIsRefusedAndChangesNothing() throws IOException {
        assertEquals(0, SystemHost.pier("config:set", APP, "--no-restart", "GUARDED=before").code());
        Path stranger = Files.createTempDirectory("pier-remote-stranger-");
        Path ssh = Files.createDirectories(stranger.resolve(".ssh"));
        Files.copy(home.resolve(".ssh/id_ed25519"), ssh.resolve("id_ed25519"));
        Files.writeString(ssh.resolve("known_hosts"), "");

        Result refused = cli(checkout, stranger, null, "config:set", "--no-restart", "GUARDED=after");
        assertEquals(1, refused.code(), refused.output());
        assertEquals(1, refused.output().lines().count(), refused.output());
        assertTrue(refused.output().startsWith("error: ") && refused.output().contains("ssh pier@localhost")
                && refused.output().contains("known_hosts"), refused.output());
        assertEquals("before\n", serverValue("GUARDED"));
        assertEquals("", Files.readString(ssh.resolve("known_hosts")), "the host key was recorded without the user");
    }

    @Test
    void changedHostKeyIsRefusedWithHowToFixIt() throws IOException {
        Path impostor = Files.createTempDirectory("pier-remote-impostor-");
        Path ssh = Files.createDirectories(impostor.resolve(".ssh"));
        Files.copy(home.resolve(".ssh/id_ed25519"), ssh.resolve("id_ed25519"));
        Path fake = impostor.resolve("fake_host_key");
        assertEquals(0, SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", fake.toString()).code());
        String[] recorded = Files.readString(Path.of(fake + ".pub")).strip().split("\\s+");
        Files.writeString(ssh.resolve("known_hosts"), "localhost " + recorded[0] + " " + recorded[1] + "\n");

        Result refused = cli(elsewhere, impostor, null, "--remote", "pier@localhost", "apps:list");
        assertEquals(1, refused.code(), refused.output());
        assertTrue(refused.output().startsWith("error: ") && refused.output().contains("CHANGED")
                && refused.output().contains("ssh-keygen -R localhost"), refused.output());
        assertFalse(refused.output().contains(APP), refused.output());
    }

    @Test
    void noServerListeningIsOneErrorLine() {
        Result refused = cli(elsewhere, home, null, "--remote", "pier@localhost:1", "apps:list");
        assertEquals(1, refused.code(), refused.output());
        assertEquals(1, refused.output().lines().count(), refused.output());
        assertTrue(refused.output().startsWith("error: cannot connect to pier@localhost:1"), refused.output());
    }
}
