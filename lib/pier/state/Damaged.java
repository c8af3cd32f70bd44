package pier.state;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;

/**
 * A state file that is there but is not what pier wrote: empty (a power loss before pier synced its files could
 * leave one) or unparsable. Pier never writes an empty key, grants, release, scale or config file, so an empty one
 * is damaged, never absent. A reader of many files (every key, every release of an app) reports the damaged one
 * and skips it, so it breaks nothing else; a reader of the one file a command needs fails with {@link #failure()}.
 * Either way the message names the file and says what to do.
 */
public record Damaged(Path file, String problem, String remedy) {
    private static final Set<Path> REPORTED = ConcurrentHashMap.newKeySet();

    /** The one line a reader that skips the file reports. */
    public String warning() {
        return "warning: skipped " + file + ": " + problem + "; " + remedy;
    }

    /** The error of a command that needs the file. */
    public PierException failure() {
        return PierException.failed(file + " is damaged: " + problem + "; " + remedy);
    }

    /** Reports the skipped file on stderr, once per file in this process, as a warning beside the command's output. */
    public void report() {
        if (REPORTED.add(file)) {
            Progress.to(System.err).line(warning());
        }
    }

    /** The problem when a file pier wrote holds {@code text}: empty, or nothing but blanks. */
    public static Optional<String> emptiness(String text) {
        return text.isBlank() ? Optional.of("it is empty (cut short, e.g. by a power loss)") : Optional.empty();
    }

    /** The problem of a file whose parser threw {@code e}, as one line. */
    public static String unparsable(RuntimeException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return "it cannot be read (" + Shown.oneLine(why) + ")";
    }

    /**
     * The content of a file pier never writes empty, or empty when it is absent; an empty one fails with
     * {@code remedy}, since taking it for absent would silently lose what it held.
     */
    public static Optional<String> readNonEmpty(Path file, String remedy) {
        Optional<String> text = AtomicFile.read(file);
        text.flatMap(Damaged::emptiness).ifPresent(problem -> {
            throw new Damaged(file, problem, remedy).failure();
        });
        return text;
    }
}
