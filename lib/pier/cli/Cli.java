package pier.cli;

//DEPS info.picocli:picocli:4.7.7

import java.io.PrintWriter;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import pier.access.Actor;
import pier.base.PierException;
import pier.base.Shown;

/**
 * The command-line contract every pier script shares: exit 0 on success, 1 on a failed operation,
 * 2 on bad usage, and each error as one {@code error:} line on stderr that says what to do.
 */
public final class Cli {
    private Cli() {
    }

    /** A root whose tree is more than its annotations declare: pier adds every group's commands. */
    public interface Root {
        /**
         * Adds what the annotations do not declare. {@code wanted} is the command the line starts with, or null: a
         * root may then add only that command, since modelling all of pier's takes a fifth of a second per start.
         */
        void complete(CommandLine tree, @Nullable String wanted);
    }

    /** The command tree under {@code root} (made fresh), run by someone on the server itself. */
    public static CommandLine commandLine(Supplier<?> root) {
        return commandLine(root, Actor.LOCAL);
    }

    /** The command tree under {@code root} (made fresh), run for {@code actor}: see {@link CommandTree}. */
    public static CommandLine commandLine(Supplier<?> root, Actor actor) {
        return new CommandTree(root, actor).build(null);
    }

    /** The tree that runs {@code args} locally: as {@link #commandLine(Supplier)}, made for these words only. */
    public static CommandLine commandLineFor(Supplier<?> root, String... args) {
        return new CommandTree(root, Actor.LOCAL).build(args.length == 0 ? null : args[0]);
    }

    public static int execute(Supplier<?> root, String... args) {
        return commandLineFor(root, args).execute(args);
    }

    /** Puts the contract on a complete tree, so that it reaches every command, however it was added. */
    static CommandLine contract(CommandLine cmd, Actor actor) {
        // "@FILE" would read a file as the pier user before the key's rights are checked, and a usage error would
        // then quote its words: no entry point, local or over SSH, expands argument files.
        cmd.setExpandAtFiles(false);
        // Every entry point, the pier root or one group's script, checks the acting key and logs changes.
        cmd.setExecutionStrategy(new CommandGate(actor));
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
}
