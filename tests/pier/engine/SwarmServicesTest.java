package pier.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a process type becomes on the swarm: the spec pier sends, and where Nginx reaches its tasks. */
class SwarmServicesTest {
    static final SwarmServices.Definition WEB = new SwarmServices.Definition("pier-blog-web", "10.0.0.1:5000/pier/blog:v3",
            List.of("/bin/httpd", "-f"), List.of("PORT=5000", "GREETING=hi"), Map.of(Labels.APP, "blog"), 2, 512L << 20,
            1_500_000_000L, 5000, "pier-blog-swarm", List.of("node.labels.disk==ssd"),
            List.of(), List.of("CMD", "/usr/bin/wget", "-q", "-O", "/dev/null", "http://127.0.0.1:5000/"), Duration.ofSeconds(2), 3);

    @Test
    void anUpdateStartsEachNewTaskBeforeItStopsAnOldOneAndRollsBackOnFailure() {
        JsonNode spec = SwarmServices.spec(WEB);
        JsonNode update = spec.path("UpdateConfig");
        assertEquals("start-first", update.path("Order").asText());
        assertEquals("rollback", update.path("FailureAction").asText());
        assertEquals(1, update.path("Parallelism").asInt());
        assertEquals("start-first", spec.path("RollbackConfig").path("Order").asText());
        assertEquals(2, spec.path("Mode").path("Replicated").path("Replicas").asInt());
    }

    @Test
    void theWebPortIsPublishedOnEachTasksOwnNodeOnAPortTheEnginePicks() {
        JsonNode port = SwarmServices.spec(WEB).path("EndpointSpec").path("Ports").get(0);
        assertEquals("host", port.path("PublishMode").asText());
        assertEquals(5000, port.path("TargetPort").asInt());
        assertFalse(port.has("PublishedPort"), "a fixed port would meet its predecessor's in a start-first update: " + port);
    }

    @Test
    void theTaskCarriesTheAppsEnvLimitsNetworkConstraintsAndHealthCheck() {
        JsonNode task = SwarmServices.spec(WEB).path("TaskTemplate");
        JsonNode container = task.path("ContainerSpec");
        assertEquals("10.0.0.1:5000/pier/blog:v3", container.path("Image").asText());
        assertEquals("[\"PORT=5000\",\"GREETING=hi\"]", container.path("Env").toString());
        assertEquals(WEB.healthTest().toString().replace(" ", ""), container.path("HealthCheck").path("Test").toString()
                .replace("\"", ""));
        assertEquals(512L << 20, task.path("Resources").path("Limits").path("MemoryBytes").asLong());
        assertEquals(1_500_000_000L, task.path("Resources").path("Limits").path("NanoCPUs").asLong());
        assertEquals("pier-blog-swarm", task.path("Networks").get(0).path("Target").asText());
        assertEquals("[\"node.labels.disk==ssd\"]", task.path("Placement").path("Constraints").toString());
    }

    @Test
    void theAppsVolumesAreMountedByNameAndNoneIsSentWithout() {
        SwarmServices.Definition withVolume = new SwarmServices.Definition(WEB.name(), WEB.image(), WEB.command(), WEB.env(),
                WEB.labels(), 1, 0, 0, WEB.targetPort(), WEB.network(), List.of("node.id==abc"),
                List.of(new ContainerSpec.Mount("pier-blog-data-1", "/data")), List.of(), Duration.ofSeconds(2), 3);
        JsonNode mounts = SwarmServices.spec(withVolume).path("TaskTemplate").path("ContainerSpec").path("Mounts");
        assertEquals("[{\"Type\":\"volume\",\"Source\":\"pier-blog-data-1\",\"Target\":\"/data\"}]", mounts.toString());
        assertTrue(SwarmServices.spec(WEB).path("TaskTemplate").path("ContainerSpec").path("Mounts").isMissingNode());
    }

    @Test
    void aWorkerPublishesNothingAndAnImageWithoutHttpClientHasNoHealthCheck() {
        SwarmServices.Definition worker = new SwarmServices.Definition("pier-blog-worker", WEB.image(), List.of(), List.of(),
                Map.of(), 1, 0, 0, 0, WEB.network(), List.of(), List.of(), List.of(), Duration.ofSeconds(2), 3);
        JsonNode spec = SwarmServices.spec(worker);
        assertEquals(0, spec.path("EndpointSpec").path("Ports").size());
        assertTrue(spec.path("TaskTemplate").path("ContainerSpec").path("HealthCheck").isMissingNode());
        assertTrue(spec.path("TaskTemplate").path("Resources").path("Limits").isEmpty(), "no limit set: none sent");
    }

