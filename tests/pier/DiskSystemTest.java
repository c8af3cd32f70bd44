package pier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Result;
import pier.engine.Labels;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * Disk hygiene on the real engine (docker.io 20.10, the legacy builder docker-java drives): a build's image carries
 * pier's labels, a failed build leaves nothing it made, {@code system:df} agrees with Docker's own figures, and the
 * build cache is pruned only over its budget. One busybox app, pushed a few times; the tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiskSystemTest {
    static final String APP = "disktest";
    static final Settings SETTINGS = new Settings(new PierHome(PierHome.DEFAULT));

    static Path key;
    static Path repo;
    static String budgetBefore;

    @BeforeAll
    static void oneServingApp() throws IOException {
        key = SystemHost.installWithAdminKey("pier.test");
        SystemHost.pier("apps:destroy", APP, "--force");
        budgetBefore = SETTINGS.get(Settings.BUILD_CACHE_BUDGET).orElse(null);
        setting(null);
        repo = SystemHost.busyboxRepo(key);
        Result push = SystemHost.pushBusybox(repo, key, APP, "one");
        assertEquals(0, push.code(), push.output());
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (key != null) {
            setting(budgetBefore);
            SystemHost.pier("apps:destroy", APP, "--force");
        }
    }

    static void setting(String budget) throws IOException {
        SETTINGS.set(Settings.BUILD_CACHE_BUDGET, budget);
        SystemHost.run("chown", "pier:pier", PierHome.DEFAULT.resolve("settings.properties").toString());
    }

    static Result push(String dockerfile, String body) throws IOException {
        Files.writeString(repo.resolve("www/index.html"), body + "\n");
        Files.writeString(repo.resolve("Dockerfile"), dockerfile);
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "-m", body).code());
        return SystemHost.git(repo, key, "push", "pier@localhost:" + APP, "main");
    }

    static Set<String> allImages() {
        Set<String> ids = new TreeSet<>();
        DockerProbe.client().listImagesCmd().withShowAll(true).exec().forEach(i -> ids.add(i.getId()));
        return ids;
    }

    static Set<String> allContainers() {
        Set<String> ids = new TreeSet<>();
        DockerProbe.client().listContainersCmd().withShowAll(true).exec().forEach(c -> ids.add(c.getId()));
        return ids;
    }

    static boolean imageExists(String id) {
        try {
            DockerProbe.client().inspectImageCmd(id).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Test
    @Order(1)
    void aBuildsImageCarriesItsAppAndReleaseAsBuildLabels() {
        Map<String, String> labels = DockerProbe.client().inspectImageCmd("pier/" + APP + ":v1").exec().getConfig().getLabels();
        assertEquals(APP, labels.get(Labels.APP), labels.toString());
        assertEquals("v1", labels.get(Labels.BUILD), labels.toString());
    }

    /** The failing step comes after one that made a layer: that layer's image is what Docker would have kept. */
    @Test
    @Order(2)
    void aFailedBuildLeavesNoImageOrContainerItMade() throws Exception {
        Set<String> images = allImages();
        Set<String> containers = allContainers();
        Result push = push("FROM scratch\nCOPY busybox /bin/busybox\n"
                + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo " + System.nanoTime() + " > /made\"]\n"
                + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"exit 1\"]\n", "fails");
        assertNotEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("returned a non-zero code: 1"), push.output());
        assertEquals(images, allImages(), "images before and after the failed build");
        assertEquals(containers, allContainers(), "containers before and after the failed build");
        assertEquals("one", SystemHost.awaitBody(APP + ".pier.test", "one", 10).body().strip());
    }

    @Test
    @Order(3)
    void systemDfReportsTheAppsImagesAsDockerCountsThem() throws Exception {
        Result df = SystemHost.pier("system:df", "--format", "json");
        assertEquals(0, df.code(), df.output());
        JsonNode report = new ObjectMapper().readTree(df.output());
        JsonNode app = null;
        for (JsonNode a : report.path("apps")) {
            if (a.path("app").asText().equals(APP)) {
                app = a;
            }
        }
        assertTrue(app != null, df.output());
        // Docker's own figures: its images labelled for the app, each with its unique size from GET /system/df.
        long expectedBytes = 0;
        int expectedImages = 0;
        for (JsonNode image : engineDf().path("Images")) {
            if (APP.equals(image.path("Labels").path(Labels.APP).asText(null))) {
                expectedImages++;
                expectedBytes += image.path("Size").asLong() - Math.max(0, image.path("SharedSize").asLong());
            }
        }
        assertEquals(DockerProbe.client().listImagesCmd().withLabelFilter(Map.of(Labels.APP, APP)).exec().size(),
                expectedImages);
        assertEquals(expectedImages, app.path("images").asInt(), df.output());
        assertEquals(expectedBytes, app.path("imageBytes").asLong(), df.output());
        assertEquals(1, app.path("containers").asInt(), df.output());
        assertTrue(report.path("stateBytes").asLong() > 0, df.output());
        assertTrue(report.path("total").asLong() >= expectedBytes + report.path("stateBytes").asLong(), df.output());

        Result text = SystemHost.pier("system:df");
        assertEquals(0, text.code(), text.output());
        assertTrue(text.output().lines().anyMatch(l -> l.startsWith(APP + " ")), text.output());
    }

    /**
     * A multi-stage build leaves its first stage's last step aside of the release image: build cache. Within the
     * budget it stays for the next build; with the budget at 0 the next build prunes it and says so.
     */
    @Test
    @Order(4)
    void theBuildCacheStaysWithinTheBudgetAndIsPrunedOverIt() throws Exception {
        String dockerfile = "FROM scratch AS tools\nCOPY busybox /bin/busybox\n"
                + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo " + System.nanoTime() + " > /tools\"]\n"
                + "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n" + PushToDeploySystemTest.SERVE + "\n";
        Result warm = push(dockerfile, "two");
        assertEquals(0, warm.code(), warm.output());
        assertFalse(warm.output().contains("pruned"), warm.output());
        List<String> cached = Files.readAllLines(PierHome.DEFAULT.resolve("build-cache")).stream()
                .filter(l -> l.endsWith(" " + APP)).map(l -> l.split(" ")[0]).toList();
        assertEquals(1, cached.size(), cached.toString());
        assertTrue(imageExists(cached.get(0)));

        setting("0");
        Result over = push(dockerfile, "three");
        assertEquals(0, over.code(), over.output());
        assertTrue(over.output().contains("pruned 1 build cache image ("), over.output());
        assertTrue(over.output().contains(Settings.BUILD_CACHE_BUDGET + " = 0 B"), over.output());
        assertFalse(imageExists(cached.get(0)), "the cached image over the budget is gone");
        assertEquals("three", SystemHost.awaitBody(APP + ".pier.test", "three", 10).body().strip());
    }

    /** GET /system/df through docker-java's transport: docker-java has no command for it. */
    static JsonNode engineDf() throws IOException {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        DockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig()).build();
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET).path("/system/df").build();
        try (DockerHttpClient.Response response = http.execute(request); InputStream body = response.getBody()) {
            assertEquals(200, response.getStatusCode());
            return new ObjectMapper().readTree(body);
        }
    }
}
