package pier.apps;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.AtomicFile;
import pier.state.Damaged;
import pier.state.PierHome;
import pier.state.PropertiesText;

/**
 * How many containers of each process type an app runs, as {@code ps:scale} set it, in {@code apps/APP/scale}
 * ({@code web=2} per line). A type with no entry runs one container: web, and every worker the Procfile declares.
 * The scale is the app's, not a release's, so it survives redeploys and rollbacks.
 */
public record Scale(SortedMap<ProcessType, Integer> counts) {
    public static final int MAX = 50;
    static final int DEFAULT = 1;

    public Scale {
        counts = Collections.unmodifiableSortedMap(new TreeMap<>(counts));
    }

    public static Scale none() {
        return new Scale(new TreeMap<>());
    }

    /** Parses {@code TYPE=N} words ({@code web=2 worker=0}); every word is checked before anything is used. */
    public static Scale parse(List<String> words) {
        if (words.isEmpty()) {
            throw PierException.usage("give at least one TYPE=N, e.g. web=2 worker=1");
        }
        TreeMap<ProcessType, Integer> counts = new TreeMap<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq < 0) {
                throw PierException.usage("expected TYPE=N (e.g. web=2), got " + Shown.quote(word));
            }
            ProcessType type = ProcessType.of(word.substring(0, eq));
            if (type.equals(ProcessType.RELEASE)) {
                throw PierException.usage("release runs once for each new release and cannot be scaled: use another type");
            }
            String n = word.substring(eq + 1);
            if (!n.matches("\\d{1,3}") || Integer.parseInt(n) > MAX) {
                throw PierException.usage("invalid count " + Shown.quote(n) + " for " + type + ": use a whole number from 0 to " + MAX);
            }
            if (counts.put(type, Integer.parseInt(n)) != null) {
                throw PierException.usage(type + " is given twice: give each type once");
            }
        }
        return new Scale(counts);
    }

    /** This scale with {@code changes} laid over it. */
    public Scale with(Scale changes) {
        TreeMap<ProcessType, Integer> merged = new TreeMap<>(counts);
        merged.putAll(changes.counts);
        return new Scale(merged);
    }

    public int count(ProcessType type) {
        return type.equals(ProcessType.RELEASE) ? 0 : counts.getOrDefault(type, DEFAULT);
    }

    /** The containers to run for a release with {@code procfile}: each running type with its count, web first. */
    public SortedMap<ProcessType, Integer> formation(Procfile procfile) {
        TreeMap<ProcessType, Integer> formation = new TreeMap<>();
        procfile.running().forEach(t -> formation.put(t, count(t)));
        return formation;
    }

    /** {@code web=2 worker=1}, as ps:scale takes it. */
    public static String describe(Map<ProcessType, Integer> formation) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(formation).forEach((t, n) -> out.append(out.length() == 0 ? "" : " ").append(t).append('=').append(n));
        return out.toString();
    }

    static Path file(PierHome home, AppName app) {
        return home.app(app).resolve("scale");
    }

    /** Whether {@code ps:scale} (or an app.json formation on an earlier deploy) set the app's scale. */
    public static boolean exists(PierHome home, AppName app) {
        return java.nio.file.Files.exists(file(home, app));
    }

    public static Scale read(PierHome home, AppName app) {
        Path file = file(home, app);
        // An empty file is damaged, not "every type runs 1": the app would silently lose its scale.
        Properties props = PropertiesText.parse(Damaged.readNonEmpty(file, "remove it to run one container of each type,"
                + " then set the scale again with pier ps:scale " + app + " TYPE=N").orElse(""));
        TreeMap<ProcessType, Integer> counts = new TreeMap<>();
        for (String key : props.stringPropertyNames()) {
            String n = props.getProperty(key).strip();
            try {
                int count = Integer.parseInt(n);
                if (count < 0 || count > MAX) {
                    throw new NumberFormatException();
                }
                counts.put(ProcessType.of(key), count);
            } catch (NumberFormatException | PierException e) {
                throw PierException.failed("cannot read " + file + ": " + Shown.quote(key + "=" + n)
                        + " must be TYPE=N with N from 0 to " + MAX);
            }
        }
        return new Scale(counts);
    }

    /** Stores the scale (the caller holds the app's lock). */
    public void write(PierHome home, AppName app) {
        Properties props = new Properties();
        counts.forEach((t, n) -> props.setProperty(t.value(), Integer.toString(n)));
        AtomicFile.write(file(home, app), PropertiesText.of(props, "containers per process type of " + app
                + " (pier ps:scale); a type not listed runs 1"), "rw-r--r--");
    }

    public Map<String, Integer> asStrings() {
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.forEach((t, n) -> out.put(t.value(), n));
        return out;
    }
}
