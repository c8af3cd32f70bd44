package pier.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import pier.Pier;
import pier.base.Progress;

/**
 * What every pier command shares: its Picocli spec, where it prints, its progress lines, and the {@link Pier} it
 * acts on, opened on first use and closed when the command ends, however it ends. A command does its work in
 * {@link #run()}; {@link #call()} is Picocli's entry and only wraps it.
 */
public abstract class PierCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

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

    /** This server's pier, opened on first use; closed by {@link #call()} when the command ends. */
    protected Pier pier() {
        if (pier == null) {
            pier = Pier.local();
        }
        return pier;
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
