package pier.remote;

//DEPS org.apache.sshd:sshd-core:2.20.0

import java.io.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import pier.base.PierException;

/**
 * The user's own keys, as ssh tries them without an agent: {@code ~/.ssh/id_ed25519}, {@code id_ecdsa},
 * {@code id_rsa}. A passphrase is asked on the terminal, as ssh does; without a terminal a protected key is
 * passed over. The ssh-agent and {@code ~/.ssh/config} (IdentityFile) are not used.
 */
final class UserKeys {
    static final List<String> NAMES = List.of("id_ed25519", "id_ecdsa", "id_rsa");
    private static final int TRIES = 3;

    private final List<Path> files;
    private final List<String> passedOver = new ArrayList<>();

    private UserKeys(List<Path> files) {
        this.files = files;
    }

    /** The default keys present in {@code sshDir}; none is a failure telling the user how to make one. */
    static UserKeys in(Path sshDir) {
        List<Path> files = NAMES.stream().map(sshDir::resolve).filter(Files::isRegularFile).toList();
        if (files.isEmpty()) {
            throw PierException.failed("no SSH key in " + sshDir + " (" + String.join(", ", NAMES)
                    + "): make one with ssh-keygen -t ed25519, then add its .pub on the server with pier ssh-keys:add NAME");
        }
        return new UserKeys(files);
    }

    KeyIdentityProvider provider() {
        FileKeyPairProvider provider = new FileKeyPairProvider(files);
        provider.setPasswordFinder(new FilePasswordProvider() {
            @Override
            public String getPassword(org.apache.sshd.common.session.SessionContext session,
                                      org.apache.sshd.common.NamedResource key, int retry) {
                Console console = System.console();
                char[] typed = console == null ? null : console.readPassword("Enter passphrase for key '%s': ", key.getName());
                if (typed == null || typed.length == 0) {
                    // The key loader takes no passphrase as "skip this key", as ssh does on an empty one.
                    passedOver.add(key.getName());
                    return null;
                }
                return new String(typed);
            }

            @Override
            public ResourceDecodeResult handleDecodeAttemptResult(org.apache.sshd.common.session.SessionContext session,
                                                                  org.apache.sshd.common.NamedResource key, int retry,
                                                                  String password, Exception failure) {
                if (failure == null) {
                    return null;
                }
                if (password != null && retry + 1 < TRIES) {
                    return ResourceDecodeResult.RETRY;
                }
                passedOver.add(key.getName());
                return ResourceDecodeResult.IGNORE;
            }
        });
        return provider;
    }

    /** For the error when the server accepted none: which keys were offered and which could not be opened. */
    String describe() {
        String offered = files.stream().map(Path::toString).collect(Collectors.joining(", "));
        return passedOver.isEmpty() ? offered
                : offered + "; not opened (passphrase-protected" + (System.console() == null ? ", and no terminal to ask on" : "")
                        + "): " + String.join(", ", passedOver);
    }
}
