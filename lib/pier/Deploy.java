package pier;

import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * The path to a live release: build (for a push), then start with the app's config and volumes, health
 * check, switch Nginx, record. A config or volume change takes the same path from the current image, so
 * it never rebuilds. Until the switch nothing the old release uses is touched: a failure at any step
 * removes what this deploy started and leaves the previous release serving.
 */
public final class Deploy {
    static final int DEFAULT_PORT = 5000;

    private final PierHome home;
    private final Docker docker;
    private final Nginx nginx;
    private final Buildpacks buildpacks;

    public Deploy(PierHome home, Docker docker, Nginx nginx, Buildpacks buildpacks) {
        this.home = home;
        this.docker = docker;
        this.nginx = nginx;
        this.buildpacks = buildpacks;
    }

    /** With the shipped buildpacks (and the admin's overrides in /etc/pier/templates), as {@code pier} itself uses. */
    public Deploy(PierHome home, Docker docker, Nginx nginx) {
        this(home, docker, nginx, new Buildpacks(home, Templates.standard()));
    }

    /** Where the time of a deploy went, printed at its end and read by the benchmark. */
    public record Timings(Duration build, Duration start, Duration health, Duration switchover) {
        @Override
        public String toString() {
            return (build.isZero() ? "" : "build " + secs(build) + ", ") + "start " + secs(start) + ", health "
                    + secs(health) + ", switch " + secs(switchover);
        }

        private static String secs(Duration d) {
            return String.format("%.2fs", d.toNanos() / 1e9);
        }
    }

    /** A release that went live, and the containers of the previous one still to retire after the drain. */
    public record Deployed(Release release, List<String> retiring) {
    }

    /**
     * Builds and deploys {@code commit} of {@code app}; the caller holds the app's lock. The old containers keep
     * running: the caller retires them with {@link #retire} once requests in flight have drained.
     */
    public Deployed commit(AppName app, Repository repo, ObjectId commit, String key, Progress progress) {
        int id = new Releases(home, app).nextId();
        String image = "pier/" + app + ":v" + id;
        // Only the app label goes on the image: a per-release label would be a build step that never caches.
        Map<String, String> imageLabels = Map.of(Docker.APP, app.value());

        long t0 = System.nanoTime();
        String imageId;
        try (Checkout checkout = Checkout.of(repo, commit)) {
            // The repository's own Dockerfile, else the one a buildpack renders into the checkout.
            Buildpacks.Source source = buildpacks.prepare(app, checkout.dir(), docker::imageExists, progress);
            progress.step("Building " + app + " " + source.describe() + " (" + commit.abbreviate(7).name() + ", release v"
                    + id + ")");
            imageId = docker.build(checkout.dir().toFile(), image, imageLabels, progress::detail);
        }
        Duration build = Duration.ofNanos(System.nanoTime() - t0);
        return release(app, id, image, commit.name(), port(imageId, progress), key, build, progress);
    }

    /**
     * Starts the current release's image again with the app's current config and volumes, through the same
     * health-checked switch; the caller holds the app's lock. Returns empty when the app was never deployed.
     */
    public java.util.Optional<Deployed> restart(AppName app, String key, Progress progress) {
        java.util.Optional<Release> current = new Releases(home, app).current();
        if (current.isEmpty()) {
            return java.util.Optional.empty();
        }
        Release live = current.get();
        int id = new Releases(home, app).nextId();
        progress.step("Restarting " + app + " from " + live.tag() + "'s image as v" + id + " (no rebuild)");
        return java.util.Optional.of(release(app, id, live.image(), live.commit(), live.port(), key, Duration.ZERO, progress));
    }

