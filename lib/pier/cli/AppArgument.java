package pier.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;

/**
 * Puts an app named by {@code -a} or by a checkout's git remote into a command line as the command's APP: the
 * command's first positional, when its label starts with {@code APP} in the Picocli model (the same one the
 * server runs). The model is asked, not a list of commands, so a new command with an APP takes part by itself.
 */
public final class AppArgument {
    /** Options that stand in for the app, e.g. {@code config:set --global K=V}: with one, no app is added. */
    static final Set<String> INSTEAD_OF_APP = Set.of("--global", "--all");

    private AppArgument() {
    }

    /**
     * {@code words} (command first) with {@code app} inserted right after the command name, where Picocli reads the
     * first positional whatever options follow. Unchanged when the user already typed that app as the first
     * positional (the Dokku habit {@code config:set blog K=V} inside blog's checkout) or gave {@code --global}.
     * When the command takes no APP: unchanged for an app inferred from git, a usage error for one given by -a.
     */
    public static List<String> insert(List<String> words, AppName app, boolean explicit, CommandLine model) {
        String name = words.get(0);
        Optional<CommandSpec> command = Optional.ofNullable(model.getSubcommands().get(name)).map(CommandLine::getCommandSpec);
        boolean takesApp = command.flatMap(AppArgument::firstPositional)
                .map(p -> p.paramLabel().startsWith("APP")).orElse(false);
        if (!takesApp) {
            if (explicit) {
                throw PierException.usage(command.isPresent() ? "pier " + name + " takes no APP, so -a does not apply to it"
                        : "unknown command " + Shown.quote(name) + " (see: pier --help)");
            }
            return words;
        }
        List<String> rest = words.subList(1, words.size());
        if (rest.stream().anyMatch(w -> INSTEAD_OF_APP.contains(w.split("=", 2)[0]))) {
            if (explicit) {
                throw PierException.usage("give either -a APP or " + String.join("/", new java.util.TreeSet<>(INSTEAD_OF_APP)) + ", not both");
            }
            return words;
        }
        if (firstTyped(rest, command.get()).filter(app.value()::equals).isPresent()) {
            return words;
        }
        List<String> inserted = new ArrayList<>(words.size() + 1);
        inserted.add(name);
        inserted.add(app.value());
        inserted.addAll(rest);
        return inserted;
    }

    private static Optional<PositionalParamSpec> firstPositional(CommandSpec command) {
        return command.positionalParameters().stream().min(Comparator.comparingInt(p -> p.index().min()));
    }

    /** The first word Picocli would take as a positional: options, and the values they take, are skipped. */
    static Optional<String> firstTyped(List<String> rest, CommandSpec command) {
        for (int i = 0; i < rest.size(); i++) {
            String word = rest.get(i);
            if (word.equals("--")) {
                return i + 1 < rest.size() ? Optional.of(rest.get(i + 1)) : Optional.empty();
            }
            if (!word.startsWith("-") || word.equals("-")) {
                return Optional.of(word);
            }
            OptionSpec option = word.contains("=") ? null : command.findOption(word);
            if (option != null) {
                i += option.arity().min();
            }
        }
        return Optional.empty();
    }
}
