package pier.remote;

//DEPS org.apache.sshd:sshd-core:2.20.0

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import pier.base.PierException;

/**
 * The user's {@code ~/.ssh/known_hosts}, read the way OpenSSH reads it (plain and hashed names, {@code [host]:port}
 * for other ports, {@code @revoked}), and never written: pier trusts only keys the user accepted with ssh.
 */
final class KnownHosts {
    enum Verdict {
        KNOWN, UNKNOWN, CHANGED, REVOKED
    }

    private record Entry(String marker, PublicKey key) {
    }

    private final Path file;

    KnownHosts(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** What the file says of {@code key} presented by {@code target}. */
    Verdict check(SshTarget target, PublicKey key) {
        String type = KeyUtils.getKeyType(key);
        boolean sameTypeRecorded = false;
        for (Entry entry : entries(target)) {
            boolean same = KeyUtils.compareKeys(entry.key(), key);
            if ("revoked".equals(entry.marker())) {
                if (same) {
                    return Verdict.REVOKED;
                }
                continue;
            }
            if (same) {
                return Verdict.KNOWN;
            }
            sameTypeRecorded |= type.equals(KeyUtils.getKeyType(entry.key()));
        }
        return sameTypeRecorded ? Verdict.CHANGED : Verdict.UNKNOWN;
    }

    /**
     * The key types recorded for {@code target}, for the client to ask the server for those first, as OpenSSH does:
     * otherwise a server with several host keys may show one the user never accepted.
     */
    Set<String> keyTypes(SshTarget target) {
        Set<String> types = new LinkedHashSet<>();
        for (Entry entry : entries(target)) {
            if (entry.marker() == null) {
                types.add(KeyUtils.getKeyType(entry.key()));
            }
        }
        return types;
    }

    /** Entries for the target; lines pier cannot read (a key type it lacks, @cert-authority) are passed over. */
    private List<Entry> entries(SshTarget target) {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return entries;
        }
        try {
            for (KnownHostEntry line : KnownHostEntry.readKnownHostEntries(file)) {
                if (!line.isHostMatch(target.host(), target.port()) || "cert-authority".equals(line.getMarker())
                        || line.getKeyEntry() == null) {
                    continue;
                }
                try {
                    PublicKey key = line.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
                    if (key != null) {
                        entries.add(new Entry(line.getMarker(), key));
                    }
                } catch (IOException | GeneralSecurityException | RuntimeException unreadable) {
                    // OpenSSH too skips a line it cannot use and goes on with the others.
                }
            }
        } catch (IOException | RuntimeException e) {
            throw PierException.failed("cannot read " + file + ": " + e.getMessage(), e);
        }
        return entries;
    }
}
