package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pier.SystemHost.Result;
import pier.names.AppName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a power loss can leave, and root's own key files. A zero-length key file and a zero-length release file
 * (what an unsynced rename left before pier synced its files) are each reported, naming the file, and every other
 * key and app still works over real SSH, git, Docker and Nginx. As root, keys in {@code /root} are added with the
 * FILE forms the README documents, although the commands themselves run as the pier user.
 */
class StateDamageSystemTest {
    static final String A = "damage-a";
    static final String B = "damage-b";
    static final List<String> KEYS = List.of("damage-broken", "damage-ok", "damage-ci", "root-alice", "root-ci", "root-dev",
            "root-not-a-key");
    static final PierHome HOME = new PierHome(PierHome.DEFAULT);

    static Path admin;
    static Path repo;

    @BeforeAll
    static void twoApps() throws IOException {
        admin = SystemHost.installWithAdminKey("pier.test");
        cleanUp();
        repo = SystemHost.busyboxRepo(admin);
        assertOk(SystemHost.pushBusybox(repo, admin, A, "a1"));
        assertOk(SystemHost.pushBusybox(repo, admin, B, "b1"));
    }

    @AfterAll
    static void cleanUp() {
        if (admin == null) {
            return;
        }
        for (String app : List.of(A, B)) {
            SystemHost.pier("apps:destroy", app, "--force");
        }
        KEYS.forEach(k -> SystemHost.pier("ssh-keys:remove", k));
    }

    static void assertOk(Result r) {
        assertEquals(0, r.code(), r.output());
    }

