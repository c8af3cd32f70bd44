package pier.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;
import pier.state.PierHome;

/**
 * The append-only log of what was done to the server and by whom: {@code events.log}, one tab-separated line
 * per command that changes something (and per refused attempt). Lines are appended with O_APPEND in one write,
 * so concurrent commands never interleave within a line and nothing rewrites what is there.
 */
public final class Events {
    /** One line of the log. {@code app} is empty for a server-wide command. */
    public record Event(Instant time, String key, Optional<AppName> app, String result, String command) {
        String line() {
            return time + "\t" + field(key) + "\t" + app.map(AppName::value).orElse("-") + "\t" + field(result) + "\t"
                    + field(command) + "\n";
        }

        static Optional<Event> parse(String line) {
            String[] f = line.split("\t", 5);
            if (f.length != 5) {
                return Optional.empty();
            }
            try {
                Optional<AppName> app = f[2].equals("-") ? Optional.empty() : Optional.of(AppName.of(f[2]));
                return Optional.of(new Event(Instant.parse(f[0]), f[1], app, f[3], f[4]));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private final PierHome home;

    public Events(PierHome home) {
        this.home = home;
    }

    /** Appends an event now, with every word of {@code command} (git's, whose words are a ref and a commit). */
    public void record(String key, Optional<AppName> app, String result, String command, List<String> words) {
        record(key, app, result, command, words, Access.Shown.ALL);
    }

    /** Appends an event now, showing of {@code command}'s words what its rule says ({@link Rule#shown()}). */
    public void record(String key, Optional<AppName> app, String result, String command, List<String> words,
                       Access.Shown shown) {
        append(new Event(Instant.now().truncatedTo(ChronoUnit.SECONDS), key, app, result, shown(command, words, shown)));
    }

    void append(Event event) {
        Path log = home.events();
        if (!Files.isDirectory(home.root())) {
            // Not installed (or just uninstalled with --purge): there is no pier to keep a log for, and none to create.
            return;
        }
        try {
            boolean created = !Files.exists(log);
            Files.write(log, event.line().getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            if (created) {
                Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r-----"));
                // Root running pier in place must not leave a log the pier user can no longer append to.
                PosixFileAttributeView view = Files.getFileAttributeView(log, PosixFileAttributeView.class);
                PosixFileAttributes dir = Files.readAttributes(home.root(), PosixFileAttributes.class);
                view.setOwner(dir.owner());
                view.setGroup(dir.group());
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw PierException.failed("cannot append to " + log + ": " + e.getMessage(), e);
        }
    }

    /** The last {@code limit} events, oldest first; only {@code app}'s when given. */
    public List<Event> last(Optional<AppName> app, int limit) {
        List<Event> matching = new ArrayList<>();
        try {
            if (!Files.exists(home.events())) {
                return List.of();
            }
            for (String line : Files.readAllLines(home.events(), StandardCharsets.UTF_8)) {
                Event.parse(line).filter(e -> app.isEmpty() || e.app().equals(app)).ifPresent(matching::add);
            }
        } catch (IOException e) {
            throw PierException.failed("cannot read " + home.events() + ": " + e.getMessage(), e);
        }
        return matching.subList(Math.max(0, matching.size() - limit), matching.size());
    }

    static String shown(String command, List<String> words, Access.Shown shown) {
        boolean secret = shown == Access.Shown.KEYS_ONLY;
        if (shown == Access.Shown.APP_ONLY) {
            int app = (int) words.stream().takeWhile(w -> w.startsWith("-")).count();
            int hidden = Math.max(0, words.size() - app - 1);
            return command + shown("", words.subList(0, Math.min(words.size(), app + 1)), Access.Shown.ALL)
                    + (hidden == 0 ? "" : " (" + hidden + (hidden == 1 ? " word" : " words") + " hidden)");
        }
        StringBuilder out = new StringBuilder(command);
        for (String word : words) {
            int eq = word.indexOf('=');
            String w = secret && eq > 0 ? word.substring(0, eq + 1) + "..." : word;
            out.append(' ').append(w.isEmpty() || w.chars().anyMatch(c -> c <= ' ' || c == '\'' || c == '"' || c == '\\')
                    ? Shown.quote(w) : w);
        }
        return out.toString();
    }

    /** One field on one line: a tab, a newline or any other control character typed in a command is shown escaped. */
    private static String field(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
