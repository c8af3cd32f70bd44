package pier.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.ProcessType;

/**
 * What Dokku reads from a commit's {@code app.json} besides its health checks ({@link Checks#parseAppJson}):
 * {@code formation} (how many containers of each type the app runs until {@code ps:scale} says otherwise), the
 * deploy scripts {@code scripts.dokku.predeploy} and {@code scripts.dokku.postdeploy}, and the {@code cron}
 * entries. Everything else in the file is left alone. The file is the pusher's: every value is checked, and a bad
 * one is one error before anything runs.
 */
public record AppJson(SortedMap<ProcessType, Integer> formation, DeployScripts scripts, List<CronEntry> cron) {
    public static final AppJson NONE = new AppJson(new TreeMap<>(), DeployScripts.NONE, List.of());
    /** Far more than an app schedules; more is a push trying to make every minute's run slow. */
    public static final int MAX_CRON = 50;

    public AppJson {
        formation = Collections.unmodifiableSortedMap(new TreeMap<>(formation));
        cron = List.copyOf(cron);
    }

    /**
     * The commands a release runs around its switch, from {@code scripts.dokku}: {@code predeploy} in a container
     * of the new image before it (a failure keeps the live release), {@code postdeploy} after it (a failure is
     * reported; the new release stays). Empty: none.
     */
    public record DeployScripts(String predeploy, String postdeploy) {
        public static final DeployScripts NONE = new DeployScripts("", "");

        public boolean isEmpty() {
            return predeploy.isEmpty() && postdeploy.isEmpty();
        }
    }

    public static AppJson parse(String json, Consumer<String> notes) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw PierException.failed("app.json is not valid JSON: " + Shown.firstLine(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw PierException.failed("app.json must hold one JSON object, e.g. {\"formation\": {\"web\": {\"quantity\": 1}}}");
        }
        return new AppJson(formation(root.get("formation")), scripts(root.get("scripts"), notes), cron(root.get("cron")));
    }

    private static List<CronEntry> cron(JsonNode cron) {
        List<CronEntry> entries = new ArrayList<>();
        if (cron == null || cron.isNull()) {
            return entries;
        }
        if (!cron.isArray() || cron.size() > MAX_CRON) {
            throw PierException.failed("app.json: cron must be a list of at most " + MAX_CRON + " entries, e.g."
                    + " [{\"command\": \"./cleanup\", \"schedule\": \"@daily\"}]");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < cron.size(); i++) {
            JsonNode entry = cron.get(i);
            String where = "app.json: cron[" + i + "]";
            if (!entry.isObject()) {
                throw PierException.failed(where + " must be an object with a command and a schedule");
            }
            String command = command(entry, "command", where);
            JsonNode schedule = entry.get("schedule");
            if (command.isEmpty() || schedule == null || !schedule.isTextual()) {
                throw PierException.failed(where + " needs a command and a schedule, e.g. {\"command\": \"./cleanup\","
                        + " \"schedule\": \"@daily\"}");
            }
            CronSchedule parsed;
            try {
                parsed = CronSchedule.parse(schedule.asText());
            } catch (PierException e) {
                throw PierException.failed(where + ": " + e.getMessage());
            }
            JsonNode policy = entry.get("concurrency_policy");
            String overlap = policy == null || policy.isNull() ? "forbid" : policy.asText();
            if (!policyKnown(policy)) {
                throw PierException.failed(where + ".concurrency_policy must be \"forbid\" (the default: a run is"
                        + " skipped while the previous one runs) or \"allow\"");
            }
            CronEntry made = new CronEntry(parsed, command, overlap.equals("allow"));
            if (!ids.add(made.id())) {
                throw PierException.failed(where + " repeats an earlier entry's schedule and command");
            }
            entries.add(made);
        }
        return entries;
    }

    private static boolean policyKnown(JsonNode policy) {
        return policy == null || policy.isNull()
                || policy.isTextual() && (policy.asText().equals("forbid") || policy.asText().equals("allow"));
    }

    private static SortedMap<ProcessType, Integer> formation(JsonNode formation) {
        TreeMap<ProcessType, Integer> counts = new TreeMap<>();
        if (formation == null || formation.isNull()) {
            return counts;
        }
        if (!formation.isObject()) {
            throw PierException.failed("app.json: formation must be an object of process types, e.g. {\"worker\": {\"quantity\": 1}}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = formation.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            ProcessType type;
            try {
                type = ProcessType.of(entry.getKey());
            } catch (PierException e) {
                throw PierException.failed("app.json: formation: " + e.getMessage());
            }
            if (type.equals(ProcessType.RELEASE)) {
                throw PierException.failed("app.json: formation.release: the release command runs once per release and has no quantity");
            }
            JsonNode quantity = entry.getValue().isObject() ? entry.getValue().get("quantity") : null;
            if (quantity == null || !quantity.isIntegralNumber() || quantity.asLong() < 0 || quantity.asLong() > Scale.MAX) {
                throw PierException.failed("app.json: formation." + type + ".quantity must be a whole number from 0 to "
                        + Scale.MAX + ", e.g. {\"" + type + "\": {\"quantity\": 1}}");
            }
            counts.put(type, quantity.asInt());
        }
        return counts;
    }

    private static DeployScripts scripts(JsonNode scripts, Consumer<String> notes) {
        if (scripts == null || scripts.isNull()) {
            return DeployScripts.NONE;
        }
        if (!scripts.isObject()) {
            throw PierException.failed("app.json: scripts must be an object, e.g. {\"dokku\": {\"predeploy\": \"...\"}}");
        }
        scripts.fieldNames().forEachRemaining(name -> {
            if (!name.equals("dokku")) {
                notes.accept("app.json: scripts." + name + " is not run; pier runs scripts.dokku.predeploy and postdeploy");
            }
        });
        JsonNode dokku = scripts.get("dokku");
        if (dokku == null || dokku.isNull()) {
            return DeployScripts.NONE;
        }
        if (!dokku.isObject()) {
            throw PierException.failed("app.json: scripts.dokku must be an object of predeploy and postdeploy commands");
        }
        dokku.fieldNames().forEachRemaining(name -> {
            if (!name.equals("predeploy") && !name.equals("postdeploy")) {
                notes.accept("app.json: scripts.dokku." + name + " is not run; pier runs predeploy and postdeploy");
            }
        });
        return new DeployScripts(command(dokku, "predeploy", "app.json: scripts.dokku"),
                command(dokku, "postdeploy", "app.json: scripts.dokku"));
    }

    /** {@code node.name}: one command line, or empty when absent. */
    private static String command(JsonNode node, String name, String where) {
        JsonNode command = node.get(name);
        if (command == null || command.isNull()) {
            return "";
        }
        if (!command.isTextual() || command.asText().isBlank() || command.asText().length() > 4096
                || command.asText().chars().anyMatch(c -> c == 0 || c == '\n' || c == '\r')) {
            throw PierException.failed(where + "." + name + " must be one command line of at most 4096 characters");
        }
        return command.asText().strip();
    }
}
