package pier.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.KeyName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deploy and developer keys: one key, one name, a role per app; nothing a key is not granted. */
class KeyGrantsTest {
    @TempDir
    Path tmp;

    PierHome home;
    Keys keys;
    final AppName blog = AppName.of("blog");
    final AppName api = AppName.of("api");

    @BeforeEach
    void setUp() throws IOException {
        home = new PierHome(tmp.resolve("home"));
        keys = new Keys(home, new Templates(Files.createDirectories(tmp.resolve("no-overrides"))));
    }

    private static SshKey key(String comment) {
        return SshKey.parse(SshKeyTest.ed25519Line(comment));
    }

    @Test
    void grantWithoutNameNamesTheKeyByItsComment() {
        Keys.Granted granted = keys.grant(blog, Role.deploy, Optional.empty(), key("ci@example"));
        assertEquals("ci@example", granted.entry().name().value());
        assertTrue(granted.newKey());
        assertEquals(Optional.of(Role.deploy), keys.get(KeyName.of("ci@example")).orElseThrow().grants().on(blog));
    }

    @Test
    void grantWithoutNameOrUsableCommentIsRefusedAndStoresNothing() {
        PierException e = assertThrows(PierException.class, () -> keys.grant(blog, Role.deploy, Optional.empty(), key("")));
        assertEquals(PierException.USAGE, e.exitCode());
        assertThrows(PierException.class, () -> keys.grant(blog, Role.deploy, Optional.empty(), key("two words")));
        assertEquals(List.of(), keys.list());
    }

    @Test
    void sameKeyGrantedASecondAppKeepsOneNameAndBothApps() {
        SshKey ci = key("ci");
        keys.grant(blog, Role.deploy, Optional.of(KeyName.of("ci")), ci);
        Keys.Granted second = keys.grant(api, Role.developer, Optional.empty(), ci);
        assertFalse(second.newKey());
        Grants grants = keys.get(KeyName.of("ci")).orElseThrow().grants();
        assertEquals(Optional.of(Role.deploy), grants.on(blog));
        assertEquals(Optional.of(Role.developer), grants.on(api));
        assertEquals(1, keys.list().size());
    }

    @Test
    void sameKeyUnderAnotherNameIsRefused() {
        SshKey ci = key("ci");
        keys.grant(blog, Role.deploy, Optional.of(KeyName.of("ci")), ci);
        PierException e = assertThrows(PierException.class, () -> keys.grant(api, Role.deploy, Optional.of(KeyName.of("other")), ci));
        assertTrue(e.getMessage().contains("already added as ci"), e.getMessage());
        assertEquals(Optional.empty(), keys.get(KeyName.of("ci")).orElseThrow().grants().on(api));
    }

    @Test
    void anAdminKeyCannotBeNarrowedToAnApp() {
        SshKey alice = key("alice");
        keys.add(KeyName.of("alice"), alice);
        assertThrows(PierException.class, () -> keys.grant(blog, Role.deploy, Optional.empty(), alice));
        assertTrue(keys.get(KeyName.of("alice")).orElseThrow().grants().admin());
    }

    @Test
    void aTakenNameWithAnotherKeyIsRefused() {
        keys.grant(blog, Role.deploy, Optional.of(KeyName.of("ci")), key("ci"));
        assertThrows(PierException.class, () -> keys.grant(blog, Role.deploy, Optional.of(KeyName.of("ci")), key("ci")));
        assertEquals(1, keys.list().size());
    }

    @Test
    void revokingTheLastAppRemovesTheKeyFromAuthorizedKeys() throws IOException {
        SshKey ci = key("ci");
        keys.grant(blog, Role.deploy, Optional.of(KeyName.of("ci")), ci);
        assertTrue(Files.readString(home.authorizedKeys()).contains(ci.base64()));
        assertEquals(Optional.empty(), keys.revoke(KeyName.of("ci"), blog, Role.deploy));
        assertFalse(Files.readString(home.authorizedKeys()).contains(ci.base64()));
        assertEquals(List.of(), keys.list());
        assertFalse(Files.exists(home.keys().resolve("ci.grants")));
    }

