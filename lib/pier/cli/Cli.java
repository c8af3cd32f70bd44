package pier.cli;

//DEPS info.picocli:picocli:4.7.7

import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import pier.base.Shown;
import pier.base.PierException;

/**
 * The command-line contract every pier script shares: exit 0 on success, 1 on a failed operation,
 * 2 on bad usage, and each error as one {@code error:} line on stderr that says what to do.
 */
public final class Cli {
    private Cli() {
    }

    public static CommandLine commandLine(Object root) {
        CommandLine cmd = new CommandLine(root);
        // "@FILE" would read a file as the pier user before the key's rights are checked, and a usage error would
        // then quote its words: no entry point, local or over SSH, expands argument files.
        cmd.setExpandAtFiles(false);
        // Every entry point, the pier root or one group's script, checks the acting key and logs changes.
        cmd.setExecutionStrategy(new CommandGate());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (e instanceof PierException p) {
                return fail(err, p);
            }
            err.println("error: " + Shown.oneLine(e.toString()));
            if (System.getenv("PIER_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.flush();
            return PierException.FAILED;
        });
        cmd.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            if (e.getCause() instanceof PierException p) {
                // A name refused while parsing (see AppMixin): its own message says what is allowed.
                return fail(err, p);
            }
            err.println("error: " + Shown.oneLine(e.getMessage()) + " (see: "
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            err.flush();
            return PierException.USAGE;
        });
        return cmd;
    }

    /** Prints {@code e} as the one {@code error:} line and returns its exit code. */
    static int fail(PrintWriter err, PierException e) {
        err.println("error: " + Shown.oneLine(e.getMessage()));
        err.flush();
        return e.exitCode();
    }

    public static int execute(Object root, String... args) {
        return commandLine(root).execute(args);
    }
}
