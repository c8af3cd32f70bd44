package pier.apps;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;
import pier.base.SshWords;
import pier.names.ProcessType;

/**
 * The process types of a release, as its commit's {@code Procfile} declares them: one {@code type: command} per
 * line; blank lines and {@code #} comments are skipped. {@code web} is routed by Nginx (without an entry it runs
 * the image's own command), {@code release} runs once before the switch, every other type runs as a worker.
 */
public record Procfile(SortedMap<ProcessType, String> commands) {
    private static final Pattern LINE = Pattern.compile("([^:\\s]+)\\s*:\\s*(.*)");
    static final int MAX_COMMAND = 4096;
    /** Each type is at least one container on every deploy: far above any real app, far below what would swamp a host. */
    public static final int MAX_TYPES = 20;

    public Procfile {
        commands = Collections.unmodifiableSortedMap(new TreeMap<>(commands));
    }

    public static Procfile none() {
        return new Procfile(new TreeMap<>());
    }

    /** Parses a Procfile; a line that is not {@code type: command}, or a type given twice, is refused with its line number. */
    public static Procfile parse(String text) {
        TreeMap<ProcessType, String> commands = new TreeMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "Procfile line " + (i + 1) + ": ";
            Matcher m = LINE.matcher(line);
            if (!m.matches() || m.group(2).isBlank()) {
                throw PierException.failed(where + "expected TYPE: COMMAND (e.g. worker: bin/worker), got " + Shown.quote(line));
            }
            ProcessType type;
            try {
                type = ProcessType.of(m.group(1));
            } catch (PierException e) {
                throw PierException.failed(where + e.getMessage());
            }
            String command = m.group(2).strip();
            if (command.length() > MAX_COMMAND || command.indexOf('\0') >= 0) {
                throw PierException.failed(where + "the command of " + type + " must be at most " + MAX_COMMAND
                        + " characters with no NUL byte");
            }
            if (commands.put(type, command) != null) {
                throw PierException.failed(where + type + " is declared twice; keep one");
            }
            if (commands.size() > MAX_TYPES) {
                throw PierException.failed(where + "a Procfile may declare at most " + MAX_TYPES + " process types");
            }
        }
        return new Procfile(commands);
    }

    public Optional<String> command(ProcessType type) {
        return Optional.ofNullable(commands.get(type));
    }

    public boolean isEmpty() {
        return commands.isEmpty();
    }

    /**
     * How a container runs {@code command}: with {@code /bin/sh -c}, as Heroku does, when the image has one; else
     * split into words (quotes honoured, as in a shell) with {@code $NAME} and {@code ${NAME}} replaced from the
     * container's environment {@code env}, and nothing else a shell would do (no pipes, no {@code &&}).
     */
    public static List<String> argv(String command, boolean shell, Map<String, String> env) {
        if (shell) {
            return List.of("/bin/sh", "-c", command);
        }
        List<String> words;
        try {
            words = SshWords.split(command);
        } catch (PierException e) {
            throw PierException.failed("cannot split " + Shown.quote(command) + " into words (the image has no /bin/sh): "
                    + e.getMessage());
        }
        if (words.isEmpty()) {
            throw PierException.failed("the command " + Shown.quote(command) + " has no words");
        }
        return words.stream().map(w -> expand(w, env)).toList();
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))");

    static String expand(String word, Map<String, String> env) {
        Matcher m = VARIABLE.matcher(word);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(name, "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The types that run as long-lived containers: web (the image's own command when there is no Procfile), then
     * every declared type but release. A Procfile that declares types but no web runs no web process, as on Dokku.
     */
    public List<ProcessType> running() {
        List<ProcessType> types = new ArrayList<>();
        if (commands.isEmpty() || commands.containsKey(ProcessType.WEB)
                || commands.keySet().equals(java.util.Set.of(ProcessType.RELEASE))) {
            types.add(ProcessType.WEB);
        }
        commands.keySet().stream().filter(t -> !t.equals(ProcessType.WEB) && !t.equals(ProcessType.RELEASE))
                .forEach(types::add);
        return types;
    }
}