    @Test
    void theTasksCarryTheDigestOfTheirSpecAndNoReleaseSoAScaleReplacesNone() {
        SwarmServices.Definition scaled = new SwarmServices.Definition(WEB.name(), WEB.image(), WEB.command(), WEB.env(),
                Map.of(Labels.APP, "blog", Labels.RELEASE, "9"), 5, WEB.memory(), WEB.nanoCpus(), WEB.targetPort(), WEB.network(),
                WEB.constraints(), WEB.mounts(), WEB.healthTest(), WEB.healthInterval(), WEB.healthRetries());
        JsonNode before = SwarmServices.spec(WEB).path("TaskTemplate");
        JsonNode after = SwarmServices.spec(scaled).path("TaskTemplate");
        assertEquals(before, after, "replicas and the release are the service's, not the tasks'");
        assertEquals(16, after.path("ContainerSpec").path("Labels").path(SwarmServices.TASKS).asText().length());
        assertEquals("9", SwarmServices.spec(scaled).path("Labels").path(Labels.RELEASE).asText());
        SwarmServices.Definition configured = new SwarmServices.Definition(WEB.name(), WEB.image(), WEB.command(),
                List.of("PORT=5000", "GREETING=hello"), WEB.labels(), 2, WEB.memory(), WEB.nanoCpus(), WEB.targetPort(),
                WEB.network(), WEB.constraints(), WEB.mounts(), WEB.healthTest(), WEB.healthInterval(), WEB.healthRetries());
        assertFalse(before.path("ContainerSpec").path("Labels").path(SwarmServices.TASKS).equals(SwarmServices.spec(configured)
                .path("TaskTemplate").path("ContainerSpec").path("Labels").path(SwarmServices.TASKS)), "a config change is a new spec");
    }

    @Test
    void nginxReachesOnlyRunningTasksOnKnownNodesAtTheirPublishedPort() {
        List<SwarmServices.Task> tasks = List.of(
                task("t1", "n2", "running", "running", 30001),
                task("t2", "n1", "running", "running", 30002),
                task("t3", "n1", "starting", "running", 30003),
                task("t4", "n1", "running", "shutdown", 30004),
                task("t5", "gone", "running", "running", 30005),
                task("t6", "n2", "running", "running", 0));
        assertEquals(List.of(new Nginx.Upstream("10.0.0.1", 30002), new Nginx.Upstream("10.0.0.2", 30001)),
                SwarmServices.upstreams(tasks, Map.of("n1", "10.0.0.1", "n2", "10.0.0.2")));
    }

    static SwarmServices.Task task(String id, String node, String state, String desired, int port) {
        return new SwarmServices.Task(id, "pier-blog-web", node, state, desired, WEB.image(), port, "", "s1", 1, Instant.EPOCH);
    }

