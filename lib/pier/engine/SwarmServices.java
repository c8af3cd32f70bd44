package pier.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pier.base.PierException;
import pier.base.Shown;

/**
 * An app's processes as swarm services on the cluster this host manages, through the engine's HTTP API: docker-java
 * models neither a task's published ports nor registry credentials on an update, and both are what a service on
 * several hosts needs (Nginx routes to each task's node and port; the nodes pull the image from pier's registry).
 */
public final class SwarmServices {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** On a task: the digest of its spec, which a deploy waits to see on every running task. */
    public static final String TASKS = "pier.tasks";

    /**
     * What one process type runs as: {@code replicas} tasks of {@code image} (in the cluster's registry), each with a
     * port the engine picks on its node for {@code targetPort} (0: none), the app's {@code network} (an overlay),
     * limits, placement {@code constraints} and, when {@code healthTest} is not empty, a health check run in each task,
     * which a start-first update waits on and whose failure rolls the update back.
     */
    public record Definition(String name, String image, List<String> command, List<String> env, Map<String, String> labels,
                             int replicas, long memory, long nanoCpus, int targetPort, String network, List<String> constraints,
                             List<ContainerSpec.Mount> mounts, List<String> healthTest, Duration healthInterval, int healthRetries) {
        public Definition {
            command = List.copyOf(command);
            mounts = List.copyOf(mounts);
            env = List.copyOf(env);
            labels = Map.copyOf(labels);
            constraints = List.copyOf(constraints);
            healthTest = List.copyOf(healthTest);
        }
    }

    /**
     * One task: where it runs, what it runs, and the port its node publishes (0: none yet); its {@code slot} (web.2 is
     * slot 2, and the task Swarm starts in place of a failed one keeps it) and {@code since}, when its state last changed.
     */
    public record Task(String id, String serviceName, String nodeId, String state, String desiredState, String image,
                       int publishedPort, String message, String spec, int slot, java.time.Instant since) {
        public boolean running() {
            return state.equals("running") && desiredState.equals("running");
        }

        /** True when it runs {@code image}, as given or pinned to the digest the manager resolved it to. */
        public boolean runs(String image) {
            return this.image.equals(image) || this.image.startsWith(image + "@");
        }
    }

    /**
     * A service's last update: {@code updating}, {@code completed}, {@code rollback_started}, {@code rollback_completed},
     * … and when it started (an earlier deploy's status stays until the next update).
     */
    public record UpdateStatus(String state, String message, java.time.Instant startedAt) {
    }

    private final DockerHttpClient http;

    SwarmServices(DockerHttpClient http) {
        this.http = http;
    }

    /**
     * Creates the service, or updates it to {@code d}: an update starts each new task before it stops an old one,
     * one at a time, and rolls back when a new task fails. The nodes pull with {@code registry}'s credentials.
     */
    public String deploy(Definition d, Registry registry, String password) {
        Optional<JsonNode> existing = inspect(d.name());
        ObjectNode spec = spec(d);
        String auth = Base64.getUrlEncoder().encodeToString(JSON.createObjectNode().put("username", Registry.USER)
                .put("password", password).put("serveraddress", registry.host()).toString().getBytes(StandardCharsets.UTF_8));
        if (existing.isEmpty()) {
            call("POST", "/services/create", spec, auth, 201);
        } else {
            long version = existing.get().path("Version").path("Index").asLong();
            call("POST", "/services/" + existing.get().path("ID").asText() + "/update?version=" + version, spec, auth, 200);
        }
        return spec.path("TaskTemplate").path("ContainerSpec").path("Labels").path(TASKS).asText();
    }

    /** The service's last update, if it has been updated. */
    public Optional<UpdateStatus> updateStatus(String name) {
        return inspect(name).map(s -> s.path("UpdateStatus")).filter(u -> !u.isMissingNode())
                .map(u -> new UpdateStatus(u.path("State").asText(""), u.path("Message").asText(""), instant(u.path("StartedAt").asText(""))));
    }

    /** The service's image as its spec says now (after a rollback: the one it went back to). */
    public Optional<String> image(String name) {
        return inspect(name).map(s -> s.path("Spec").path("TaskTemplate").path("ContainerSpec").path("Image").asText());
    }

    /** The services carrying {@code label} = {@code value}, by name. */
    public List<String> services(String label, String value) {
        JsonNode list = get("/services?filters=" + filters(Map.of("label", label + "=" + value)));
        List<String> names = new ArrayList<>();
        list.forEach(s -> names.add(s.path("Spec").path("Name").asText()));
        return names;
    }

