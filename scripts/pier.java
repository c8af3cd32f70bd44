///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
// As the server's launcher (engine/Launcher): commands are short-lived, so start-up matters more than peak speed.
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
//SOURCES ../lib/pier/**.java
//SOURCES apps.java keys.java domains.java config.java volumes.java git.java ps.java releases.java
//SOURCES builder.java events.java resource.java system.java certs.java cron.java nginx.java services.java
//SOURCES nodes.java scheduler.java registry.java
package pier.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pier.access.Access;
import pier.engine.Launcher;

/** pier: every command an admin runs, locally as {@code pier CMD} or remotely as {@code ssh pier@host CMD}. */
@Command(name = "pier", mixinStandardHelpOptions = true, version = "pier 0.1.0",
        description = "A self-hosted Heroku for one server: git push to deploy, Dokku-style commands to manage.",
        subcommands = CommandLine.HelpCommand.class)
public class pier implements Runnable, Cli.Root {
    // Route reads these two before Picocli parses anything; they are declared here so --help shows them.
    @Option(names = "--remote", paramLabel = "SERVER", description = "run on this server over SSH: user@host[:port] or a git "
            + "remote's name (default: the checkout's pier@HOST:APP remote, if it has exactly one)")
    String remote;
    @Option(names = {"-a", "--app"}, paramLabel = "APP", description = "the app a command acts on (default: the one in "
            + "the checkout's pier remote)")
    String app;

    public static void main(String... args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return Route.execute(args, words -> commandLine(words.toArray(String[]::new)), pier::executeHere);
    }

    private static int executeHere(String... args) {
        // The installer, and the node commands that reach a node as root with root's SSH keys, stay root.
        boolean asRoot = args.length > 0 && Access.AS_ROOT.contains(args[0]);
        if (!asRoot && Launcher.shouldSwitchToPier()) {
            // A FILE on the line is read here, as root, before the switch: see InvokerFiles.
            return InvokerFiles.runAsPier(commandLine(args), args);
        }
        return commandLine(args).execute(args);
    }

    /** Runs one command line in this process with these streams: the seam for tests and scripts (no user switch). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cmd = commandLine(args);
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    /** The groups whose commands pier has, each as its own script declares them in {@code subcommands}. */
    static final java.util.List<Class<?>> GROUPS = java.util.List.of(apps.class, config.class, domains.class, certs.class, volumes.class,
            builder.class, keys.class, git.class, ps.class, resource.class, releases.class, events.class,
            system.class, cron.class, nginx.class, nodes.class, scheduler.class, registry.class);

    /** The whole command tree, gated (see Cli): each command runs only if the acting key may run it (pier.Access). */
    public static CommandLine commandLine() {
        return Cli.commandLine(pier::new);
    }

    /** The tree that runs {@code args}: holding only the command they start with, when they start with one. */
    public static CommandLine commandLine(String... args) {
        return Cli.commandLineFor(pier::new, args);
    }

    /**
     * Every group's commands, as each script declares them, under this one root; or only {@code wanted}, when it
     * names one of them (its name or an alias). Anything else (help, an option, a typo) gets the whole tree.
     */
    @Override
    public void complete(CommandLine tree, @org.jspecify.annotations.Nullable String wanted) {
        java.util.List<Class<?>> all = new java.util.ArrayList<>();
        for (Class<?> group : GROUPS) {
            all.addAll(java.util.List.of(group.getAnnotation(Command.class).subcommands()));
        }
        installCommand().ifPresent(all::add);
        java.util.List<Class<?>> only = all.stream().filter(c -> names(c).contains(wanted)).toList();
        if (!only.isEmpty()) {
            only.forEach(tree::addSubcommand);
        } else if (!services.addOnly(tree, wanted, services::kinds)) {
            all.forEach(tree::addSubcommand);
            services.addTo(tree, null, services::kinds);
        }
        ps.configure(tree);
    }

    private static java.util.List<String> names(Class<?> command) {
        Command declared = command.getAnnotation(Command.class);
        java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of(declared.aliases()));
        names.add(declared.name());
        return names;
    }

    /**
     * install.java sources this script, so this one cannot name it: where both are compiled together (the
     * Maven-built pier.jar) {@code pier install} exists; under JBang the installer is {@code jbang install.java}.
     */
    private static java.util.Optional<Class<?>> installCommand() {
        try {
            return java.util.Optional.of(Class.forName("pier.cli.install"));
        } catch (ClassNotFoundException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public void run() {
        commandLine().usage(System.out);
    }
}
