package pier.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;
import pier.access.Access;
import pier.access.Actor;
import pier.access.Events;
import pier.access.Rule;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * Runs a parsed pier command line only if the acting key may: the check happens after parsing and before the
 * command's first side effect. Commands that change something, and refused attempts, become events.
 * Bad usage is not an event: nothing was attempted.
 */
public final class CommandGate implements CommandLine.IExecutionStrategy {
    private final CommandLine.IExecutionStrategy next = new CommandLine.RunLast();
    private final Actor actor;

    /** The gate of a command tree run for {@code actor}: an SSH key, or {@link Actor#LOCAL}. */
    public CommandGate(Actor actor) {
        this.actor = actor;
    }

    @Override
    public int execute(ParseResult parsed) {
        ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        // A root with commands under it and none chosen only prints help; a root that is the command (install) is itself.
        boolean root = leaf == parsed;
        String command = root && !leaf.commandSpec().subcommands().isEmpty() ? "help" : leaf.commandSpec().name();
        if (command.equals("help") && !actor.grants().admin() && !parsed.isVersionHelpRequested()) {
            return help(parsed.commandSpec().commandLine(), actor);
        }
        Optional<AppName> app;
        try {
            app = appOf(leaf);
        } catch (PierException badName) {
            throw new ExecutionException(leaf.commandSpec().commandLine(), badName.getMessage(), badName);
        }
        List<String> words = wordsAfterCommand(parsed.originalArgs(), root ? List.of() : names(leaf.commandSpec()));
        Rule rule = command.equals("help") ? Access.HELP : ruleOf(leaf.commandSpec());
        Events events = new Events(PierHome.current());
        try {
            if (rule.scope() == Access.Scope.SERVICE && leaf.commandSpec().userObject() instanceof ServiceScoped scoped) {
                Access.checkService(actor, command, scoped.serviceNamed(), actor.grants().admin() ? List.of() : scoped.linkedApps());
            } else {
                Access.check(actor, command, rule, app);
            }
        } catch (PierException refused) {
            record(events, actor, app, "refused", command, words, rule);
            throw new ExecutionException(leaf.commandSpec().commandLine(), refused.getMessage(), refused);
        }
        boolean logged = rule.changes();
        Lock.doing(command + app.map(a -> " " + a).orElse("") + " by " + actor.name());
        int code;
        try {
            code = next.execute(parsed);
        } catch (ExecutionException e) {
            int failed = e.getCause() instanceof PierException p ? p.exitCode() : PierException.FAILED;
            if (logged && failed != PierException.USAGE) {
                record(events, actor, app, "failed: " + Shown.oneLine(e.getCause() == null ? e.getMessage() : e.getCause().getMessage()),
                        command, words, rule);
            }
            throw e;
        }
        if (logged && code != PierException.USAGE) {
            record(events, actor, app, code == 0 ? "ok" : "exit " + code, command, words, rule);
        }
        return code;
    }

    /** The rule {@code command} declares with {@link Rule} on its class, or {@link Access#UNDECLARED}. */
    public static Rule ruleOf(CommandSpec command) {
        return declared(command).orElse(Access.UNDECLARED);
    }

    /** The rule {@code command} declares on its class, if it declares one. */
    public static Optional<Rule> declared(CommandSpec command) {
        return Optional.ofNullable(command.userObject()).map(o -> o.getClass().getAnnotation(Rule.class));
    }

    /**
     * The app a command acts on: the first word of its positional whose label starts with APP, unless
     * {@code --global} makes it server-wide. An invalid name is refused here, before anything runs.
     */
    public static Optional<AppName> appOf(ParseResult leaf) {
        if (leaf.hasMatchedOption("--global")) {
            return Optional.empty();
        }
        for (PositionalParamSpec p : leaf.matchedPositionals()) {
            if (p.paramLabel().startsWith("APP") && !p.stringValues().isEmpty()) {
                return Optional.of(AppName.of(p.stringValues().get(0)));
            }
        }
        return Optional.empty();
    }

    private static List<String> names(CommandSpec spec) {
        List<String> names = new java.util.ArrayList<>(List.of(spec.aliases()));
        names.add(spec.name());
        return names;
    }

    /** The words typed after the command's name (all of them for a root command), as the event shows them. */
    public static List<String> wordsAfterCommand(List<String> args, List<String> names) {
        if (names.isEmpty()) {
            return args;
        }
        for (int i = 0; i < args.size(); i++) {
            if (names.contains(args.get(i))) {
                return args.subList(i + 1, args.size());
            }
        }
        return args;
    }

    private static void record(Events events, Actor actor, Optional<AppName> app, String result, String command, List<String> words,
                               Rule rule) {
        try {
            events.record(actor.name(), app, result, command, words, rule.shown());
        } catch (PierException e) {
            // The command's own outcome matters more than its log line; say so rather than hide it or fail it.
            System.err.println("warning: " + e.getMessage());
        }
    }

    /** What a key that is not an admin may run: the commands it may use on its apps, and git. */
    private static int help(CommandLine root, Actor actor) {
        PrintWriter out = root.getOut();
        out.println("You are " + actor.name() + ": " + actor.grants().describe() + ".");
        if (!actor.grants().apps().isEmpty()) {
            out.println("  git push pier@HOST:APP main     deploy one of your apps");
            out.println("  git fetch / git clone           read one of your apps' code");
        }
        root.getSubcommands().forEach((name, sub) -> {
            CommandSpec spec = sub.getCommandSpec();
            if (name.equals(spec.name()) && !spec.usageMessage().hidden() && !name.equals("help")
                    && Access.mayRun(actor, ruleOf(spec).scope())) {
                String[] description = spec.usageMessage().description();
                String argument = ruleOf(spec).scope() == Access.Scope.SERVICE ? " NAME" : " APP";
                out.printf("  %-31s %s%n", name + argument, description.length > 0 ? description[0] : "");
            }
        });
        out.flush();
        return 0;
    }
}
