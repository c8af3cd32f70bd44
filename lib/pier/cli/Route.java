package pier.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import pier.access.Access;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;
import pier.remote.GitRemote;
import pier.remote.Remote;
import pier.remote.SshTarget;

/**
 * Where a pier command line runs, decided here and nowhere else. On a server over SSH when the user names one
 * ({@code --remote user@host[:port]} or {@code --remote GITREMOTE}), or when the current directory is in a git
 * checkout with exactly one pier remote ({@code pier@HOST:APP}); on this machine otherwise. The app comes from
 * {@code -a/--app APP}, else from that git remote, and becomes the command's APP (see {@link AppArgument}).
 *
 * <p>{@code --remote} and {@code -a} are read only before the command name, as {@code pier --remote pier@host
 * apps:list}: after it every word is the command's own ({@code run APP ls -a}).
 */
public record Route(Optional<SshTarget> remote, List<String> args) {
    /** The options that say where a command runs and for which app; only pier on the client side reads them. */
    public static final Set<String> LAPTOP_OPTIONS = Set.of("--remote", "-a", "--app");

    public Route {
        args = List.copyOf(args);
    }

    /**
     * The route of {@code args} typed in {@code dir}. {@code model} gives the Picocli model of pier's commands for the
     * words that follow the options; it is only built when an app has to be placed. Bad options are a
     * {@link PierException} with exit code 2.
     */
    public static Route of(List<String> args, Path dir, Function<List<String>, CommandLine> model) {
        Optional<String> remoteOption = Optional.empty();
        Optional<String> appOption = Optional.empty();
        int i = 0;
        for (; i < args.size(); i++) {
            String word = args.get(i);
            if (LAPTOP_OPTIONS.contains(word)) {
                if (i + 1 >= args.size()) {
                    throw PierException.usage(word + " needs a value, e.g. pier " + (word.equals("--remote")
                            ? "--remote pier@example.com apps:list" : word + " blog config"));
                }
                String value = args.get(++i);
                if (word.equals("--remote")) {
                    remoteOption = Optional.of(value);
                } else {
                    appOption = Optional.of(value);
                }
            } else if (word.startsWith("--remote=")) {
                remoteOption = Optional.of(word.substring("--remote=".length()));
            } else if (word.startsWith("--app=")) {
                appOption = Optional.of(word.substring("--app=".length()));
            } else {
                break;
            }
        }
        List<String> words = args.subList(i, args.size());
        Optional<AppName> explicitApp = appOption.map(AppName::of);
        if (explicitApp.isPresent() && (words.isEmpty() || words.get(0).startsWith("-"))) {
            throw PierException.usage("give a command after -a APP, e.g. pier -a " + explicitApp.get() + " config");
        }

        Optional<GitRemote> git;
        Optional<SshTarget> remote;
        if (remoteOption.isPresent()) {
            String value = remoteOption.get();
            git = value.contains("@") ? Optional.empty() : Optional.of(named(value, dir));
            remote = Optional.of(git.map(GitRemote::target).orElseGet(() -> SshTarget.parse(value)));
        } else if (!words.isEmpty() && !words.get(0).startsWith("-") && !Access.HOST_ONLY.contains(words.get(0))) {
            git = only(dir);
            remote = git.map(GitRemote::target);
        } else {
            git = Optional.empty();
            remote = Optional.empty();
        }

        Optional<AppName> app = explicitApp.or(() -> git.map(GitRemote::app));
        if (app.isPresent()) {
            words = AppArgument.insert(words, app.get(), explicitApp.isPresent(), model.apply(words));
        }
        return new Route(remote, words);
    }

    /**
     * Runs {@code args} where {@link #of} says: over SSH with {@link Remote}, else through {@code local} with the
     * app put in place. An error in the options or the connection is one {@code error:} line and its exit code.
     */
    public static int execute(String[] args, Function<List<String>, CommandLine> model, Function<String[], Integer> local) {
        Route route;
        try {
            route = of(Arrays.asList(args), Path.of(""), model);
        } catch (PierException e) {
            return Cli.fail(new PrintWriter(System.err), e);
        }
        if (route.remote().isEmpty()) {
            return local.apply(route.args().toArray(String[]::new));
        }
        try {
            return Remote.run(route.remote().get(), route.args());
        } catch (PierException e) {
            return Cli.fail(new PrintWriter(System.err), e);
        }
    }

    private static GitRemote named(String name, Path dir) {
        List<GitRemote> remotes = GitRemote.in(dir);
        return remotes.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> PierException.usage(
                "no pier git remote named " + Shown.quote(name) + " here" + (remotes.isEmpty() ? "" : " (pier remotes: "
                        + remotes.stream().map(GitRemote::name).collect(Collectors.joining(", ")) + ")")
                        + "; give the server as --remote pier@HOST"));
    }

    private static Optional<GitRemote> only(Path dir) {
        List<GitRemote> remotes = GitRemote.in(dir);
        if (remotes.size() > 1) {
            List<String> shown = new ArrayList<>();
            remotes.forEach(r -> shown.add(r.toString()));
            throw PierException.usage("this checkout has several pier remotes: " + String.join(", ", shown)
                    + "; choose one with pier --remote NAME ...");
        }
        return remotes.stream().findFirst();
    }
}
