package pier.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.FakeRegistry;
import pier.apps.Placement;
import pier.apps.Releases;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.RegistryClient;
import pier.names.AppName;
import pier.state.ConfigSnapshot;
import pier.state.Env;
import pier.state.PierHome;
import pier.state.Settings;

/** Which of an app's images leave the cluster's registry, by the rule that keeps them on this host. */
class RegistryImagesTest {
    static final AppName BLOG = AppName.of("blog");
    static final String PASSWORD = "s3cret";

    @TempDir
    Path tmp;
    PierHome home;
    FakeRegistry registry;
    List<String> said = new ArrayList<>();
    /** The lines said, without their indent. */
    Progress progress = line -> said.add(line.strip());

    @BeforeEach
    void start() throws Exception {
        home = new PierHome(tmp.resolve("home"));
        registry = new FakeRegistry(PASSWORD);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    RegistryImages images() {
        return new RegistryImages(home, () -> new RegistryClient(registry.base(), registry.certificatePem(), PASSWORD));
    }

    @Test
    void theBuildsBeyondTheRollbackWindowGoAndNoOtherTag() {
        Map<String, String> digests = new LinkedHashMap<>();
        digests.put("v1", FakeRegistry.digest('1'));
        digests.put("v2", FakeRegistry.digest('2'));
        digests.put("v3", FakeRegistry.digest('3'));
        digests.put("latest", FakeRegistry.digest('4'));
        Set<String> keep = Set.of("pier/blog:v3");
        assertEquals(Set.of(FakeRegistry.digest('1'), FakeRegistry.digest('2')),
                RegistryImages.unkept(digests, tag -> OldImages.old(BLOG, "pier/blog:" + tag, keep)),
                "a tag that is not pier's vN is not pier's to remove");
    }

    @Test
    void aDigestAKeptTagNamesStaysThoughAnOldTagNamesItToo() {
        // v2 and v3 built the same tree: one manifest under two tags; deleting it would take v3 with it.
        Map<String, String> digests = new LinkedHashMap<>();
        digests.put("v1", FakeRegistry.digest('1'));
        digests.put("v2", FakeRegistry.digest('3'));
        digests.put("v3", FakeRegistry.digest('3'));
        Set<String> keep = Set.of("pier/blog:v3");
        assertEquals(Set.of(FakeRegistry.digest('1')),
                RegistryImages.unkept(digests, tag -> OldImages.old(BLOG, "pier/blog:" + tag, keep)));
    }

    @Test
    void theRuleIsTheLocalOne() {
        Set<String> keep = Set.of("pier/blog:v7");
        assertTrue(OldImages.old(BLOG, "pier/blog:v6", keep));
        assertTrue(!OldImages.old(BLOG, "pier/blog:v7", keep), "kept");
        assertTrue(!OldImages.old(BLOG, "pier/blog:latest", keep), "not a build");
        assertTrue(!OldImages.old(BLOG, "pier/blog-api:v1", keep), "another app's");
    }

    @Test
    void afterADeployTheRegistryKeepsWhatThisHostKeeps() {
        new Settings(home).set(Settings.IMAGES_KEEP, "2");
        for (int id = 1; id <= 4; id++) {
            new Releases(home, BLOG).record(ProcessesTest.release(id, "pier/blog:v" + id, "", "Deploy"),
                    new ConfigSnapshot(Env.empty(), Env.empty()));
            registry.tag("pier/blog", "v" + id, FakeRegistry.digest(id == 3 ? '2' : Character.forDigit(id, 16)));
        }

        images().removeOld(BLOG, progress);

        // v3 and v4 are kept; v2 shares v3's manifest, so deleting v2's would take v3: it stays until v3 goes.
        assertEquals(List.of("pier/blog@" + FakeRegistry.digest('1')), registry.deletes());
        assertEquals(Set.of("v2", "v3", "v4"), registry.tags("pier/blog").keySet());
        assertEquals(List.of("removed v1 of blog from the cluster's registry"), said);
    }

    @Test
    void aDeployWithNothingToRemoveAsksForTheTagsOnly() {
        new Releases(home, BLOG).record(ProcessesTest.release(1, "pier/blog:v1", "", "Deploy"),
                new ConfigSnapshot(Env.empty(), Env.empty()));
        registry.tag("pier/blog", "v1", FakeRegistry.digest('1'));
        images().removeOld(BLOG, progress);
        assertEquals(List.of("GET /v2/pier/blog/tags/list"), registry.requests());
        assertEquals(List.of(), said);
    }

    @Test
    void aRegistryThatDoesNotAnswerFailsNoDeployAndIsSaidInOneLine() {
        new Releases(home, BLOG).record(ProcessesTest.release(1, "pier/blog:v1", "", "Deploy"),
                new ConfigSnapshot(Env.empty(), Env.empty()));
        new RegistryImages(home, () -> {
            throw PierException.failed("the cluster's registry at 10.0.0.1:5000 does not answer (Connection refused)");
        }).removeOld(BLOG, progress);
        assertEquals(1, said.size());
        assertTrue(said.get(0).startsWith("kept the older images of blog in the cluster's registry, as the cluster's registry"
                + " at 10.0.0.1:5000 does not answer"), said.get(0));
        assertTrue(said.get(0).endsWith("the next deploy tries again"), said.get(0));
    }

    @Test
    void anAppLeavingTheSwarmLeavesNothingInTheRegistry() {
        registry.tag("pier/blog", "v1", FakeRegistry.digest('1')).tag("pier/blog", "v2", FakeRegistry.digest('2'))
                .tag("pier/shop", "v1", FakeRegistry.digest('3'));
        images().removeAll(BLOG, progress);
        assertEquals(Map.of(), registry.tags("pier/blog"));
        assertEquals(Set.of("v1"), registry.tags("pier/shop").keySet(), "another app's images are not touched");
    }

    @Test
    void beforeACollectionTheImagesOfAppsNoLongerOnTheSwarmGo() throws Exception {
        AppName shop = AppName.of("shop");
        AppName api = AppName.of("api");
        for (AppName app : List.of(BLOG, shop, api)) {
            Files.createDirectories(home.repo(app));
        }
        new Placement(Placement.SWARM, List.of()).write(home, BLOG);
        new Placement(Placement.DOCKER, List.of()).write(home, shop);
        // api: never placed, so on this host. gone: destroyed while the registry did not answer.
        registry.tag("pier/blog", "v1", FakeRegistry.digest('1')).tag("pier/shop", "v1", FakeRegistry.digest('2'))
                .tag("pier/api", "v3", FakeRegistry.digest('3')).tag("pier/gone", "v9", FakeRegistry.digest('4'))
                .tag("library/nginx", "latest", FakeRegistry.digest('5'));

        assertEquals(List.of("pier/api", "pier/gone", "pier/shop"), images().removeLeftOver());

        assertEquals(Set.of("v1"), registry.tags("pier/blog").keySet(), "an app on the swarm keeps its images");
        assertEquals(Set.of("latest"), registry.tags("library/nginx").keySet(), "what is not pier's stays");
        assertEquals(Map.of(), registry.tags("pier/gone"));
    }
}
