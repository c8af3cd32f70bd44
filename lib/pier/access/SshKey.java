package pier.access;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import pier.base.PierException;

/**
 * One public key as an admin pastes it ({@code ssh-ed25519 AAAA... alice@laptop}). Only the type and the
 * key blob are kept: both are checked, the blob must name the same type it claims, so nothing but a key
 * ever reaches authorized_keys. The comment is kept only as a default name.
 */
public record SshKey(String type, String base64, String comment) {
    private static final Set<String> TYPES = Set.of("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
            "sk-ecdsa-sha2-nistp256@openssh.com");

    public static SshKey parse(String text) {
        List<String> lines = text == null ? List.of() : text.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        if (lines.size() != 1) {
            throw PierException.usage("expected exactly one public key line (e.g. the contents of ~/.ssh/id_ed25519.pub), got "
                    + lines.size());
        }
        String[] parts = lines.get(0).split("\\s+", 3);
        if (parts.length < 2 || !TYPES.contains(parts[0])) {
            throw PierException.usage("not a public key: a line must start with a key type such as ssh-ed25519 or ssh-rsa"
                    + " (options before the type are not accepted)");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw PierException.usage("not a public key: the key data is not valid base64");
        }
        if (!parts[0].equals(blobType(blob))) {
            throw PierException.usage("not a public key: its data does not hold a " + parts[0] + " key");
        }
        return new SshKey(parts[0], parts[1], parts.length > 2 ? parts[2].strip() : "");
    }

    private static String blobType(byte[] blob) {
        if (blob.length < 4) {
            return "";
        }
        ByteBuffer buffer = ByteBuffer.wrap(blob);
        int length = buffer.getInt();
        // The type must be followed by key material, not end the blob.
        if (length <= 0 || length >= blob.length - 4) {
            return "";
        }
        return new String(blob, 4, length, StandardCharsets.US_ASCII);
    }

    /** OpenSSH's SHA256 fingerprint, as {@code ssh-keygen -l} prints it. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(base64));
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String line() {
        return type + " " + base64;
    }
}