    private Deployed release(AppName app, int id, String image, String commit, int port, String key, Duration build,
                             Progress progress) {
        Settings settings = new Settings(home);
        long t1 = System.nanoTime();
        removeLeftovers(app, id);
        int hostPort = freePort();
        List<String> env = new ArrayList<>(new Config(home).envFor(app).asList());
        env.add("PORT=" + port);
        progress.step("Starting " + app + " v" + id + " (PORT=" + port + ")");
        String container = docker.start(new Docker.ContainerSpec("pier-" + app + "-web-" + id, image, env,
                Map.of(Docker.APP, app.value(), Docker.RELEASE, Integer.toString(id), Docker.PROCESS, "web"),
                hostPort, port, new Volumes(home, docker).bindsFor(app)));
        long t2 = System.nanoTime();
        long t3;
        List<Domain> domains = new Apps(home).domains(app);
        try {
            progress.step("Checking that " + app + " v" + id + " answers HTTP");
            int status = HealthCheck.root(settings.healthTimeout()).await(docker, container, hostPort);
            progress.detail("HTTP " + status + " from 127.0.0.1:" + hostPort);
            docker.keepRunning(container);
            t3 = System.nanoTime();
            progress.step("Switching Nginx to v" + id);
            nginx.apply(new Nginx.Vhost(app, domains, List.of(new Nginx.Upstream("127.0.0.1", hostPort))));
        } catch (RuntimeException e) {
            docker.stopAndRemove(container, Duration.ofSeconds(1));
            throw e;
        }
        long t4 = System.nanoTime();
        Release release = new Release(id, commit, image, port, Instant.now(), key);
        new Releases(home, app).record(release);

        Timings timings = new Timings(build, Duration.ofNanos(t2 - t1), Duration.ofNanos(t3 - t2), Duration.ofNanos(t4 - t3));
        progress.step(app + " v" + id + " is live at " + String.join(", ",
                domains.stream().map(d -> "http://" + d).toList()) + " (" + timings + ")");
        List<String> retiring = docker.containers(Map.of(Docker.APP, app.value())).stream()
                .filter(c -> !Integer.toString(id).equals(c.getLabels().get(Docker.RELEASE)))
                .map(Container::getId).toList();
        return new Deployed(release, retiring);
    }

    /** The container port: the one the image EXPOSEs if there is exactly one, 5000 otherwise. */
    private int port(String imageId, Progress progress) {
        List<Integer> exposed = docker.exposedTcpPorts(imageId);
        if (exposed.size() == 1) {
            progress.detail("the image exposes port " + exposed.get(0) + "; PORT is set to it");
            return exposed.get(0);
        }
        if (exposed.isEmpty()) {
            progress.detail("the image exposes no TCP port; PORT is set to " + DEFAULT_PORT);
        } else {
            progress.detail("the image exposes several TCP ports " + exposed + "; PORT is set to " + DEFAULT_PORT
                    + ", so the app must listen there");
        }
        return DEFAULT_PORT;
    }

    /** A container of this release number left by a deploy that died half-way would block the name. */
    private void removeLeftovers(AppName app, int id) {
        docker.containers(Map.of(Docker.APP, app.value(), Docker.RELEASE, Integer.toString(id)))
                .forEach(c -> docker.remove(c.getId()));
    }

    /**
     * Hands the retirement of {@code deployed}'s predecessors to a detached pier process, so the caller (a git
     * client waiting for the push, an admin waiting for config:set) is done as soon as the new release is live.
     */
    public void retireInBackground(AppName app, Deployed deployed, Progress progress) {
        if (deployed.retiring().isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("ps:retire", app.value()));
        args.addAll(deployed.retiring());
        Launcher.detach(home.root().resolve("retire.log"), args);
        progress.step("Retiring the previous release in the background after "
                + new Settings(home).retireWait().toMillis() / 1000.0 + "s for requests in flight");
    }

    /**
     * Waits for requests in flight to drain, then stops and removes {@code containers} of {@code app}. A container
     * of the app's live release is never retired, whatever the caller passed.
     */
    public void retire(AppName app, List<String> containers) {
        for (String id : containers) {
            if (!id.matches("[0-9a-f]{12,64}")) {
                throw PierException.usage("invalid container id " + id + ": expected 12 to 64 hex digits");
            }
        }
        sleep(new Settings(home).retireWait());
        List<String> doomed;
        // The lock covers only the choice: stopping can take the whole grace period, and a push must not wait for it.
        try (Lock ignored = Lock.app(home, app)) {
            String live = new Releases(home, app).current().map(r -> Integer.toString(r.id())).orElse("");
            doomed = docker.containers(Map.of(Docker.APP, app.value())).stream()
                    .filter(c -> containers.stream().anyMatch(c.getId()::startsWith))
                    .filter(c -> !live.equals(c.getLabels().get(Docker.RELEASE)))
                    .map(Container::getId).toList();
        }
        doomed.forEach(id -> docker.stopAndRemove(id, Duration.ofSeconds(10)));
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw PierException.failed("no free local port for the new container: " + e.getMessage(), e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
