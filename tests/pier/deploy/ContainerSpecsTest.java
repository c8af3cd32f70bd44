package pier.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import pier.apps.Checks;
import pier.apps.Procfile;
import pier.apps.Release;
import pier.engine.ContainerSpec;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.Resources;

/** The exact containers a release asks the engine for, decided without a daemon. */
class ContainerSpecsTest {
    private static final AppName APP = AppName.of("blog");
    private static final Resources.Confinement CONFINED = new Resources.Confinement("pier-blog",
            new Resources.Limits(1L << 30, 0, 512), "10m", 3);
    private static final List<ContainerSpec.Mount> MOUNTS = List.of(new ContainerSpec.Mount("pier-uploads-1", "/data"));

    private static Release release(String procfile, boolean shell) {
        return new Release(3, "c0ffee", "pier/blog:v3", 8080, Instant.EPOCH, "alice", "Deploy c0ffee", "cfg",
                Procfile.parse(procfile), shell, Checks.DEFAULT, new TreeMap<>());
    }

    private static Map<String, String> config() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GREETING", "hello");
        env.put("DATABASE_URL", "postgres://db/blog");
        return env;
    }

    @Test
    void aWebInstanceIsNamedLabelledWithItsAddressPublishedOnLoopbackAndToldItsPortAndDyno() {
        ContainerSpec spec = ContainerSpecs.process(APP, release("web: node server.js\n", true), ProcessType.WEB, 2,
                config(), "172.30.4.254", 49152, MOUNTS, CONFINED);
        assertEquals("pier-blog-v3-web.2", spec.name());
        assertEquals("pier/blog:v3", spec.image());
        assertEquals(Map.of("pier.app", "blog", "pier.release", "3", "pier.process", "web", "pier.instance", "web.2",
                "pier.address", "172.30.4.254"), spec.labels());
        assertEquals(List.of("GREETING=hello", "DATABASE_URL=postgres://db/blog", "DYNO=web.2", "PORT=8080"), spec.env());
        assertEquals(List.of("/bin/sh", "-c", "node server.js"), spec.cmd());
        assertEquals(49152, spec.hostPort());
        assertEquals(8080, spec.containerPort());
        assertEquals(MOUNTS, spec.mounts());
        assertEquals(CONFINED, spec.confinement());
    }

    @Test
    void aWorkerIsNeverPublishedAndHasNoPortOrFixedAddress() {
        ContainerSpec spec = ContainerSpecs.process(APP, release("web: serve\nworker: node worker.js $GREETING\n", false),
                ProcessType.of("worker"), 1, config(), "172.30.4.254", 49152, List.of(), CONFINED);
        assertEquals("pier-blog-v3-worker.1", spec.name());
        assertEquals(0, spec.hostPort(), "only web containers are published");
        assertFalse(spec.labels().containsKey("pier.address"), "only web containers have a fixed address");
        assertEquals(List.of("GREETING=hello", "DATABASE_URL=postgres://db/blog", "DYNO=worker.1"), spec.env());
        assertEquals(List.of("node", "worker.js", "hello"), spec.cmd(), "without /bin/sh: words, $VARIABLES replaced");
    }

    @Test
    void aTypeWithoutAProcfileCommandRunsTheImagesOwn() {
        ContainerSpec spec = ContainerSpecs.process(APP, release("", true), ProcessType.WEB, 1, Map.of(), "", 40000,
                List.of(), CONFINED);
        assertNull(spec.cmd());
    }

    @Test
    void theReleaseCommandIsAOneOffThatNoSwitchRetires() {
        ContainerSpec spec = ContainerSpecs.releaseCommand(APP, release("web: serve\nrelease: rake db:migrate\n", true),
                config(), MOUNTS, CONFINED);
        assertEquals("pier-blog-v3-release", spec.name());
        assertEquals(Map.of("pier.app", "blog", "pier.release", "3", "pier.process", "release", "pier.oneoff", "release"),
                spec.labels());
        assertEquals(List.of("GREETING=hello", "DATABASE_URL=postgres://db/blog", "DYNO=release.1"), spec.env());
        assertEquals(List.of("/bin/sh", "-c", "rake db:migrate"), spec.cmd());
        assertEquals(0, spec.hostPort());
    }

    @Test
    void aRunIsAOneOffNamedApartFromOtherRuns() {
        Map<String, String> env = ContainerSpecs.runEnv(config());
        ContainerSpec spec = ContainerSpecs.run(APP, release("web: serve\n", true), List.of("ls", "-la"), env, "a1b2c3",
                MOUNTS, CONFINED);
        assertEquals("pier-blog-v3-run-a1b2c3", spec.name());
        assertEquals(Map.of("pier.app", "blog", "pier.release", "3", "pier.process", "run", "pier.oneoff", "run",
                "pier.instance", "run.1"), spec.labels());
        assertEquals(List.of("GREETING=hello", "DATABASE_URL=postgres://db/blog", "DYNO=run.1"), spec.env());
        assertEquals(List.of("ls", "-la"), spec.cmd());
    }
}