    @Test
    void revokingTheWrongRoleChangesNothing() {
        keys.grant(blog, Role.developer, Optional.of(KeyName.of("dev")), key("dev"));
        assertThrows(PierException.class, () -> keys.revoke(KeyName.of("dev"), blog, Role.deploy));
        assertEquals(Optional.of(Role.developer), keys.get(KeyName.of("dev")).orElseThrow().grants().on(blog));
    }

    @Test
    void forgettingADestroyedAppDropsItsGrantsAndKeysLeftWithNone() {
        keys.grant(blog, Role.deploy, Optional.of(KeyName.of("ci")), key("ci"));
        keys.grant(blog, Role.developer, Optional.of(KeyName.of("dev")), key("dev"));
        keys.grant(api, Role.developer, Optional.of(KeyName.of("dev")), keys.get(KeyName.of("dev")).orElseThrow().key());
        keys.forget(blog);
        assertTrue(keys.get(KeyName.of("ci")).isEmpty());
        assertEquals("developer:api", keys.get(KeyName.of("dev")).orElseThrow().grants().describe());
    }

    /** Fail closed: a key whose grants file is missing (lost, or never written) may do nothing. */
    @Test
    void aKeyWithoutGrantsFileIsGrantedNothing() throws IOException {
        SshKey old = key("old");
        Files.createDirectories(home.keys());
        Files.writeString(home.keys().resolve("old.pub"), old.line() + "\n");
        Grants grants = keys.get(KeyName.of("old")).orElseThrow().grants();
        assertFalse(grants.admin());
        assertTrue(grants.apps().isEmpty());
    }

    /** Keys stored before roles existed were admins: the upgrade writes that down for each by name, once. */
    @Test
    void theUpgradeMarksKeysStoredBeforeRolesAsAdminsExplicitly() throws IOException {
        keys.add(KeyName.of("alice"), key("alice"));
        Files.createDirectories(home.keys());
        Files.writeString(home.keys().resolve("old.pub"), key("old").line() + "\n");
        assertEquals(List.of(KeyName.of("old")), keys.migrateImplicitAdmins(true));
        assertFalse(keys.get(KeyName.of("old")).orElseThrow().grants().admin(), "a dry run changed the key");
        assertEquals(List.of(KeyName.of("old")), keys.migrateImplicitAdmins(false));
        assertTrue(keys.get(KeyName.of("old")).orElseThrow().grants().admin());
        assertTrue(Files.readString(home.keys().resolve("old.grants")).contains(Grants.ADMIN_LINE));
        assertEquals(List.of(), keys.migrateImplicitAdmins(false));
    }

    /** Only the exact admin line makes an admin: mixed with app grants it grants nothing more. */
    @Test
    void theAdminLineMixedWithAppGrantsMakesNoAdmin() throws IOException {
        keys.grant(blog, Role.deploy, Optional.of(KeyName.of("ci")), key("ci"));
        Files.writeString(home.keys().resolve("ci.grants"), "*=admin\nblog=deploy\n");
        Grants grants = keys.get(KeyName.of("ci")).orElseThrow().grants();
        assertFalse(grants.admin());
        assertEquals(Optional.of(Role.deploy), grants.on(blog));
    }

    /** A hand-edited or broken grants line grants nothing rather than everything. */
    @Test
    void anUnreadableGrantsLineGrantsNothing() throws IOException {
        keys.grant(blog, Role.deploy, Optional.of(KeyName.of("ci")), key("ci"));
        Files.writeString(home.keys().resolve("ci.grants"), "blog=admin\nAPI=developer\n");
        Grants grants = keys.get(KeyName.of("ci")).orElseThrow().grants();
        assertFalse(grants.admin());
        assertTrue(grants.apps().isEmpty());
    }

    @Test
    void onlyKeysThatMayEnterAContainerGetAPty() throws IOException {
        SshKey ci = key("ci");
        SshKey dev = key("dev");
        keys.grant(blog, Role.deploy, Optional.of(KeyName.of("ci")), ci);
        keys.grant(blog, Role.developer, Optional.of(KeyName.of("dev")), dev);
        String lines = Files.readString(home.authorizedKeys());
        assertTrue(lines.contains("--key ci\",restrict " + ci.line()), lines);
        assertTrue(lines.contains("--key dev\",restrict,pty " + dev.line()), lines);
    }
}
