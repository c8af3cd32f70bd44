package pier.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import pier.Pier;
import pier.access.Access;
import pier.access.Actor;
import pier.access.Keys;
import pier.base.PierException;
import pier.base.SshWords;
import pier.names.AppName;
import pier.names.KeyName;
import pier.state.Lock;

/**
 * What a key's forced command runs: {@code SSH_ORIGINAL_COMMAND} split without a shell, the key checked,
 * then either git (receive-pack deploys, upload-pack fetches) or one of pier's own commands.
 */
public final class SshCommand {
    /** Far above any real command line, far below what could make splitting or a parser slow. */
    static final int MAX_COMMAND = 64 * 1024;

    private SshCommand() {
    }

    /**
     * Runs {@code original} for {@code key}; {@code commands} gives pier's command tree run for the key's actor, its
     * gate checking that key's rights. For git, stdout carries the git protocol, so everything else that would print
     * is sent to stderr.
     */
    public static int run(Pier pier, String key, @Nullable String original, BiFunction<Actor, List<String>, CommandLine> commands) {
        PrintStream err = System.err;
        try {
            KeyName keyName = KeyName.of(key);
            Keys.Entry entry = pier.keys().get(keyName)
                    .orElseThrow(() -> PierException.failed("the key " + keyName + " is no longer allowed here"));
            Actor actor = Actor.of(entry);
            if (original != null && original.length() > MAX_COMMAND) {
                throw PierException.usage("the command is " + original.length() + " characters long; pier takes at most "
                        + MAX_COMMAND + " (pass large values on stdin or with config:set --encoded in several calls)");
            }
            List<String> words = SshWords.split(original);
            if (words.isEmpty()) {
                return commands.apply(actor, words).execute("--help");
            }
            String verb = words.get(0);
            if (verb.equals("git-receive-pack") || verb.equals("git-upload-pack")) {
                if (words.size() != 2) {
                    throw PierException.usage(verb + " takes exactly one repository, e.g. " + verb + " 'blog'");
                }
                AppName app = AppName.ofRepoPath(words.get(1));
                boolean push = verb.equals("git-receive-pack");
                try {
                    Access.checkGit(actor, app, push);
                } catch (PierException refused) {
                    pier.events().record(actor.name(), Optional.of(app), "refused", verb, List.of(app.value()));
                    throw refused;
                }
                Lock.doing((push ? "git push " : "git fetch ") + app + " by " + keyName);
                OutputStream protocol = new FileOutputStream(FileDescriptor.out);
                System.setOut(err);
                InputStream in = System.in;
                if (push) {
                    pier.pushDeploy().receive(app, keyName.value(), in, protocol, err);
                } else {
                    pier.git().upload(app, in, protocol, err);
                }
                return 0;
            }
            if (Access.HOST_ONLY.contains(verb)) {
                throw PierException.usage(verb + " is not available over SSH");
            }
            if (Route.LAPTOP_OPTIONS.contains(verb.contains("=") ? verb.substring(0, verb.indexOf('=')) : verb)) {
                throw PierException.usage(verb + " is for pier on your own machine; over ssh name the app in the command,"
                        + " e.g. ssh pier@host config:set blog KEY=value");
            }
            return commands.apply(actor, words).execute(words.toArray(String[]::new));
        } catch (PierException e) {
            return Cli.fail(new PrintWriter(err), e);
        }
    }
}