    /** The service's tasks the engine has not finished with (desired running), with their node's published port. */
    public List<Task> tasks(String service) {
        return tasks(service, get("/tasks?filters=" + filters(Map.of("service", service, "desired-state", "running"))));
    }

    /**
     * Every task of the service Swarm still keeps: those it runs and, per slot, the last few it shut down or that failed
     * (its task history), which is where a failure's reason and the logs of a replaced task are found.
     */
    public List<Task> history(String service) {
        return tasks(service, get("/tasks?filters=" + filters(Map.of("service", service))));
    }

    static List<Task> tasks(String service, JsonNode list) {
        List<Task> tasks = new ArrayList<>();
        for (JsonNode t : list) {
            // The engine lists the IPv4 binding first, then the IPv6 one; Docker 20.10 may pick a different port for each,
            // and only the IPv4 one answers on the node's address (seen here: 32786 answered, 32782 refused).
            int published = t.path("Status").path("PortStatus").path("Ports").path(0).path("PublishedPort").asInt(0);
            tasks.add(new Task(t.path("ID").asText(), service, t.path("NodeID").asText(), t.path("Status").path("State").asText(),
                    t.path("DesiredState").asText(), t.path("Spec").path("ContainerSpec").path("Image").asText(), published,
                    t.path("Status").path("Err").asText(t.path("Status").path("Message").asText("")),
                    t.path("Spec").path("ContainerSpec").path("Labels").path(TASKS).asText(""), t.path("Slot").asInt(0),
                    instant(t.path("Status").path("Timestamp").asText(""))));
        }
        return tasks;
    }

    /** What a service spec says: its labels ({@code pier.app}, {@code pier.release}, {@code pier.process}) and its tasks' digest. */
    public record Spec(Map<String, String> labels, String tasks) {
        public Spec {
            labels = Map.copyOf(labels);
        }
    }

    /**
     * One service as the manager holds it: its spec now and, after an update, the one before (what a rollback returns
     * to, and what the tasks an update is replacing still run); {@code tty} when its tasks have a terminal.
     */
    public record Service(String id, String name, boolean tty, Spec spec, Optional<Spec> previous) {
    }

    /** The services carrying {@code label} = {@code value}, with their specs: one query for all of them. */
    public List<Service> described(String label, String value) {
        JsonNode list = get("/services?filters=" + filters(Map.of("label", label + "=" + value)));
        List<Service> services = new ArrayList<>();
        list.forEach(s -> services.add(service(s)));
        return services;
    }

    static Service service(JsonNode s) {
        JsonNode previous = s.path("PreviousSpec");
        return new Service(s.path("ID").asText(), s.path("Spec").path("Name").asText(),
                s.path("Spec").path("TaskTemplate").path("ContainerSpec").path("TTY").asBoolean(false), spec(s.path("Spec")),
                previous.isObject() ? Optional.of(spec(previous)) : Optional.empty());
    }

    private static Spec spec(JsonNode spec) {
        Map<String, String> labels = new java.util.TreeMap<>();
        spec.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return new Spec(labels, spec.path("TaskTemplate").path("ContainerSpec").path("Labels").path(TASKS).asText(""));
    }

    /** One line a service's task wrote, as the manager gathers them from every node: when, which task on which node. */
    public record LogLine(String timestamp, String taskId, String nodeId, String text) {
    }

