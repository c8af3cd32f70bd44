package pier.remote;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.signature.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * pier --remote trusts a server only as the user's known_hosts says, in the forms OpenSSH writes it: a changed
 * key is told apart from an unknown one, and a host with several recorded keys is asked for the recorded type.
 */
class KnownHostsTest {
    static final String ED25519_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJaPrSTzjAnux8RKG3PDLcX8P6Hqs6ssHouOO9JFQzF";
    static final String ED25519_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8frnYPGtk4hTW6QKCFk31hcwOtpEg0+3rKT40mJMaq";
    static final SshTarget SERVER = new SshTarget("pier", "server.example.com", 22);

    @TempDir
    Path tmp;

    KnownHosts knownHosts(String... lines) throws Exception {
        Path file = tmp.resolve("known_hosts");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return new KnownHosts(file);
    }

    static PublicKey key(String line) throws Exception {
        return AuthorizedKeyEntry.parseAuthorizedKeyEntry(line).resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    }

    static String ecdsaLine() throws Exception {
        var generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return PublicKeyEntry.toString(generator.generateKeyPair().getPublic());
    }

    @Test
    void recordedEd25519KeyIsKnown() throws Exception {
        KnownHosts hosts = knownHosts("other.example.com " + ED25519_B, "server.example.com " + ED25519_A);
        assertEquals(KnownHosts.Verdict.KNOWN, hosts.check(SERVER, key(ED25519_A)));
    }

    @Test
    void anotherKeyOfTheRecordedTypeIsChanged() throws Exception {
        KnownHosts hosts = knownHosts("server.example.com " + ED25519_A);
        assertEquals(KnownHosts.Verdict.CHANGED, hosts.check(SERVER, key(ED25519_B)));
    }

    @Test
    void hostNotRecordedOrNoFileIsUnknown() throws Exception {
        assertEquals(KnownHosts.Verdict.UNKNOWN, knownHosts("other.example.com " + ED25519_A).check(SERVER, key(ED25519_A)));
        assertEquals(KnownHosts.Verdict.UNKNOWN, new KnownHosts(tmp.resolve("missing")).check(SERVER, key(ED25519_A)));
    }

    @Test
    void keyOfATypeNotRecordedIsUnknownNotChanged() throws Exception {
        KnownHosts hosts = knownHosts("server.example.com " + ED25519_A);
        assertEquals(KnownHosts.Verdict.UNKNOWN, hosts.check(SERVER, key(ecdsaLine())));
    }

    @Test
    void otherPortsUseTheBracketedForm() throws Exception {
        KnownHosts hosts = knownHosts("[server.example.com]:2222 " + ED25519_A);
        assertEquals(KnownHosts.Verdict.KNOWN, hosts.check(new SshTarget("pier", "server.example.com", 2222), key(ED25519_A)));
        assertEquals(KnownHosts.Verdict.UNKNOWN, hosts.check(SERVER, key(ED25519_A)));
    }

    /** Debian and Ubuntu hash known_hosts names by default (HashKnownHosts yes). */
    @Test
    void hashedNamesMatch() throws Exception {
        byte[] salt = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal("server.example.com".getBytes(StandardCharsets.US_ASCII));
        Base64.Encoder b64 = Base64.getEncoder();
        KnownHosts hosts = knownHosts("|1|" + b64.encodeToString(salt) + "|" + b64.encodeToString(hash) + " " + ED25519_A);
        assertEquals(KnownHosts.Verdict.KNOWN, hosts.check(SERVER, key(ED25519_A)));
    }

    @Test
    void revokedKeyIsRefusedEvenWhenAlsoRecorded() throws Exception {
        KnownHosts hosts = knownHosts("@revoked * " + ED25519_A, "server.example.com " + ED25519_A);
        assertEquals(KnownHosts.Verdict.REVOKED, hosts.check(SERVER, key(ED25519_A)));
    }

    @Test
    void unreadableLinesArePassedOver() throws Exception {
        KnownHosts hosts = knownHosts("# comment", "server.example.com ssh-foo AAAA", "server.example.com " + ED25519_A);
        assertEquals(KnownHosts.Verdict.KNOWN, hosts.check(SERVER, key(ED25519_A)));
    }

    @Test
    void recordedKeyTypesComeFirstInTheAlgorithmsAsked() throws Exception {
        KnownHosts hosts = knownHosts("server.example.com " + ED25519_A, "other.example.com " + ecdsaLine());
        Set<String> types = hosts.keyTypes(SERVER);
        assertEquals(Set.of("ssh-ed25519"), types);

        List<NamedFactory<Signature>> defaults = SshClient.setUpDefaultClient().getSignatureFactories();
        List<String> asked = Remote.preferring(defaults, types).stream().map(NamedFactory::getName).toList();
        assertEquals("ssh-ed25519", asked.get(0));
        assertEquals(defaults.size(), asked.size());
        List<String> others = defaults.stream().map(NamedFactory::getName).filter(n -> !n.equals("ssh-ed25519")).toList();
        assertEquals(others, asked.subList(1, asked.size()));
    }
}
