package pier.access;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pier.base.PierException;
import pier.SystemHost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Keys are built here from real key pairs in OpenSSH's wire format, so parsing and fingerprints are
 * checked against an independent encoding (and against ssh-keygen itself where it is installed).
 */
public class SshKeyTest {
    static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");

    // ---- key material, shared with the other tests of this package ----

    /** The OpenSSH blob of a fresh Ed25519 key: string "ssh-ed25519", string key(32 bytes). */
    static byte[] ed25519Blob() {
        try {
            byte[] spki = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
            // X.509 SubjectPublicKeyInfo for Ed25519 is a fixed 12-byte header followed by the raw 32-byte key.
            assertEquals(44, spki.length, "unexpected Ed25519 SubjectPublicKeyInfo length");
            return wire(string("ssh-ed25519"), string(Arrays.copyOfRange(spki, 12, 44)));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** The OpenSSH blob of a fresh RSA key: string "ssh-rsa", mpint e, mpint n. */
    public static byte[] rsaBlob() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            RSAPublicKey key = (RSAPublicKey) generator.generateKeyPair().getPublic();
            // BigInteger.toByteArray is big-endian two's complement with a leading 0 when the top bit is set: an mpint.
            return wire(string("ssh-rsa"), string(key.getPublicExponent().toByteArray()),
                    string(key.getModulus().toByteArray()));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    public static String ed25519Line(String comment) {
        return "ssh-ed25519 " + base64(ed25519Blob()) + (comment.isEmpty() ? "" : " " + comment);
    }

    public static String base64(byte[] blob) {
        return Base64.getEncoder().encodeToString(blob);
    }

    static String expectedFingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] string(String s) {
        return string(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] string(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(out)) {
            d.writeInt(data.length);
            d.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static byte[] wire(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void assertUsage(String text) {
        PierException e = assertThrows(PierException.class, () -> SshKey.parse(text));
        assertEquals(PierException.USAGE, e.exitCode(), e.getMessage());
    }

    // ---- parsing valid keys ----

    @Test
    void parsesEd25519KeyAndFingerprintsItLikeOpenSsh() {
        byte[] blob = ed25519Blob();
        SshKey key = SshKey.parse("ssh-ed25519 " + base64(blob) + " alice@laptop");
        assertEquals("ssh-ed25519", key.type());
        assertEquals(base64(blob), key.base64());
        assertEquals("alice@laptop", key.comment());
        assertEquals(expectedFingerprint(blob), key.fingerprint());
    }

    @Test
    void parsesRsaKeyAndFingerprintsItLikeOpenSsh() {
        byte[] blob = rsaBlob();
        SshKey key = SshKey.parse("ssh-rsa " + base64(blob) + " bob@desktop");
        assertEquals("ssh-rsa", key.type());
        assertEquals(expectedFingerprint(blob), key.fingerprint());
    }

    @Test
    void keepsWholeCommentIncludingSpaces() {
        SshKey key = SshKey.parse(ed25519Line("Alice Smith's laptop"));
        assertEquals("Alice Smith's laptop", key.comment());
    }

    @Test
    void keyWithoutCommentHasEmptyComment() {
        assertEquals("", SshKey.parse(ed25519Line("")).comment());
    }

    @Test
    void lineIsTypeAndBlobWithoutComment() {
        byte[] blob = ed25519Blob();
        SshKey key = SshKey.parse("ssh-ed25519 " + base64(blob) + " alice@laptop");
        assertEquals("ssh-ed25519 " + base64(blob), key.line());
    }

    @Test
    void ignoresSurroundingBlankLinesCommentLinesAndCrlf() {
        byte[] blob = ed25519Blob();
        SshKey key = SshKey.parse("\r\n# my key\r\n  ssh-ed25519 " + base64(blob) + " alice  \r\n\r\n");
        assertEquals(expectedFingerprint(blob), key.fingerprint());
        assertEquals("alice", key.comment());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "rsa", "ecdsa"})
    void fingerprintMatchesSshKeygen(String type, @TempDir Path dir) throws Exception {
        SystemHost.requireProgram(SSH_KEYGEN);
        Path file = dir.resolve("id_" + type);
        run(List.of(SSH_KEYGEN.toString(), "-q", "-t", type, "-N", "", "-C", "test@pier", "-f", file.toString()));

        SshKey key = SshKey.parse(Files.readString(Path.of(file + ".pub")));
        // ssh-keygen -l prints: BITS SHA256:... COMMENT (TYPE)
        String listed = run(List.of(SSH_KEYGEN.toString(), "-l", "-E", "sha256", "-f", file + ".pub"));
        assertEquals(listed.strip().split("\\s+")[1], key.fingerprint());
        assertEquals("test@pier", key.comment());
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        assertEquals(0, p.exitValue(), () -> command + " failed: " + out);
        return out;
    }

    // ---- rejections ----

    @Test
    void rejectsNullEmptyAndBlankText() {
        assertUsage(null);
        assertUsage("");
        assertUsage("  \n\t\n");
        assertUsage("# only a comment\n");
    }

    @Test
    void rejectsTwoKeyLines() {
        assertUsage(ed25519Line("a") + "\n" + ed25519Line("b"));
    }

    @Test
    void rejectsLineStartingWithOptions() {
        assertUsage("command=\"x\" " + ed25519Line("alice"));
        assertUsage("restrict " + ed25519Line("alice"));
        assertUsage("no-pty,command=\"/bin/sh\" " + ed25519Line("alice"));
    }

    @Test
    void rejectsUnknownKeyType() {
        String blob = base64(ed25519Blob());
        assertUsage("ssh-dss " + blob);
        assertUsage("foo " + blob);
        assertUsage("SSH-ED25519 " + blob);
    }

    @Test
    void rejectsTypeWithoutBlob() {
        assertUsage("ssh-ed25519");
        assertUsage("ssh-ed25519   ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!notbase64", "AAAA$(id)", "AAAAC3NzaC1lZDI1NTE5AAAAI;", "A"})
    void rejectsBadBase64(String data) {
        assertUsage("ssh-ed25519 " + data);
    }

    @Test
    void rejectsBlobWhoseEmbeddedTypeDiffersFromDeclaredType() {
        assertUsage("ssh-rsa " + base64(ed25519Blob()));
        assertUsage("ssh-ed25519 " + base64(rsaBlob()));
    }

    @Test
    void rejectsBlobTooShortToHoldAType() {
        assertUsage("ssh-ed25519 AAAA");          // three zero bytes
        assertUsage("ssh-ed25519 AAAAAA==");      // four zero bytes: a zero-length type
        assertUsage("ssh-ed25519 AAAA/w==");      // length field far beyond the blob
    }
}