    static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text.replace('\'', '"'));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTaskIsReadWithItsSlotItsLastChangeAndItsErrorBeforeItsMessage() {
        JsonNode list = json("""
                [{'ID': 'k2j3h4g5f6d7s8a9q0w1e2r3t', 'Slot': 2, 'NodeID': 'n2', 'DesiredState': 'running',
                  'Spec': {'ContainerSpec': {'Image': '10.0.0.1:5000/pier/blog:b4@sha256:ab', 'Labels': {'pier.tasks': 's1'}}},
                  'Status': {'Timestamp': '2024-05-01T12:00:03.123456789Z', 'State': 'running', 'Message': 'started',
                             'PortStatus': {'Ports': [{'Protocol': 'tcp', 'TargetPort': 5000, 'PublishedPort': 30002, 'PublishMode': 'host'}]}}},
                 {'ID': 'f1', 'Slot': 1, 'NodeID': 'n1', 'DesiredState': 'shutdown',
                  'Spec': {'ContainerSpec': {'Image': 'x'}},
                  'Status': {'Timestamp': 'not a time', 'State': 'failed', 'Message': 'started', 'Err': 'task: non-zero exit (1)'}}]
                """);
        List<SwarmServices.Task> tasks = SwarmServices.tasks("pier-blog-web", list);
        assertEquals(new SwarmServices.Task("k2j3h4g5f6d7s8a9q0w1e2r3t", "pier-blog-web", "n2", "running", "running",
                "10.0.0.1:5000/pier/blog:b4@sha256:ab", 30002, "started", "s1", 2, Instant.parse("2024-05-01T12:00:03.123456789Z")),
                tasks.get(0));
        assertEquals(new SwarmServices.Task("f1", "pier-blog-web", "n1", "failed", "shutdown", "x", 0, "task: non-zero exit (1)", "",
                1, Instant.EPOCH), tasks.get(1));
    }

    @Test
    void aTaskPublishedOnTwoPortsIsReachedOnItsIpv4One() {
        // As Docker 20.10 reported a task whose IPv4 and IPv6 bindings got different ports: 0.0.0.0:32786, [::]:32782.
        JsonNode list = json("""
                [{'ID': 't1', 'Slot': 1, 'NodeID': 'n1', 'DesiredState': 'running', 'Spec': {'ContainerSpec': {'Image': 'i'}},
                  'Status': {'State': 'running', 'PortStatus': {'Ports': [
                      {'Protocol': 'tcp', 'TargetPort': 5000, 'PublishedPort': 32786, 'PublishMode': 'host'},
                      {'Protocol': 'tcp', 'TargetPort': 5000, 'PublishedPort': 32782, 'PublishMode': 'host'}]}}}]
                """);
        assertEquals(32786, SwarmServices.tasks("pier-blog-web", list).get(0).publishedPort());
    }

    @Test
    void aServiceIsReadWithItsReleaseItsTasksDigestAndTheSpecBeforeItsLastUpdate() {
        SwarmServices.Service service = SwarmServices.service(json("""
                {'ID': 'svc1', 'Spec': {'Name': 'pier-blog-web', 'Labels': {'pier.app': 'blog', 'pier.release': '7', 'pier.process': 'web'},
                   'TaskTemplate': {'ContainerSpec': {'Image': 'i', 'Labels': {'pier.tasks': 'new'}}}},
                 'PreviousSpec': {'Name': 'pier-blog-web', 'Labels': {'pier.app': 'blog', 'pier.release': '6', 'pier.process': 'web'},
                   'TaskTemplate': {'ContainerSpec': {'Image': 'i', 'Labels': {'pier.tasks': 'old'}, 'TTY': true}}}}
                """));
        assertEquals("svc1", service.id());
        assertEquals("pier-blog-web", service.name());
        assertFalse(service.tty(), "the spec now decides how its logs come, not the one before");
        assertEquals(new SwarmServices.Spec(Map.of("pier.app", "blog", "pier.release", "7", "pier.process", "web"), "new"), service.spec());
        assertEquals("6", service.previous().orElseThrow().labels().get("pier.release"));
        assertEquals("old", service.previous().orElseThrow().tasks());
        assertTrue(SwarmServices.service(json("{'ID': 's', 'Spec': {'Name': 'n'}}")).previous().isEmpty(), "never updated");
    }

    @Test
    void aServiceLogLineCarriesItsTaskAndNodeInItsUrlEscapedDetails() {
        SwarmServices.LogLine line = SwarmServices.logLine("2024-05-01T12:00:03.000000000Z com.docker.swarm.node.id=n2,"
                + "com.docker.swarm.service.id=svc1,com.docker.swarm.task.id=t1,tag=a%2Cb+c GET / 200 in 3 ms");
        assertEquals(new SwarmServices.LogLine("2024-05-01T12:00:03.000000000Z", "t1", "n2", "GET / 200 in 3 ms"), line);
        assertEquals(new SwarmServices.LogLine("2024-05-01T12:00:03Z", "", "", "no details"),
                SwarmServices.logLine("2024-05-01T12:00:03Z  no details"));
        assertEquals(new SwarmServices.LogLine("2024-05-01T12:00:03Z", "", "", "not details at all"),
                SwarmServices.logLine("2024-05-01T12:00:03Z not details at all"));
        assertEquals(new SwarmServices.LogLine("2024-05-01T12:00:03Z", "t1", "", ""),
                SwarmServices.logLine("2024-05-01T12:00:03Z com.docker.swarm.task.id=t1"), "an empty line");
    }

    @Test
    void aMultiplexedServiceLogIsOneLinePerFrameStderrAndTheEnginesOwnErrorsIncluded() throws Exception {
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        frame(stream, 1, "2024-05-01T12:00:01Z com.docker.swarm.task.id=t1 first\n");
        frame(stream, 2, "2024-05-01T12:00:02Z com.docker.swarm.task.id=t2 to stderr\n");
        frame(stream, 1, "2024-05-01T12:00:03Z com.docker.swarm.task.id=t1 a long line cut by the engine, no newline");
        frame(stream, 3, "Error grabbing logs: node n2 is not reachable\n");
        List<SwarmServices.LogLine> lines = new java.util.ArrayList<>();
        SwarmServices.read(new java.io.ByteArrayInputStream(stream.toByteArray()), false, lines::add);
        assertEquals(List.of(new SwarmServices.LogLine("2024-05-01T12:00:01Z", "t1", "", "first"),
                new SwarmServices.LogLine("2024-05-01T12:00:02Z", "t2", "", "to stderr"),
                new SwarmServices.LogLine("2024-05-01T12:00:03Z", "t1", "", "a long line cut by the engine, no newline"),
                new SwarmServices.LogLine("", "", "", "Error grabbing logs: node n2 is not reachable")), lines);
    }

    @Test
    void aServiceWithATerminalLogsRawLines() throws Exception {
        List<SwarmServices.LogLine> lines = new java.util.ArrayList<>();
        SwarmServices.read(new java.io.ByteArrayInputStream(("2024-05-01T12:00:01Z com.docker.swarm.task.id=t1 one\r\n"
                + "2024-05-01T12:00:02Z com.docker.swarm.task.id=t1 two\n").getBytes(StandardCharsets.UTF_8)), true, lines::add);
        assertEquals(List.of(new SwarmServices.LogLine("2024-05-01T12:00:01Z", "t1", "", "one"),
                new SwarmServices.LogLine("2024-05-01T12:00:02Z", "t1", "", "two")), lines);
    }

    private static void frame(java.io.ByteArrayOutputStream to, int stream, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        to.writeBytes(new byte[] {(byte) stream, 0, 0, 0, (byte) (payload.length >>> 24), (byte) (payload.length >>> 16),
                (byte) (payload.length >>> 8), (byte) payload.length});
        to.writeBytes(payload);
    }
}
