package pier.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.engine.Templates;
import pier.names.KeyName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stored keys decide who may push and run pier over SSH, and authorized_keys must follow them at
 * once: a removed key must stop working as soon as remove() returns.
 */
class KeysTest {
    @TempDir
    Path tmp;

    PierHome home;
    Keys keys;

    @BeforeEach
    void setUp() throws IOException {
        home = new PierHome(tmp.resolve("home"));
        keys = new Keys(home, new Templates(Files.createDirectories(tmp.resolve("no-overrides"))));
    }

    private static SshKey newKey() {
        return SshKey.parse(SshKeyTest.ed25519Line("someone@somewhere"));
    }

    private List<String> names() {
        return keys.list().stream().map(e -> e.name().value()).toList();
    }

    private String authorizedKeys() throws IOException {
        return Files.readString(home.authorizedKeys());
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void noKeysOnFreshHome() {
        assertEquals(List.of(), keys.list());
    }

    @Test
    void listsAddedKeysSortedByName() {
        SshKey bob = newKey();
        SshKey alice = newKey();
        keys.add(KeyName.of("bob"), bob);
        keys.add(KeyName.of("alice"), alice);

        List<Keys.Entry> entries = keys.list();
        assertEquals(List.of("alice", "bob"), entries.stream().map(e -> e.name().value()).toList());
        assertEquals(alice.fingerprint(), entries.get(0).fingerprint());
        assertEquals(bob.fingerprint(), entries.get(1).fingerprint());
    }

    /**
     * Names are sorted as names, not as the file names they are stored under: "alice-laptop.pub" sorts
     * before "alice.pub" ('-' < '.') although "alice" sorts before "alice-laptop".
     */
    @Test
    void listsKeyNamesSortedEvenWhenOneIsAPrefixOfAnother() {
        keys.add(KeyName.of("alice-laptop"), newKey());
        keys.add(KeyName.of("alice"), newKey());
        keys.add(KeyName.of("alice.a"), newKey());
        assertEquals(List.of("alice", "alice-laptop", "alice.a"), names());
    }

    @Test
    void getFindsKeyByName() {
        SshKey alice = newKey();
        keys.add(KeyName.of("alice"), alice);
        assertEquals(alice.fingerprint(), keys.get(KeyName.of("alice")).orElseThrow().fingerprint());
        assertTrue(keys.get(KeyName.of("bob")).isEmpty());
    }

    @Test
    void addWritesAuthorizedKeysOwnerOnlyInOwnerOnlyDirectory() throws IOException {
        keys.add(KeyName.of("alice"), newKey());
        assertEquals("rw-------", mode(home.authorizedKeys()));
        assertEquals("rwx------", mode(home.authorizedKeys().getParent()));
    }

    @Test
    void addPutsKeyIntoAuthorizedKeysAtOnce() throws IOException {
        SshKey alice = newKey();
        keys.add(KeyName.of("alice"), alice);
        assertTrue(authorizedKeys().contains(
                "command=\"/usr/local/bin/pier ssh-command --key alice\",restrict,pty " + alice.line()), authorizedKeys());
    }

    @Test
    void refusesSameKeyUnderSecondNameAndNamesTheFirst() {
        SshKey key = newKey();
        keys.add(KeyName.of("alice"), key);
        PierException e = assertThrows(PierException.class, () -> keys.add(KeyName.of("alice2"), key));
        assertEquals(PierException.FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("alice"), e.getMessage());
        assertEquals(List.of("alice"), names());
    }

    @Test
    void refusesSecondKeyUnderTakenName() {
        SshKey first = newKey();
        keys.add(KeyName.of("alice"), first);
        PierException e = assertThrows(PierException.class, () -> keys.add(KeyName.of("alice"), newKey()));
        assertEquals(PierException.FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("alice"), e.getMessage());
        assertEquals(first.fingerprint(), keys.get(KeyName.of("alice")).orElseThrow().fingerprint(),
                "the first key must be kept");
    }

    @Test
    void removeDropsKeyFromAuthorizedKeysAtOnce() throws IOException {
        SshKey alice = newKey();
        SshKey bob = newKey();
        keys.add(KeyName.of("alice"), alice);
        keys.add(KeyName.of("bob"), bob);

        keys.remove(KeyName.of("alice"));

        assertFalse(authorizedKeys().contains(alice.base64()), authorizedKeys());
        assertFalse(authorizedKeys().contains("--key alice"), authorizedKeys());
        assertTrue(authorizedKeys().contains(bob.base64()), authorizedKeys());
        assertEquals(List.of("bob"), names());
    }

    @Test
    void removingLastKeyLeavesNoKeyLines() throws IOException {
        keys.add(KeyName.of("alice"), newKey());
        keys.remove(KeyName.of("alice"));
        assertTrue(authorizedKeys().lines().allMatch(l -> l.isBlank() || l.startsWith("#")), authorizedKeys());
    }

    @Test
    void removingUnknownKeyFails() {
        keys.add(KeyName.of("alice"), newKey());
        PierException e = assertThrows(PierException.class, () -> keys.remove(KeyName.of("bob")));
        assertEquals(PierException.FAILED, e.exitCode());
        assertEquals(List.of("alice"), names());
    }

    @Test
    void removedNameCanBeReusedForANewKey() {
        keys.add(KeyName.of("alice"), newKey());
        keys.remove(KeyName.of("alice"));
        SshKey replacement = newKey();
        keys.add(KeyName.of("alice"), replacement);
        assertEquals(replacement.fingerprint(), keys.get(KeyName.of("alice")).orElseThrow().fingerprint());
    }

    @Test
    void syncReportsNoChangeWhenKeysAreUnchanged() {
        keys.add(KeyName.of("alice"), newKey());
        assertFalse(keys.sync());
    }
}
