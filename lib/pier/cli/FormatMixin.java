package pier.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --format text|json} every list and report command takes, and the one way their JSON is printed
 * ({@link JsonOutput}). A command's JSON is a record of its own, or a list or map of them: its keys are a contract.
 */
public final class FormatMixin {
    /** The values {@code --format} takes (case-insensitive: see {@link Cli}). */
    public enum Format {
        text, json
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--format", defaultValue = "text", description = "text or json")
    Format format;

    public boolean json() {
        return format == Format.json;
    }

    /** Prints {@code value} as JSON on the command's output. */
    public void print(Object value) {
        out().println(JsonOutput.of(value));
    }

    /** Prints {@code rows}: as one JSON list of {@code json(row)}, or as one {@code text(row)} line each. */
    public <T> void rows(List<T> rows, Function<T, ?> json, Function<T, String> text) {
        if (json()) {
            print(rows.stream().map(json).toList());
        } else {
            rows.forEach(row -> out().println(text.apply(row)));
        }
    }

    private PrintWriter out() {
        return mixee.commandLine().getOut();
    }
}
