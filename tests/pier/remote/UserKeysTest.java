package pier.remote;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.SystemHost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keys pier --remote offers are the user's default ssh keys, read as ssh-keygen writes them. */
class UserKeysTest {
    static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");

    @TempDir
    Path ssh;

    void keygen(String type, String name, String passphrase) {
        SystemHost.requireProgram(SSH_KEYGEN);
        SystemHost.Result r = SystemHost.run(SSH_KEYGEN.toString(), "-q", "-t", type, "-N", passphrase, "-C", "t",
                "-f", ssh.resolve(name).toString());
        assertEquals(0, r.code(), r.output());
    }

    static List<KeyPair> loaded(UserKeys keys) throws Exception {
        List<KeyPair> pairs = new ArrayList<>();
        keys.provider().loadKeys(null).forEach(pairs::add);
        return pairs;
    }

    @Test
    void ed25519AndEcdsaKeysLoadInSshsOrder() throws Exception {
        keygen("ecdsa", "id_ecdsa", "");
        keygen("ed25519", "id_ed25519", "");
        List<KeyPair> pairs = loaded(UserKeys.in(ssh));
        assertEquals(List.of("ssh-ed25519", "ecdsa-sha2-nistp256"), pairs.stream()
                .map(p -> org.apache.sshd.common.config.keys.KeyUtils.getKeyType(p.getPublic())).toList());
    }

    @Test
    void passphraseKeyWithoutATerminalIsPassedOverAndSaidSo() throws Exception {
        keygen("ed25519", "id_ed25519", "secret words");
        keygen("rsa", "id_rsa", "");
        UserKeys keys = UserKeys.in(ssh);
        List<KeyPair> pairs = loaded(keys);
        assertEquals(List.of("RSA"), pairs.stream().map(p -> p.getPublic().getAlgorithm()).toList());
        assertTrue(keys.describe().contains("passphrase-protected") && keys.describe().contains("id_ed25519"), keys.describe());
    }

    @Test
    void noKeyIsAFailureThatSaysHowToMakeOne() throws Exception {
        Files.writeString(ssh.resolve("id_dsa"), "not offered");
        PierException e = assertThrows(PierException.class, () -> UserKeys.in(ssh));
        assertEquals(PierException.FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("ssh-keygen"), e.getMessage());
    }
}
