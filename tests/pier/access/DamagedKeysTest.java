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
import pier.state.Damaged;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One key's damaged file (empty after a power loss, or not a key) is reported and skipped: every other key still
 * logs in and runs its commands, and authorized_keys is still rendered.
 */
class DamagedKeysTest {
    @TempDir
    Path tmp;

    PierHome home;
    Keys keys;

    @BeforeEach
    void setUp() throws IOException {
        home = new PierHome(tmp.resolve("home"));
        keys = new Keys(home, new Templates(Files.createDirectories(tmp.resolve("no-overrides"))));
        keys.add(KeyName.of("alice"), SshKey.parse(SshKeyTest.ed25519Line("alice@laptop")));
        keys.grant(AppName.of("blog"), Role.deploy, Optional.of(KeyName.of("bob")), SshKey.parse(SshKeyTest.ed25519Line("bob@ci")));
    }

    private List<String> names(List<Keys.Entry> entries) {
        return entries.stream().map(e -> e.name().value()).toList();
    }

    private Path file(String name) {
        return home.keys().resolve(name);
    }

    @Test
    void anEmptyKeyFileIsReportedAndSkippedWhileTheOtherKeysWork() throws IOException {
        Files.writeString(file("alice.pub"), "");

        Keys.Scan scan = keys.scan();
        assertEquals(List.of("bob"), names(scan.keys()));
        assertEquals(List.of(file("alice.pub")), scan.damaged().stream().map(Damaged::file).toList());
        String warning = scan.damaged().get(0).warning();
        assertTrue(warning.contains("empty") && warning.contains("pier ssh-keys:remove alice"), warning);

        assertEquals(List.of("bob"), names(keys.list()));
        assertEquals("bob", keys.get(KeyName.of("bob")).orElseThrow().name().value(), "bob's commands find bob");
        keys.sync();
        String rendered = Files.readString(home.authorizedKeys());
        assertTrue(rendered.contains("--key bob"), rendered);
        assertFalse(rendered.contains("--key alice"), "a damaged key cannot log in: " + rendered);
    }

    @Test
    void theDamagedKeysOwnCommandSaysWhatIsWrong() throws IOException {
        Files.writeString(file("alice.pub"), "");
        PierException e = assertThrows(PierException.class, () -> keys.get(KeyName.of("alice")));
        assertTrue(e.getMessage().contains(file("alice.pub").toString()) && e.getMessage().contains("ssh-keys:add alice"),
                e.getMessage());
    }

    @Test
    void anEmptyGrantsFileIsDamagedNotANoGrantsKey() throws IOException {
        Files.writeString(file("bob.grants"), "");
        Keys.Scan scan = keys.scan();
        assertEquals(List.of("alice"), names(scan.keys()));
        assertEquals(List.of(file("bob.grants")), scan.damaged().stream().map(Damaged::file).toList());
    }

    @Test
    void aKeyFileThatHoldsNoKeyIsDamaged() throws IOException {
        Files.writeString(file("alice.pub"), "ssh-ed25519 AAAA-not-base64\n");
        Keys.Scan scan = keys.scan();
        assertEquals(List.of("bob"), names(scan.keys()));
        assertTrue(scan.damaged().get(0).problem().contains("cannot be read"), scan.damaged().get(0).problem());
    }

    @Test
    void addingTheKeyAgainRepairsIt() throws IOException {
        Files.writeString(file("alice.pub"), "");
        keys.add(KeyName.of("alice"), SshKey.parse(SshKeyTest.ed25519Line("alice@laptop")));
        assertEquals(List.of("alice", "bob"), names(keys.scan().keys()));
        assertTrue(keys.scan().damaged().isEmpty());
    }

    @Test
    void aDamagedKeyCanBeRemoved() throws IOException {
        Files.writeString(file("alice.pub"), "");
        keys.remove(KeyName.of("alice"));
        assertFalse(Files.exists(file("alice.pub")));
        assertTrue(keys.scan().damaged().isEmpty());
    }
}