    /**
     * The service's logs from every node its tasks ran on, through the manager: the last {@code tail} lines of each task
     * (-1: all), then, with {@code follow}, new lines as they come, also from tasks started later, until the stream ends
     * or {@code line} throws. Blocks while it reads; Swarm may keep a stream open when a node does not answer, so a
     * caller that must end bounds the wait itself.
     */
    public void logs(Service service, int tail, boolean follow, java.util.function.Consumer<LogLine> line) {
        String path = "/services/" + URLEncoder.encode(service.id(), StandardCharsets.UTF_8) + "/logs?stdout=1&stderr=1"
                + "&timestamps=1&details=1&follow=" + (follow ? 1 : 0) + "&tail=" + (tail < 0 ? "all" : Integer.toString(tail));
        DockerHttpClient.Request request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
                .path(path).build();
        try (DockerHttpClient.Response response = http.execute(request); InputStream body = response.getBody()) {
            if (response.getStatusCode() != 200) {
                byte[] bytes = body == null ? new byte[0] : body.readAllBytes();
                String message = new String(bytes, StandardCharsets.UTF_8);
                try {
                    message = JSON.readTree(bytes).path("message").asText(message);
                } catch (IOException notJson) {
                    // The body as it came says more than nothing.
                }
                throw PierException.failed("Docker could not read the logs of " + service.name() + ": " + Shown.firstLine(message));
            }
            read(body, service.tty(), line);
        } catch (IOException e) {
            throw PierException.failed("lost the logs of " + service.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The log stream as the engine writes it: without a terminal, Docker's multiplexed frames, one message each (the
     * engine's own errors on stream 3); with one, raw lines. Each message is {@code TIMESTAMP DETAILS TEXT}.
     */
    static void read(InputStream body, boolean tty, java.util.function.Consumer<LogLine> line) throws IOException {
        if (tty) {
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(body, StandardCharsets.UTF_8));
            for (String l = lines.readLine(); l != null; l = lines.readLine()) {
                line.accept(logLine(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l));
            }
            return;
        }
        DockerStream.frames(body, (stream, payload) -> {
            String text = new String(payload, StandardCharsets.UTF_8);
            text = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            // The engine's own complaint (a node it could not read from) has no timestamp or details: shown as it is.
            line.accept(stream == 3 ? new LogLine("", "", "", text) : logLine(text));
        });
    }

    /**
     * One message of a service's log: {@code TIMESTAMP DETAILS TEXT}, where DETAILS is {@code k=v,k=v} with keys and
     * values URL-escaped, among them the task's and node's ids. A message that is not so is all text.
     */
    static LogLine logLine(String message) {
        int first = message.indexOf(' ');
        if (first < 0) {
            return new LogLine("", "", "", message);
        }
        String timestamp = message.substring(0, first);
        int second = message.indexOf(' ', first + 1);
        String details = second < 0 ? message.substring(first + 1) : message.substring(first + 1, second);
        String text = second < 0 ? "" : message.substring(second + 1);
        if (details.isEmpty()) {
            return new LogLine(timestamp, "", "", text);
        }
        Map<String, String> attributes = new java.util.HashMap<>();
        for (String pair : details.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                return new LogLine(timestamp, "", "", message.substring(first + 1));
            }
            attributes.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return new LogLine(timestamp, attributes.getOrDefault("com.docker.swarm.task.id", ""),
                attributes.getOrDefault("com.docker.swarm.node.id", ""), text);
    }

    /**
     * Where a proxy reaches {@code tasks} that run: each one's node address ({@code addresses}, by node id) and the port
     * the node published for it; sorted, so the same tasks give the same list.
     */
    public static List<Nginx.Upstream> upstreams(List<Task> tasks, Map<String, String> addresses) {
        return tasks.stream().filter(Task::running).filter(t -> t.publishedPort() > 0)
                .filter(t -> addresses.containsKey(t.nodeId()))
                .map(t -> new Nginx.Upstream(addresses.get(t.nodeId()), t.publishedPort()))
                .sorted(java.util.Comparator.comparing(Nginx.Upstream::host).thenComparing(Nginx.Upstream::port)).toList();
    }

    /** Removes the service and so its tasks; one that is gone already is fine. */
    public void remove(String name) {
        inspect(name).ifPresent(s -> call("DELETE", "/services/" + s.path("ID").asText(), null, null, 200));
    }

    /** The attachable overlay network {@code name}, made when missing. */
    public void overlay(String name, Map<String, String> labels) {
        JsonNode found = get("/networks?filters=" + filters(Map.of("name", name)));
        for (JsonNode n : found) {
            if (n.path("Name").asText().equals(name)) {
                return;
            }
        }
        ObjectNode body = JSON.createObjectNode().put("Name", name).put("Driver", "overlay").put("Attachable", true)
                .put("CheckDuplicate", true);
        body.set("Labels", JSON.valueToTree(labels));
        call("POST", "/networks/create", body, null, 201);
    }

    static ObjectNode spec(Definition d) {
        ObjectNode spec = JSON.createObjectNode().put("Name", d.name());
        spec.set("Labels", JSON.valueToTree(d.labels()));
        ObjectNode task = spec.putObject("TaskTemplate");
        ObjectNode container = task.putObject("ContainerSpec").put("Image", d.image());
        // The tasks carry no release: a release that changes nothing the tasks run (a scale) then replaces no task.
        java.util.Map<String, String> taskLabels = new java.util.TreeMap<>(d.labels());
        taskLabels.remove(Labels.RELEASE);
        container.set("Labels", JSON.valueToTree(taskLabels));
        if (!d.command().isEmpty()) {
            container.set("Command", JSON.valueToTree(d.command()));
        }
        container.set("Env", JSON.valueToTree(d.env()));
        if (!d.mounts().isEmpty()) {
            ArrayNode mounts = container.putArray("Mounts");
            // The app's Docker volumes as they are on the node the constraints pin the tasks to: never created elsewhere.
            d.mounts().forEach(m -> mounts.addObject().put("Type", "volume").put("Source", m.volume()).put("Target", m.path()));
        }
        container.put("StopGracePeriod", Duration.ofSeconds(10).toNanos());
        if (!d.healthTest().isEmpty()) {
            ObjectNode health = container.putObject("HealthCheck");
            health.set("Test", JSON.valueToTree(d.healthTest()));
            health.put("Interval", d.healthInterval().toNanos()).put("Timeout", Duration.ofSeconds(5).toNanos())
                    .put("Retries", d.healthRetries()).put("StartPeriod", 0L);
        }
        ObjectNode limits = task.putObject("Resources").putObject("Limits");
        if (d.memory() > 0) {
            limits.put("MemoryBytes", d.memory());
        }
        if (d.nanoCpus() > 0) {
            limits.put("NanoCPUs", d.nanoCpus());
        }
        task.putObject("RestartPolicy").put("Condition", "any").put("Delay", Duration.ofSeconds(1).toNanos());
        task.putObject("Placement").set("Constraints", JSON.valueToTree(d.constraints()));
        ArrayNode networks = task.putArray("Networks");
        networks.addObject().put("Target", d.network());
        // What the tasks run, as one label: a task of this spec is told from one of the spec before by it alone.
        taskLabels.put(TASKS, sha256(task.toString()).substring(0, 16));
        container.set("Labels", JSON.valueToTree(taskLabels));
        spec.putObject("Mode").putObject("Replicated").put("Replicas", d.replicas());
        // Start-first, one at a time, watched for a while after each start; a failed task rolls the whole update back.
        spec.putObject("UpdateConfig").put("Parallelism", 1).put("Order", "start-first").put("FailureAction", "rollback")
                .put("Monitor", Duration.ofSeconds(5).toNanos()).put("MaxFailureRatio", 0);
        spec.putObject("RollbackConfig").put("Parallelism", 1).put("Order", "start-first").put("FailureAction", "pause")
                .put("Monitor", Duration.ofSeconds(5).toNanos());
        ObjectNode endpoint = spec.putObject("EndpointSpec").put("Mode", "vip");
        ArrayNode ports = endpoint.putArray("Ports");
        if (d.targetPort() > 0) {
            // Host mode, port left to the engine: each task gets a free port on its own node (the ingress mesh did not
            // answer on these hosts), and a start-first update never meets its predecessor's port.
            ports.addObject().put("Protocol", "tcp").put("TargetPort", d.targetPort()).put("PublishMode", "host");
        }
        return spec;
    }

    private Optional<JsonNode> inspect(String name) {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
                .path("/services/" + URLEncoder.encode(name, StandardCharsets.UTF_8)).build();
        try (DockerHttpClient.Response response = http.execute(request); InputStream body = response.getBody()) {
            if (response.getStatusCode() == 404) {
                return Optional.empty();
            }
            JsonNode node = JSON.readTree(body);
            if (response.getStatusCode() != 200) {
                throw PierException.failed("Docker could not inspect service " + name + ": " + node.path("message").asText());
            }
            return Optional.of(node);
        } catch (IOException e) {
            throw PierException.failed("cannot reach Docker: " + e.getMessage(), e);
        }
    }

    private JsonNode get(String path) {
        return call("GET", path, null, null, 200);
    }

    private JsonNode call(String method, String path, JsonNode body, String auth, int expected) {
        DockerHttpClient.Request.Builder request = DockerHttpClient.Request.builder().method(method).path(path);
        if (body != null) {
            request.putHeader("Content-Type", "application/json").bodyBytes(body.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (auth != null) {
            request.putHeader("X-Registry-Auth", auth);
        }
        try (DockerHttpClient.Response response = http.execute(request.build()); InputStream in = response.getBody()) {
            byte[] bytes = in == null ? new byte[0] : in.readAllBytes();
            JsonNode answer = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
            if (response.getStatusCode() != expected && response.getStatusCode() / 100 != 2) {
                throw PierException.failed("Docker refused " + method + " " + path.replaceAll("\\?.*", "") + ": "
                        + Shown.firstLine(answer.path("message").asText(new String(bytes, StandardCharsets.UTF_8))));
            }
            return answer;
        } catch (IOException e) {
            throw PierException.failed("cannot reach Docker: " + e.getMessage(), e);
        }
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.time.Instant instant(String text) {
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return java.time.Instant.EPOCH;
        }
    }

    private static String filters(Map<String, String> filters) {
        ObjectNode node = JSON.createObjectNode();
        filters.forEach((k, v) -> node.putArray(k).add(v));
        return URLEncoder.encode(node.toString(), StandardCharsets.UTF_8);
    }
}
