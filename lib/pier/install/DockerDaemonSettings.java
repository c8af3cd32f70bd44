package pier.install;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.Host;
import pier.state.AtomicFile;

/**
 * pier's Docker daemon settings (template {@code docker/daemon.json.ftl}: live-restore, so containers keep running
 * while dockerd restarts, and log rotation) merged into {@code /etc/docker/daemon.json}, never clobbering it: pier adds
 * only the keys the admin's file lacks, and an admin's own value wins. Log options belong to a log driver, so with
 * another driver than pier's, pier adds neither (dockerd refuses options its driver does not know). A file that cannot
 * be read or is not a JSON object is an error, and stays as it was. Never undone: the settings are the host's.
 * <p>
 * dockerd reads the file when it starts. A running one is reloaded (SIGHUP), which applies live-restore at once; log
 * options wait for a restart, and then apply to containers created after it ({@link #restartDue()}).
 */
record DockerDaemonSettings(Path file, Supplier<String> wanted, BooleanSupplier dockerRunning) implements InstallStep {
    static final Path FILE = Path.of("/etc/docker/daemon.json");
    static final Path PID_FILE = Path.of("/var/run/docker.pid");
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public String describe() {
        List<String> keys = new ArrayList<>();
        parse(wanted.get(), "pier's docker/daemon.json.ftl").fieldNames().forEachRemaining(keys::add);
        return "Docker daemon settings (" + String.join(", ", keys) + ") in " + file;
    }

    public boolean satisfied() {
        Optional<ObjectNode> now = current();
        return now.isPresent() && merge(now.get(), pierSettings()).equals(now.get());
    }

    public String plan() {
        Optional<ObjectNode> now = current();
        ObjectNode admin = now.orElseGet(JSON::createObjectNode);
        String added = String.join(", ", added(admin, merge(admin, pierSettings())));
        return now.isEmpty() ? "create it" : "add " + added + ", keeping every setting it has";
    }

    public void apply() {
        apply(Progress.silent());
    }

    @Override
    public void apply(Progress progress) {
        ObjectNode merged = merge(current().orElseGet(JSON::createObjectNode), pierSettings());
        AtomicFile.write(file, render(merged), Files.exists(file) ? HostSteps.mode(file) : "rw-r--r--");
        if (dockerRunning.getAsBoolean()) {
            reload();
            progress.detail("dockerd reloaded " + file + ": live-restore applies now; log options apply once it restarts");
        }
    }

    /** The admin's settings with pier's added where the admin has none; both objects: merged key by key. */
    static ObjectNode merge(ObjectNode admin, ObjectNode pier) {
        ObjectNode merged = admin.deepCopy();
        JsonNode driver = admin.get("log-driver");
        boolean otherDriver = driver != null && !driver.equals(pier.get("log-driver"));
        for (Iterator<Map.Entry<String, JsonNode>> it = pier.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode mine = merged.get(e.getKey());
            if (otherDriver && e.getKey().equals("log-opts")) {
                continue;
            }
            if (mine == null) {
                merged.set(e.getKey(), e.getValue().deepCopy());
            } else if (mine instanceof ObjectNode m && e.getValue() instanceof ObjectNode p) {
                merged.set(e.getKey(), merge(m, p));
            }
        }
        return merged;
    }

    /** The keys {@code merged} has that {@code admin} lacks, nested ones as "log-opts.max-size". */
    static List<String> added(ObjectNode admin, ObjectNode merged) {
        List<String> keys = new ArrayList<>();
        merged.fields().forEachRemaining(e -> {
            JsonNode before = admin.get(e.getKey());
            if (before == null) {
                keys.add(e.getKey());
            } else if (before instanceof ObjectNode b && e.getValue() instanceof ObjectNode m) {
                added(b, m).forEach(k -> keys.add(e.getKey() + "." + k));
            }
        });
        return keys;
    }

    /** {@code text} as a JSON object; anything else is an error naming {@code what}. A blank file holds no settings. */
    static ObjectNode parse(String text, String what) {
        if (text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node instanceof ObjectNode object) {
                return object;
            }
            throw PierException.failed(what + " is not a JSON object; fix it, then run the installer again (nothing was changed)");
        } catch (JsonProcessingException e) {
            throw PierException.failed(what + " is not valid JSON (" + Shown.firstLine(e.getOriginalMessage()) + " at line "
                    + e.getLocation().getLineNr() + "); fix it, then run the installer again (nothing was changed)", e);
        }
    }

    static String render(ObjectNode settings) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(settings) + "\n";
        } catch (JsonProcessingException e) {
            throw PierException.failed("cannot write Docker's settings: " + e.getMessage(), e);
        }
    }

    private Optional<ObjectNode> current() {
        return AtomicFile.read(file).map(text -> parse(text, file.toString()));
    }

    private ObjectNode pierSettings() {
        return parse(wanted.get(), "pier's docker/daemon.json.ftl");
    }

    /** Makes a running dockerd read its settings file again (what {@code systemctl reload docker} does too). */
    static void reload() {
        Host.Result r = HostSteps.systemd() ? Host.run(List.of("systemctl", "reload", "docker"))
                : dockerdPid().map(pid -> Host.run(List.of("kill", "-HUP", Long.toString(pid))))
                .orElse(new Host.Result(1, PID_FILE + " names no running dockerd"));
        if (!r.ok()) {
            throw PierException.failed("could not reload dockerd: " + r.lastLine() + "; restart Docker to apply " + FILE);
        }
    }

    /** True when the running dockerd started before {@link #FILE} last changed: it runs without some of it. */
    static boolean restartDue() {
        Optional<Instant> started = dockerdPid().flatMap(ProcessHandle::of).flatMap(p -> p.info().startInstant());
        try {
            return started.isPresent() && Files.exists(FILE)
                    && Files.getLastModifiedTime(FILE).toInstant().isAfter(started.get());
        } catch (IOException e) {
            return false;
        }
    }

    static Optional<Long> dockerdPid() {
        try {
            return AtomicFile.read(PID_FILE).map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong)
                    .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
