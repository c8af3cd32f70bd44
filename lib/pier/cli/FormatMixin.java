package pier.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code --format text|json} every list and report command takes. */
public final class FormatMixin {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** The values {@code --format} takes (case-insensitive: see {@link Cli}). */
    public enum Format {
        text, json
    }

    @Option(names = "--format", defaultValue = "text", description = "text or json")
    Format format;

    public boolean json() {
        return format == Format.json;
    }

    /** Prints {@code value} (a record, list, map, string, number or boolean) as JSON on the command's output. */
    public void print(Object value) {
        mixee.commandLine().getOut().println(Json.of(value));
    }
}
