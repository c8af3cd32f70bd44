package pier.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/**
 * The checks a release's web containers must pass before Nginx is switched to them, as its commit declares them:
 * Dokku's {@code app.json} {@code healthchecks.web} list, else a {@code CHECKS} file, else pier's default (the web
 * port answers HTTP below 500). They are recorded in the release, so a restart or rollback needs no checkout.
 * <p>
 * Both declaration formats and their limits are parsed here, so the one record of what a release checks has one
 * reader; running the checks is {@code pier.deploy.HealthCheck}'s.
 */
public record Checks(String source, List<Check> list) {
    public static final String DEFAULT_SOURCE = "default";
    public static final Checks DEFAULT = new Checks(DEFAULT_SOURCE, List.of());

    public enum Kind { http, command, uptime }

    /**
     * One check. {@code http}: GET {@code path} (with {@code host} as the Host header when given) answers below 400
     * and, when {@code content} is given, its body contains it. {@code command}: runs in the container and exits 0
     * (printing {@code content} when given). {@code uptime}: the container stays up, unrestarted, that many seconds.
     * Each is tried up to {@code attempts} times, {@code timeout} each, {@code interval} apart, after {@code initialDelay}.
     */
    public record Check(Kind kind, String name, String path, String host, String content, List<String> command,
                        int uptime, int attempts, Duration timeout, Duration interval, Duration initialDelay) {
        public Check {
            command = List.copyOf(command);
        }

        public String describe() {
            String what = switch (kind) {
                case http -> "GET " + (host.isEmpty() ? "" : "//" + host) + path;
                case command -> "command " + command;
                case uptime -> "up for " + uptime + "s";
            };
            return (name.isEmpty() ? "" : name + ": ") + what + (content.isEmpty() ? "" : " expecting " + Shown.quote(content));
        }
    }

