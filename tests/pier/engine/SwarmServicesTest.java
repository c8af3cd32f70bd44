package pier.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
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
            List.of("CMD", "/usr/bin/wget", "-q", "-O", "/dev/null", "http://127.0.0.1:5000/"), Duration.ofSeconds(2), 3);

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
    void aWorkerPublishesNothingAndAnImageWithoutHttpClientHasNoHealthCheck() {
        SwarmServices.Definition worker = new SwarmServices.Definition("pier-blog-worker", WEB.image(), List.of(), List.of(),
                Map.of(), 1, 0, 0, 0, WEB.network(), List.of(), List.of(), Duration.ofSeconds(2), 3);
        JsonNode spec = SwarmServices.spec(worker);
        assertEquals(0, spec.path("EndpointSpec").path("Ports").size());
        assertTrue(spec.path("TaskTemplate").path("ContainerSpec").path("HealthCheck").isMissingNode());
        assertTrue(spec.path("TaskTemplate").path("Resources").path("Limits").isEmpty(), "no limit set: none sent");
    }

    @Test
    void theTasksCarryTheDigestOfTheirSpecAndNoReleaseSoAScaleReplacesNone() {
        SwarmServices.Definition scaled = new SwarmServices.Definition(WEB.name(), WEB.image(), WEB.command(), WEB.env(),
                Map.of(Labels.APP, "blog", Labels.RELEASE, "9"), 5, WEB.memory(), WEB.nanoCpus(), WEB.targetPort(), WEB.network(),
                WEB.constraints(), WEB.healthTest(), WEB.healthInterval(), WEB.healthRetries());
        JsonNode before = SwarmServices.spec(WEB).path("TaskTemplate");
        JsonNode after = SwarmServices.spec(scaled).path("TaskTemplate");
        assertEquals(before, after, "replicas and the release are the service's, not the tasks'");
        assertEquals(16, after.path("ContainerSpec").path("Labels").path(SwarmServices.TASKS).asText().length());
        assertEquals("9", SwarmServices.spec(scaled).path("Labels").path(Labels.RELEASE).asText());
        SwarmServices.Definition configured = new SwarmServices.Definition(WEB.name(), WEB.image(), WEB.command(),
                List.of("PORT=5000", "GREETING=hello"), WEB.labels(), 2, WEB.memory(), WEB.nanoCpus(), WEB.targetPort(),
                WEB.network(), WEB.constraints(), WEB.healthTest(), WEB.healthInterval(), WEB.healthRetries());
        assertFalse(before.path("ContainerSpec").path("Labels").path(SwarmServices.TASKS).equals(SwarmServices.spec(configured)
                .path("TaskTemplate").path("ContainerSpec").path("Labels").path(SwarmServices.TASKS)), "a config change is a new spec");
    }

    @Test
    void nginxReachesOnlyRunningTasksOnKnownNodesAtTheirPublishedPort() {
        List<SwarmServices.Task> tasks = List.of(
                new SwarmServices.Task("t1", "pier-blog-web", "n2", "running", "running", WEB.image(), 30001, "", "s1"),
                new SwarmServices.Task("t2", "pier-blog-web", "n1", "running", "running", WEB.image(), 30002, "", "s1"),
                new SwarmServices.Task("t3", "pier-blog-web", "n1", "starting", "running", WEB.image(), 30003, "", "s1"),
                new SwarmServices.Task("t4", "pier-blog-web", "n1", "running", "shutdown", WEB.image(), 30004, "", "s1"),
                new SwarmServices.Task("t5", "pier-blog-web", "gone", "running", "running", WEB.image(), 30005, "", "s1"),
                new SwarmServices.Task("t6", "pier-blog-web", "n2", "running", "running", WEB.image(), 0, "", "s1"));
        assertEquals(List.of(new Nginx.Upstream("10.0.0.1", 30002), new Nginx.Upstream("10.0.0.2", 30001)),
                SwarmServices.upstreams(tasks, Map.of("n1", "10.0.0.1", "n2", "10.0.0.2")));
    }
}
