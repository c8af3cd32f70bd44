package pier.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.access.SshKeyTest;
import pier.base.PierException;
import pier.base.Tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A FILE on root's command line is read by root, before the command re-runs as pier: the pier side gets the checked
 * key on stdin and the words without FILE, never a path, and a file that is not a key never reaches it at all.
 */
class InvokerFilesTest {
    @TempDir
    Path tmp;

    private Optional<InvokerFiles.Handover> handover(String... args) {
        return InvokerFiles.handover(pier.commandLine(), List.of(args));
    }

    private final String line = SshKeyTest.ed25519Line("alice@laptop");

    private Path keyFile() throws IOException {
        return Files.writeString(tmp.resolve("alice.pub"), "# alice's key\n" + line + "\n");
    }

    @Test
    void sshKeysAddHandsTheKeyOverOnStdinWithoutItsFile() throws IOException {
        Path file = keyFile();
        InvokerFiles.Handover h = handover("ssh-keys:add", "alice", file.toString()).orElseThrow();
        assertEquals(List.of("ssh-keys:add", "alice"), h.args());
        assertEquals(line + "\n", h.stdin(), "the key line alone, not the file");
    }

    @Test
    void deployAndDeveloperAllowHandTheKeyOverToo() throws IOException {
        Path file = keyFile();
        for (String command : List.of("deploy:allow", "developer:allow")) {
            InvokerFiles.Handover h = handover(command, "blog", "ci", file.toString()).orElseThrow();
            assertEquals(List.of(command, "blog", "ci"), h.args());
            assertTrue(h.stdin().endsWith(" alice@laptop\n"), "the comment still names the key: " + h.stdin());
        }
    }

    @Test
    void certsAddHandsItsTwoFilesOverAsTheTarItTakesOverSsh() throws IOException {
        Path crt = Files.writeString(tmp.resolve("blog.crt"), "CHAIN\n");
        Path key = Files.writeString(tmp.resolve("blog.key"), "KEY\n");
        for (List<String> words : List.of(List.of("certs:add", "blog", crt.toString(), key.toString()),
                List.of("certs:add", "--global", crt.toString(), key.toString()))) {
            InvokerFiles.Handover h = handover(words.toArray(String[]::new)).orElseThrow();
            assertEquals(words.subList(0, 2), h.args(), "no path reaches the pier side");
            var files = Tar.read(new java.io.ByteArrayInputStream(h.stdin().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    InvokerFiles.MAX_BYTES);
            assertEquals("CHAIN\n", new String(files.get("server.crt"), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("KEY\n", new String(files.get("server.key"), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertFalse(handover("certs:add", "blog").isPresent(), "stdin is the user's own tar");
    }

    @Test
    void aFileNamedLikeTheKeyLosesOnlyItsLastOccurrence() throws IOException {
        Path file = Files.writeString(tmp.resolve("ci"), SshKeyTest.ed25519Line("ci") + "\n");
        InvokerFiles.Handover h = handover("deploy:allow", "blog", file.toString(), file.toString()).orElseThrow();
        assertEquals(List.of("deploy:allow", "blog", file.toString()), h.args());
    }

    @Test
    void commandsWithoutAFileAreLeftAsTheyAre() {
        assertFalse(handover("ssh-keys:add", "alice").isPresent(), "stdin is the user's own");
        assertFalse(handover("config:set", "blog", "A=1").isPresent());
        assertFalse(handover("ssh-keys:add").isPresent(), "a usage error is the pier side's to report");
    }

    @Test
    void aFileThatIsNotAKeyNeverReachesThePierSideNorTheMessage() throws IOException {
        Path secret = Files.writeString(tmp.resolve("shadow"), "root:$6$very-secret-hash:19000:0:99999:7:::\n");
        PierException e = assertThrows(PierException.class, () -> handover("ssh-keys:add", "alice", secret.toString()));
        assertEquals(PierException.USAGE, e.exitCode());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void aMissingFileIsOneErrorNamingIt() {
        Path missing = tmp.resolve("nope.pub");
        PierException e = assertThrows(PierException.class, () -> handover("ssh-keys:add", "alice", missing.toString()));
        assertTrue(e.getMessage().contains("cannot read " + missing), e.getMessage());
    }
}
