package pier.state;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;
import pier.names.ProcessType;

/**
 * What one app's containers may take from the host: memory, CPUs and processes, and how much log Docker keeps of
 * each. Server-wide defaults are settings ({@value #MEMORY}, {@value #PIDS}, {@value #CPUS}, {@value #LOG_SIZE},
 * {@value #LOG_FILES}); {@code resource:limit} sets an app's own, for all its processes or one type, in
 * {@code apps/APP/resources}. Every container pier starts gets them, so one app's fork bomb, memory leak or log
 * flood stays that app's problem.
 */
public final class Resources {
    public static final String MEMORY = "limits.memory";
    public static final String PIDS = "limits.pids";
    public static final String CPUS = "limits.cpus";
    public static final String LOG_SIZE = "logs.max.size";
    public static final String LOG_FILES = "logs.max.files";
    static final String DEFAULT_MEMORY = "1g";
    static final String DEFAULT_PIDS = "512";
    static final String DEFAULT_LOG_SIZE = "10m";
    static final String DEFAULT_LOG_FILES = "3";
    /** The line of the resources file for every process type of the app. */
    static final String ALL = "*";
    static final java.util.List<String> NAMES = java.util.List.of("memory", "cpus", "pids");

    /** Limits of one container: memory in bytes, CPUs, processes; 0 is "no limit". */
    public record Limits(long memory, double cpus, long pids) {
        public String describe() {
            return "memory=" + (memory == 0 ? "unlimited" : bytes(memory)) + " cpus=" + (cpus == 0 ? "unlimited" : cpus)
                    + " pids=" + (pids == 0 ? "unlimited" : pids);
        }
    }

    /** Everything that confines one container: its app's network, its limits, and how much log Docker keeps. */
    public record Confinement(String network, Limits limits, String logMaxSize, int logMaxFiles) {
    }

    private final PierHome home;

    public Resources(PierHome home) {
        this.home = home;
    }

    /** The Docker network of {@code app}'s containers: theirs alone, so no other app can connect to them. */
    public static String network(AppName app) {
        return "pier-" + app.value();
    }

    /**
     * The attachable overlay network of {@code app}'s tasks on the swarm: theirs alone, and joined by the services
     * linked to the app, which stay on this host.
     */
    public static String swarmNetwork(AppName app) {
        return network(app) + "-swarm";
    }

    /** What confines a container of {@code app} of process type {@code type} ("release", "run" included). */
    public Confinement confinement(AppName app, String type) {
        Settings settings = new Settings(home);
        String size = settings.get(LOG_SIZE).map(String::strip).orElse(DEFAULT_LOG_SIZE);
        String files = settings.get(LOG_FILES).map(String::strip).orElse(DEFAULT_LOG_FILES);
        if (!size.toLowerCase(Locale.ROOT).matches("[1-9][0-9]{0,5}[kmg]")) {
            throw PierException.failed(LOG_SIZE + " in " + home.settings() + " must be a size such as 10m (k, m or g), not " + size);
        }
        if (!files.matches("[1-9][0-9]?")) {
            throw PierException.failed(LOG_FILES + " in " + home.settings() + " must be a whole number from 1 to 99, not " + files);
        }
        return new Confinement(network(app), limits(app, type), size.toLowerCase(Locale.ROOT), Integer.parseInt(files));
    }

    /** The limits in force for {@code type} of {@code app}: its type's own, else the app's, else the server's. */
    public Limits limits(AppName app, String type) {
        Map<String, String> values = new LinkedHashMap<>(defaults());
        Properties own = own(app);
        for (String name : NAMES) {
            Optional.ofNullable(own.getProperty(ALL + "." + name)).ifPresent(v -> values.put(name, v));
            Optional.ofNullable(own.getProperty(type + "." + name)).ifPresent(v -> values.put(name, v));
        }
        return new Limits(parse("memory", values.get("memory")), cpus(values.get("cpus")), parse("pids", values.get("pids")));
    }

    /** The server's defaults, as settings give them. */
    public Map<String, String> defaults() {
        Settings settings = new Settings(home);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("memory", settings.get(MEMORY).map(String::strip).orElse(DEFAULT_MEMORY));
        values.put("cpus", settings.get(CPUS).map(String::strip).orElse("0"));
        values.put("pids", settings.get(PIDS).map(String::strip).orElse(DEFAULT_PIDS));
        values.forEach((name, value) -> checkSetting("limits." + name, value, name));
        return values;
    }

