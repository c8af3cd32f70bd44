package pier.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import pier.Pier;
import pier.access.Actor;
import pier.base.Progress;

/**
 * What every pier command shares: its Picocli spec, where it prints, its progress lines, and the {@link Pier} it
 * acts on, opened on first use for the actor its tree runs for, and closed when the command ends, however it
 * ends. A command does its work in {@link #run()}; {@link #call()} is Picocli's entry and only wraps it.
 */
public abstract class PierCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The tree that made this command (see {@link CommandTree}); none when made outside one, e.g. by a test. */
    @Nullable CommandTree tree;

    private @Nullable Pier pier;

    /** The command's work; returns its exit code (0, or what a child process returned: run, enter). */
    protected abstract int run();

    @Override
    public final Integer call() {
        try {
            return run();
        } finally {
            if (pier != null) {
                pier.close();
                pier = null;
            }
        }
    }

    /** This server's pier acting for {@link #actor()}, opened on first use; closed by {@link #call()}. */
    protected Pier pier() {
        if (pier == null) {
            pier = Pier.local(actor());
        }
        return pier;
    }

    /** Who runs this command: an SSH key, or (as for a command made outside a tree) someone on the server itself. */
    protected Actor actor() {
        return tree == null ? Actor.LOCAL : tree.actor();
    }

    /** This command's tree, built again for {@code actor} to run {@code words}: how ssh-command runs a key's line. */
    protected CommandLine commandLineFor(Actor actor, List<String> words) {
        if (tree == null) {
            throw new IllegalStateException(spec.qualifiedName() + " was not made by a command tree (see Cli.commandLine)");
        }
        return tree.forActor(actor, words.isEmpty() ? null : words.get(0));
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The command's progress lines ({@code -----> Step}), on stdout as they happen. */
    protected Progress progress() {
        return Progress.to(System.out);
    }
}
