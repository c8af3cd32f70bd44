package pier.deploy;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * What a process that died wrote, cut for a push's output: its last {@value #SHOWN} lines, and the first line that
 * looks like the error (a Node.js {@code TypeError:}, a Java {@code Exception}, a Python {@code Traceback}, a Go
 * {@code panic:}) when it scrolled out of them, since a stack trace's last lines rarely say why.
 */
record CrashOutput(List<String> last, Optional<String> cause) {
    /** How many lines are read back from the engine to look for the cause. */
    static final int READ = 500;
    static final int SHOWN = 30;
    private static final Pattern ERROR = Pattern.compile("Error:|Exception|Traceback|[Ff]atal|FATAL|panic:");

    static CrashOutput of(List<String> lines) {
        List<String> last = lines.subList(Math.max(0, lines.size() - SHOWN), lines.size());
        Optional<String> cause = lines.stream().filter(l -> ERROR.matcher(l).find()).findFirst().map(String::strip);
        return new CrashOutput(List.copyOf(last), cause);
    }

    /** Prints the cause (when the last lines do not hold it) and the last lines, each under {@code instance}. */
    void show(String instance, Consumer<String> out) {
        if (last.isEmpty()) {
            out.accept(instance + " wrote nothing");
            return;
        }
        if (cause.isPresent() && last.stream().noneMatch(l -> l.strip().equals(cause.get()))) {
            out.accept(instance + " first error: " + cause.get());
        }
        out.accept(instance + " last " + last.size() + " line" + (last.size() == 1 ? "" : "s") + " of output:");
        last.forEach(l -> out.accept("  " + l));
    }

    /** {@code ": CAUSE"} for an error line, or nothing when no line looks like an error. */
    String causeSuffix() {
        return cause.map(c -> ": " + c).orElse("");
    }
}