    // The limits every check number must keep, so a typo cannot stall a deploy for hours.
    static final int MAX_ATTEMPTS = 100;
    static final int MAX_SECONDS = 3600;
    private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}(:\\d{1,5})?");

    /** A release may declare at most this many checks... */
    static final int MAX_CHECKS = 20;
    /** ...that together may keep a deploy waiting at most this long, however they fail. */
    static final int MAX_TOTAL_SECONDS = 900;

    public Checks {
        list = List.copyOf(list);
        if (list.size() > MAX_CHECKS) {
            throw PierException.failed(source + " declares " + list.size() + " checks; pier runs at most " + MAX_CHECKS);
        }
        long worst = list.stream().mapToLong(c -> c.initialDelay().toSeconds() + c.uptime()
                + c.attempts() * (c.timeout().toSeconds() + c.interval().toSeconds())).sum();
        if (worst > MAX_TOTAL_SECONDS) {
            throw PierException.failed("the checks in " + source + " could keep a deploy waiting " + worst + "s when they fail;"
                    + " pier allows at most " + MAX_TOTAL_SECONDS + "s in all: lower attempts, timeout or wait");
        }
    }

    public boolean isDefault() {
        return list.isEmpty();
    }

    /**
     * The checks a commit declares: {@code app.json} {@code healthchecks.web} wins over {@code CHECKS}; with neither,
     * the default. Notes about what pier skips go to {@code notes}; a malformed file is refused with the reason.
     */
    public static Checks declared(Optional<String> checksFile, Optional<String> appJson, Consumer<String> notes) {
        Optional<Checks> fromJson = appJson.flatMap(json -> parseAppJson(json, notes));
        if (fromJson.isPresent()) {
            if (checksFile.isPresent()) {
                notes.accept("app.json declares healthchecks, so the CHECKS file is not used");
            }
            return fromJson.get();
        }
        return checksFile.map(Checks::parseChecksFile).orElse(DEFAULT);
    }

    // ---- CHECKS ----

    /**
     * Parses Dokku's {@code CHECKS} file: {@code WAIT=}, {@code TIMEOUT=} and {@code ATTEMPTS=} settings (for every
     * check, wherever they stand), and check lines {@code PATH [EXPECTED CONTENT]} where PATH is {@code /path},
     * {@code //host/path} or {@code http://host/path}. Blank lines and {@code #} comments are skipped.
     */
    public static Checks parseChecksFile(String text) {
        int attempts = 5;
        int timeout = 30;
        int wait = 5;
        List<String[]> lines = new ArrayList<>();
        String[] all = text.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            String line = all[i].strip();
            String where = "CHECKS line " + (i + 1) + ": ";
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.matches("[A-Z_]+=.*")) {
                String key = line.substring(0, line.indexOf('='));
                String value = line.substring(line.indexOf('=') + 1).strip();
                switch (key) {
                    case "ATTEMPTS" -> attempts = number(where, key, value, 1, MAX_ATTEMPTS);
                    case "TIMEOUT" -> timeout = number(where, key, value, 1, MAX_SECONDS);
                    case "WAIT" -> wait = number(where, key, value, 0, MAX_SECONDS);
                    default -> throw PierException.failed(where + "unknown setting " + Shown.quote(key)
                            + ": use WAIT, TIMEOUT or ATTEMPTS");
                }
                continue;
            }
            lines.add(new String[] {where, line});
        }
        List<Check> checks = new ArrayList<>();
        for (String[] entry : lines) {
            String where = entry[0];
            String[] parts = entry[1].split("\\s+", 2);
            String target = parts[0];
            String content = parts.length > 1 ? parts[1].strip() : "";
            String host = "";
            String path;
            if (target.startsWith("http://") || target.startsWith("//")) {
                String rest = target.substring(target.startsWith("//") ? 2 : 7);
                int slash = rest.indexOf('/');
                host = slash < 0 ? rest : rest.substring(0, slash);
                path = slash < 0 ? "/" : rest.substring(slash);
            } else if (target.startsWith("/")) {
                path = target;
            } else {
                throw PierException.failed(where + "expected a check as /path, //host/path or http://host/path,"
                        + " then the expected content; got " + Shown.quote(target)
                        + (target.startsWith("https://") ? " (pier checks the container over plain HTTP)" : ""));
            }
            checks.add(new Check(Kind.http, "", checkedPath(where, path), checkedHost(where, host), content, List.of(), 0,
                    attempts, Duration.ofSeconds(timeout), Duration.ofSeconds(wait), Duration.ZERO));
        }
        return checks.isEmpty() ? DEFAULT : new Checks("CHECKS", checks);
    }

    private static int number(String where, String key, String value, int min, int max) {
        if (!value.matches("\\d{1,5}") || Integer.parseInt(value) < min || Integer.parseInt(value) > max) {
            throw PierException.failed(where + key + " must be a whole number from " + min + " to " + max + ", not "
                    + Shown.quote(value));
        }
        return Integer.parseInt(value);
    }

    private static String checkedPath(String where, String path) {
        if (!PATH.matcher(path).matches() || path.length() > 2048) {
            throw PierException.failed(where + "invalid check path " + Shown.quote(path)
                    + ": must start with / and have no spaces or control characters");
        }
        return path;
    }

    private static String checkedHost(String where, String host) {
        if (!host.isEmpty() && !HOST.matcher(host).matches()) {
            throw PierException.failed(where + "invalid check host " + Shown.quote(host) + ": must be a host name, e.g. //example.com/");
        }
        return host;
    }

    // ---- app.json ----

    /**
     * Dokku's {@code app.json} {@code healthchecks.web}: startup checks with {@code path}, {@code content},
     * {@code command} or {@code uptime}, and {@code attempts} (3), {@code timeout} (5 s), {@code wait} (5 s) and
     * {@code initialDelay} (0 s). Empty when app.json declares no web checks.
     */
    public static Optional<Checks> parseAppJson(String json, Consumer<String> notes) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw PierException.failed("app.json is not valid JSON: " + Shown.firstLine(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject() || !root.has("healthchecks")) {
            return Optional.empty();
        }
        JsonNode healthchecks = root.get("healthchecks");
        if (!healthchecks.isObject()) {
            throw PierException.failed("app.json: healthchecks must be an object of process types, e.g. {\"web\": [...]}");
        }
        healthchecks.fieldNames().forEachRemaining(type -> {
            if (!type.equals("web")) {
                notes.accept("app.json declares healthchecks for " + type + "; pier checks web containers only");
            }
        });
        JsonNode web = healthchecks.get("web");
        if (web == null) {
            return Optional.empty();
        }
        if (!web.isArray()) {
            throw PierException.failed("app.json: healthchecks.web must be a list of checks");
        }
        List<Check> checks = new ArrayList<>();
        for (int i = 0; i < web.size(); i++) {
            JsonNode c = web.get(i);
            String where = "app.json healthchecks.web[" + i + "]: ";
            if (!c.isObject()) {
                throw PierException.failed(where + "each check must be an object");
            }
            String type = text(c, "type", where, "startup");
            if (!type.equals("startup")) {
                notes.accept(where + "a " + type + " check is not run by pier; it runs startup checks before the switch");
                continue;
            }
            String scheme = text(c, "scheme", where, "http");
            if (!scheme.equals("http")) {
                throw PierException.failed(where + "scheme must be http: pier checks the container over plain HTTP");
            }
            if (c.has("port")) {
                notes.accept(where + "port is not used: pier checks the web container's $PORT");
            }
            String name = text(c, "name", where, "");
            String content = text(c, "content", where, "");
            int attempts = integer(c, "attempts", where, 3, 1, MAX_ATTEMPTS);
            Duration timeout = Duration.ofSeconds(integer(c, "timeout", where, 5, 1, MAX_SECONDS));
            Duration wait = Duration.ofSeconds(integer(c, "wait", where, 5, 0, MAX_SECONDS));
            Duration delay = Duration.ofSeconds(integer(c, "initialDelay", where, 0, 0, MAX_SECONDS));
            if (c.has("command")) {
                JsonNode command = c.get("command");
                List<String> argv = new ArrayList<>();
                if (!command.isArray() || command.isEmpty()) {
                    throw PierException.failed(where + "command must be a non-empty list of strings, e.g. [\"/app/check\"]");
                }
                command.forEach(word -> {
                    if (!word.isTextual() || word.asText().indexOf('\0') >= 0) {
                        throw PierException.failed(where + "command must be a non-empty list of strings, e.g. [\"/app/check\"]");
                    }
                    argv.add(word.asText());
                });
                checks.add(new Check(Kind.command, name, "", "", content, argv, 0, attempts, timeout, wait, delay));
            } else if (c.has("uptime")) {
                int uptime = integer(c, "uptime", where, 0, 1, MAX_SECONDS);
                checks.add(new Check(Kind.uptime, name, "", "", "", List.of(), uptime, 1, timeout, wait, delay));
            } else {
                String path = checkedPath(where, text(c, "path", where, "/"));
                checks.add(new Check(Kind.http, name, path, "", content, List.of(), 0, attempts, timeout, wait, delay));
            }
        }
        return checks.isEmpty() ? Optional.empty() : Optional.of(new Checks("app.json", checks));
    }

    private static String text(JsonNode c, String field, String where, String fallback) {
        JsonNode v = c.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual() || v.asText().chars().anyMatch(ch -> ch < 0x20)) {
            throw PierException.failed(where + field + " must be a string without control characters");
        }
        return v.asText();
    }

    private static int integer(JsonNode c, String field, String where, int fallback, int min, int max) {
        JsonNode v = c.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            throw PierException.failed(where + field + " must be a whole number from " + min + " to " + max);
        }
        return v.asInt();
    }

    // ---- in a release file ----

    void store(Properties p) {
        if (isDefault()) {
            return;
        }
        p.setProperty("checks", source);
        for (int i = 0; i < list.size(); i++) {
            Check c = list.get(i);
            String k = "check." + (i + 1) + ".";
            p.setProperty(k + "kind", c.kind().name());
            put(p, k + "name", c.name());
            put(p, k + "path", c.path());
            put(p, k + "host", c.host());
            put(p, k + "content", c.content());
            if (!c.command().isEmpty()) {
                p.setProperty(k + "command", compactJson(c.command()));
            }
            if (c.uptime() > 0) {
                p.setProperty(k + "uptime", Integer.toString(c.uptime()));
            }
            p.setProperty(k + "attempts", Integer.toString(c.attempts()));
            p.setProperty(k + "timeout", Long.toString(c.timeout().toSeconds()));
            p.setProperty(k + "wait", Long.toString(c.interval().toSeconds()));
            p.setProperty(k + "delay", Long.toString(c.initialDelay().toSeconds()));
        }
    }

    private static String compactJson(List<String> words) {
        try {
            return new ObjectMapper().writeValueAsString(words);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(Properties p, String key, String value) {
        if (!value.isEmpty()) {
            p.setProperty(key, value);
        }
    }

    static Checks load(Properties p) {
        String source = p.getProperty("checks");
        if (source == null) {
            return DEFAULT;
        }
        List<Check> checks = new ArrayList<>();
        for (int i = 1; p.getProperty("check." + i + ".kind") != null; i++) {
            String k = "check." + i + ".";
            List<String> command = new ArrayList<>();
            String json = p.getProperty(k + "command");
            if (json != null) {
                try {
                    new ObjectMapper().readTree(json).forEach(w -> command.add(w.asText()));
                } catch (JsonProcessingException e) {
                    throw PierException.failed("cannot read the check command " + json + ": " + e.getOriginalMessage());
                }
            }
            checks.add(new Check(Kind.valueOf(p.getProperty(k + "kind")), p.getProperty(k + "name", ""),
                    p.getProperty(k + "path", ""), p.getProperty(k + "host", ""), p.getProperty(k + "content", ""),
                    command, Integer.parseInt(p.getProperty(k + "uptime", "0")),
                    Integer.parseInt(p.getProperty(k + "attempts", "1")),
                    Duration.ofSeconds(Long.parseLong(p.getProperty(k + "timeout", "5"))),
                    Duration.ofSeconds(Long.parseLong(p.getProperty(k + "wait", "5"))),
                    Duration.ofSeconds(Long.parseLong(p.getProperty(k + "delay", "0")))));
        }
        return new Checks(source, checks);
    }
}