    /** The app's own lines, {@code TYPE.NAME=VALUE} ({@code *.NAME} for every type), sorted. */
    public SortedMap<String, String> ownLines(AppName app) {
        SortedMap<String, String> lines = new TreeMap<>();
        own(app).forEach((k, v) -> lines.put((String) k, (String) v));
        return lines;
    }

    private Properties own(AppName app) {
        return AtomicFile.read(home.app(app).resolve("resources")).map(PropertiesText::parse).orElseGet(Properties::new);
    }

    /**
     * Sets {@code changes} (memory, cpus, pids to a value, or to {@code default} to drop the app's own) for every
     * process type of the app, or for {@code type}; the caller holds the app's lock. Returns the file's text before,
     * for an undo, or empty when nothing changed.
     */
    public Optional<String> set(AppName app, Optional<ProcessType> type, Map<String, String> changes) {
        Properties lines = own(app);
        String prefix = type.map(ProcessType::value).orElse(ALL) + ".";
        String before = AtomicFile.read(home.app(app).resolve("resources")).orElse("");
        boolean changed = false;
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String key = prefix + change.getKey();
            if (change.getValue().equals("default")) {
                changed |= lines.remove(key) != null;
            } else {
                changed |= !change.getValue().equals(lines.setProperty(key, change.getValue()));
            }
        }
        if (!changed) {
            return Optional.empty();
        }
        AtomicFile.write(home.app(app).resolve("resources"),
                PropertiesText.of(lines, "resource limits of this app: TYPE.memory|cpus|pids (* for every type)"), "rw-r--r--");
        return Optional.of(before);
    }

    /** Puts the file back as {@link #set} found it. */
    public void restore(AppName app, String text) {
        AtomicFile.write(home.app(app).resolve("resources"), text, "rw-r--r--");
    }

    /**
     * {@code NAME=VALUE} words checked: memory as bytes with k, m or g ({@code 512m}), cpus as a decimal
     * ({@code 0.5}), pids as a whole number, any of them {@code default}; a usage error says what is allowed.
     */
    public static Map<String, String> changes(java.util.List<String> words) {
        if (words.isEmpty()) {
            throw PierException.usage("give at least one limit: memory=512m cpus=1 pids=256 (or NAME=default)");
        }
        Map<String, String> changes = new LinkedHashMap<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            if (eq < 0 || !NAMES.contains(name)) {
                throw PierException.usage("invalid limit " + Shown.quote(word) + ": use memory=512m, cpus=1.5 or pids=256"
                        + " (or NAME=default to go back to the server's)");
            }
            String value = word.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
            if (!value.equals("default")) {
                checkValue(name, value);
            }
            changes.put(name, value);
        }
        return changes;
    }

    private static void checkValue(String name, String value) {
        try {
            if (name.equals("cpus")) {
                double cpus = Double.parseDouble(value);
                if (!value.matches("[0-9]{1,3}(\\.[0-9]{1,2})?") || cpus < 0.01 && cpus != 0) {
                    throw new NumberFormatException();
                }
            } else {
                long n = parse(name, value);
                if (name.equals("memory") && n != 0 && n < 6L << 20) {
                    throw PierException.usage("memory=" + value + " is below Docker's minimum of 6m: give 6m or more");
                }
                if (name.equals("pids") && n != 0 && n < 8) {
                    throw PierException.usage("pids=" + value + " is too few to start a process: give 8 or more");
                }
            }
        } catch (NumberFormatException e) {
            throw PierException.usage("invalid " + name + " " + Shown.quote(value) + ": use memory=512m (k, m or g),"
                    + " cpus=1.5 or pids=256; 0 means no limit");
        }
    }

    private void checkSetting(String key, String value, String name) {
        try {
            checkValue(name, value.toLowerCase(Locale.ROOT));
        } catch (PierException e) {
            throw PierException.failed(key + " in " + home.settings() + ": " + e.getMessage());
        }
    }

    static long parse(String name, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (name.equals("memory")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,12})([kmg]?)b?").matcher(v);
            if (!m.matches()) {
                throw new NumberFormatException(v);
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "k" -> n << 10;
                case "m" -> n << 20;
                case "g" -> n << 30;
                default -> n;
            };
        }
        if (!v.matches("[0-9]{1,7}")) {
            throw new NumberFormatException(v);
        }
        return Long.parseLong(v);
    }

    private static double cpus(String value) {
        return Double.parseDouble(value.strip());
    }

    static String bytes(long n) {
        if (n % (1L << 30) == 0) {
            return (n >> 30) + "g";
        }
        if (n % (1L << 20) == 0) {
            return (n >> 20) + "m";
        }
        return n % 1024 == 0 ? (n >> 10) + "k" : Long.toString(n);
    }
}
