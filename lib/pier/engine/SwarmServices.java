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
                             List<String> healthTest, Duration healthInterval, int healthRetries) {
        public Definition {
            command = List.copyOf(command);
            env = List.copyOf(env);
            labels = Map.copyOf(labels);
            constraints = List.copyOf(constraints);
            healthTest = List.copyOf(healthTest);
        }
    }

    /** One task: where it runs, what it runs, and the port its node publishes (0: none yet). */
    public record Task(String id, String serviceName, String nodeId, String state, String desiredState, String image,
                       int publishedPort, String message, String spec) {
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
        JsonNode list = get("/tasks?filters=" + filters(Map.of("service", service, "desired-state", "running")));
        List<Task> tasks = new ArrayList<>();
        for (JsonNode t : list) {
            int published = 0;
            for (JsonNode p : t.path("Status").path("PortStatus").path("Ports")) {
                published = p.path("PublishedPort").asInt(0);
            }
            tasks.add(new Task(t.path("ID").asText(), service, t.path("NodeID").asText(), t.path("Status").path("State").asText(),
                    t.path("DesiredState").asText(), t.path("Spec").path("ContainerSpec").path("Image").asText(), published,
                    t.path("Status").path("Err").asText(t.path("Status").path("Message").asText("")),
                    t.path("Spec").path("ContainerSpec").path("Labels").path(TASKS).asText("")));
        }
        return tasks;
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