    static Path newKey(Path dir, String name) throws IOException {
        Path key = dir.resolve(name);
        assertOk(SystemHost.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@damage", "-f", key.toString()));
        return key;
    }

    @Test
    void aZeroLengthKeyFileIsReportedAndEveryOtherKeyStillWorks() throws IOException {
        Path dir = Files.createTempDirectory("pier-damage-keys-");
        Path broken = newKey(dir, "broken");
        Path ok = newKey(dir, "ok");
        Path ci = newKey(dir, "ci");
        assertOk(SystemHost.pierWithInput(Files.readString(Path.of(broken + ".pub")), "ssh-keys:add", "damage-broken"));
        assertOk(SystemHost.pierWithInput(Files.readString(Path.of(ok + ".pub")), "ssh-keys:add", "damage-ok"));
        assertOk(SystemHost.pierWithInput(Files.readString(Path.of(ci + ".pub")), "deploy:allow", B, "damage-ci"));
        Path file = HOME.keys().resolve("damage-broken.pub");
        try {
            Files.write(file, new byte[0]);

            // Every other key: pier's commands over SSH, and git.
            assertOk(SystemHost.ssh(admin, null, "apps:list"));
            assertOk(SystemHost.ssh(ok, null, "releases", B));
            assertOk(SystemHost.git(repo, ci, "ls-remote", "pier@localhost:" + B, "refs/heads/main"));

            // The damaged key's own login says what is wrong (authorized_keys still lists it until the next change).
            Result own = SystemHost.ssh(broken, null, "apps:list");
            assertEquals(1, own.code(), own.output());
            assertTrue(own.output().contains("error: " + file + " is damaged") && own.output().contains("ssh-keys:remove"),
                    own.output());

            // The admin is told, and the listing goes on with the others.
            Result list = SystemHost.pier("ssh-keys:list");
            assertOk(list);
            assertTrue(list.output().contains("warning: skipped " + file + ": it is empty"), list.output());
            assertTrue(list.output().contains("damage-ok") && list.output().contains("systest"), list.output());

            // The next change of the keys renders authorized_keys without it.
            assertOk(SystemHost.pier("ssh-keys:remove", "damage-ok"));
            String authorized = Files.readString(HOME.authorizedKeys());
            assertFalse(authorized.contains("--key damage-broken"), authorized);
            assertTrue(authorized.contains("--key systest"), authorized);

            // And removing the damaged key clears the warning.
            assertOk(SystemHost.pier("ssh-keys:remove", "damage-broken"));
            Result after = SystemHost.pier("ssh-keys:list");
            assertOk(after);
            assertFalse(after.output().contains("warning: skipped"), after.output());
        } finally {
            KEYS.forEach(k -> SystemHost.pier("ssh-keys:remove", k));
        }
    }

    @Test
    void aZeroLengthReleaseFileIsReportedAndTheOtherAppsStillDeploy() throws IOException {
        Path file = HOME.releases(AppName.of(A)).resolve("v1.properties");
        byte[] original = Files.readAllBytes(file);
        try {
            Files.write(file, new byte[0]);

            // A's commands say what is wrong, and go on.
            Result releasesA = SystemHost.pier("releases", A);
            assertOk(releasesA);
            assertTrue(releasesA.output().contains("warning: skipped " + file + ": it is empty"), releasesA.output());
            Result infoA = SystemHost.ssh(admin, null, "apps:info", A);
            assertOk(infoA);
            assertTrue(infoA.output().contains("warning: skipped " + file), infoA.output());

            // Every other app: listed, deployed anew, served, and its releases shown without a word about A's file.
            Result apps = SystemHost.pier("apps:list");
            assertOk(apps);
            assertTrue(apps.output().contains(A) && apps.output().contains(B), apps.output());
            Result push = SystemHost.pushBusybox(repo, admin, B, "b2");
            assertOk(push);
            assertTrue(push.output().contains("is live"), push.output());
            assertFalse(push.output().contains("warning: skipped"), push.output());
            assertEquals("b2", SystemHost.get(B + ".pier.test").body());
            Result releasesB = SystemHost.pier("releases", B);
            assertOk(releasesB);
            assertTrue(releasesB.output().contains("v2") && !releasesB.output().contains("warning: skipped"), releasesB.output());
        } finally {
            Files.write(file, original);
        }
        assertFalse(SystemHost.pier("releases", A).output().contains("warning: skipped"));
    }

    @Test
    void rootAddsKeysFromFilesOnlyRootCanRead() throws IOException {
        Path dir = Path.of("/root").resolve(".pier-systest-keys");
        String rootMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/root")));
        try {
            Files.setPosixFilePermissions(Path.of("/root"), PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path alice = newKey(dir, "alice");
            Path ci = newKey(dir, "ci");
            Path dev = newKey(dir, "dev");
            for (Path key : List.of(alice, ci, dev)) {
                Files.setPosixFilePermissions(Path.of(key + ".pub"), PosixFilePermissions.fromString("rw-------"));
            }
            assertFalse(SystemHost.run("runuser", "-u", PierHome.USER, "--", "cat", alice + ".pub").code() == 0,
                    "the pier user cannot read root's key file");

            // The README's form, and the FILE forms of the role commands.
            assertOk(SystemHost.pier("ssh-keys:add", "root-alice", alice + ".pub"));
            assertOk(SystemHost.pier("deploy:allow", B, "root-ci", ci + ".pub"));
            assertOk(SystemHost.pier("developer:allow", B, "root-dev", dev + ".pub"));

            // Each key then logs in over SSH with what it was given.
            Result list = SystemHost.ssh(alice, null, "ssh-keys:list");
            assertOk(list);
            assertTrue(list.output().contains("root-alice") && list.output().contains("admin"), list.output());
            assertOk(SystemHost.git(repo, ci, "ls-remote", "pier@localhost:" + B, "refs/heads/main"));
            assertOk(SystemHost.ssh(dev, null, "releases", B));

            // A file that is no key stops as root, with one error line, and adds nothing.
            Path notAKey = Files.writeString(dir.resolve("not-a-key"), "root:secret-hash:19000:0:99999:7:::\n");
            Result refused = SystemHost.pier("ssh-keys:add", "root-not-a-key", notAKey.toString());
            assertEquals(2, refused.code(), refused.output());
            assertTrue(refused.output().contains("error: not a public key") && !refused.output().contains("secret"), refused.output());
            assertFalse(Files.exists(HOME.keys().resolve("root-not-a-key.pub")));
        } finally {
            KEYS.forEach(k -> SystemHost.pier("ssh-keys:remove", k));
            SystemHost.run("rm", "-rf", dir.toString());
            Files.setPosixFilePermissions(Path.of("/root"), PosixFilePermissions.fromString(rootMode));
        }
    }
}
