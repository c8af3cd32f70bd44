package pier;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What a key's forced command runs: {@code SSH_ORIGINAL_COMMAND} split without a shell, the key checked,
 * then either git (receive-pack deploys, upload-pack fetches) or one of pier's own commands.
 */
public final class SshCommand {
    private SshCommand() {
    }

    /**
     * Runs {@code original} for {@code key}; {@code cli} runs a pier command line and returns its exit code.
     * For git, stdout carries the git protocol, so everything else that would print is sent to stderr.
     */
    public static int run(Pier pier, String key, @Nullable String original, Function<String[], Integer> cli) {
        PrintStream err = System.err;
        try {
            KeyName keyName = KeyName.of(key);
            if (pier.keys().get(keyName).isEmpty()) {
                throw PierException.failed("the key " + keyName + " is no longer allowed here");
            }
            Pier.actingAs(keyName.value());
            List<String> words = SshWords.split(original);
            if (words.isEmpty()) {
                return cli.apply(new String[] {"--help"});
            }
            String verb = words.get(0);
            if (verb.equals("git-receive-pack") || verb.equals("git-upload-pack")) {
                if (words.size() != 2) {
                    throw PierException.usage(verb + " takes exactly one repository, e.g. " + verb + " 'blog'");
                }
                AppName app = SshWords.repoApp(words.get(1));
                OutputStream protocol = new FileOutputStream(FileDescriptor.out);
                System.setOut(err);
                InputStream in = System.in;
                if (verb.equals("git-receive-pack")) {
                    pier.git().receive(app, keyName.value(), in, protocol, err, (a, repo, command, k, progress) -> {
                        Deploy.Deployed deployed = pier.deploy().commit(a, repo, command.getNewId(), k, progress);
                        pier.deploy().retireInBackground(a, deployed, progress);
                    });
                } else {
                    pier.git().upload(app, in, protocol, err);
                }
                return 0;
            }
            if (verb.equals("ssh-command") || verb.equals("install")) {
                throw PierException.usage(verb + " is not available over SSH");
            }
            return cli.apply(words.toArray(String[]::new));
        } catch (PierException e) {
            err.println("error: " + Cli.oneLine(e.getMessage()));
            return e.exitCode();
        }
    }
}
