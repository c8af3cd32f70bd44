package pier.deploy;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import pier.apps.Apps;
import pier.apps.Checks;
import pier.apps.Procfile;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Scale;
import pier.apps.Volumes;
import pier.base.PierException;
import pier.base.Progress;
import pier.build.BuildImages;
import pier.build.Buildpacks;
import pier.build.Checkout;
import pier.build.PushedFiles;
import pier.build.Submodules;
import pier.engine.Docker;
import pier.engine.Nginx;
import pier.engine.Templates;
import pier.engine.Launcher;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.ProcessType;
import pier.state.Config;
import pier.state.ConfigSnapshot;
import pier.state.Env;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Settings;

/**
 * The path to a live release: build (for a push), then run the release command, start the web containers with
 * the app's config, volumes and scale, check them, switch Nginx, record, start the workers. A config or volume
 * change, a restart, a scale and a rollback take the same path from an existing image, so they never rebuild.
 * Until the switch nothing the old release uses is touched: a failure at any step removes what this deploy
 * started and leaves the previous release serving.
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
    public record Timings(Duration build, Duration release, Duration start, Duration health, Duration switchover) {
        public Timings(Duration build, Duration start, Duration health, Duration switchover) {
            this(build, Duration.ZERO, start, health, switchover);
        }

        @Override
        public String toString() {
            return (build.isZero() ? "" : "build " + secs(build) + ", ")
                    + (release.toMillis() < 1 ? "" : "release " + secs(release) + ", ") + "start " + secs(start)
                    + ", health " + secs(health) + ", switch " + secs(switchover);
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
        Procfile procfile;
        Checks checks;
        Settings settings = new Settings(home);
        try (Checkout checkout = Checkout.of(repo, commit, settings.list(Submodules.SSH_HOSTS))) {
            // What the release runs comes from the commit, read once here, so no later restart or rollback needs it.
            procfile = PushedFiles.read(checkout.dir(), "Procfile").map(Procfile::parse).orElse(Procfile.none());
            checks = Checks.declared(PushedFiles.read(checkout.dir(), "CHECKS"), PushedFiles.read(checkout.dir(), "app.json"),
                    progress::detail);
            // The repository's own Dockerfile, else the one a buildpack renders into the checkout.
            Buildpacks.Source source = buildpacks.prepare(app, checkout.dir(), progress, docker::imageExists);
            // Before anything is built: the Dockerfile may name only images this app may use.
            BuildImages.check(PushedFiles.read(checkout.dir(), Buildpacks.DOCKERFILE).orElseThrow(),
                    BuildImages.policy(home, app, buildpacks.baseImage()));
            progress.step("Building " + app + " " + source.describe() + " (" + commit.abbreviate(7).name() + ", release v"
                    + id + ")");
            imageId = docker.build(checkout.dir().toFile(), image, imageLabels, Resources.network(app),
                    new Resources(home).limits(app, "build").memory(), settings.buildTimeout(), progress::detail);
        }
        Duration build = Duration.ofNanos(System.nanoTime() - t0);
        return release(app, id, image, commit.name(), port(imageId, progress), procfile, checks, key, build, progress);
    }

    /**
     * Starts the live release's image again as a new release with the app's current config, volumes and scale,
     * through the same health-checked switch; the caller holds the app's lock. Returns empty, saying why, when the
     * app was never deployed or is stopped (the change then applies at its next deploy or ps:start).
     */
    public Optional<Deployed> restart(AppName app, String key, Progress progress) {
        return restart(app, key, "Restart", progress);
    }

    /** {@link #restart(AppName, String, Progress)}, recording {@code description} (e.g. "Set GREETING") in the release. */
    public Optional<Deployed> restart(AppName app, String key, String description, Progress progress) {
        Optional<Release> current = new Releases(home, app).current();
        if (current.isEmpty()) {
            progress.detail(app + " is not deployed yet; this applies at its first deploy");
            return Optional.empty();
        }
        if (new Apps(home).stopped(app)) {
            progress.detail(app + " is stopped (pier ps:stop); this applies when it starts again: pier ps:start " + app);
            return Optional.empty();
        }
        return Optional.of(relaunch(app, key, description, progress));
    }

    /**
     * Starts the live release's image again as a new release with the app's current config, volumes and scale, also
     * when the app is stopped; the caller holds the app's lock and knows it is deployed.
     */
    public Deployed relaunch(AppName app, String key, String description, Progress progress) {
        Releases releases = new Releases(home, app);
        Release live = releases.current().orElseThrow(() -> PierException.failed(app + " is not deployed yet: push to deploy it"));
        int id = releases.nextId();
        progress.step("Restarting " + app + " from " + live.tag() + "'s image as v" + id + " (no rebuild)");
        return launch(app, draft(live, id, key, description), ConfigSnapshot.current(home, app), Duration.ZERO, progress);
    }

    /**
     * Brings back {@code target}'s image, processes, checks and own config (the server-wide config stays as it is
     * now) as a new release through the same health-checked switch; the caller holds the app's lock. If the switch
     * fails, the app's config is put back and the live release keeps serving.
     */
    public Deployed rollback(AppName app, Release target, String key, Progress progress) {
        Releases releases = new Releases(home, app);
        if (!docker.imageExists(target.image())) {
            throw PierException.failed("the image of " + target.tag() + " (" + target.image() + ") was removed: pier keeps"
                    + " the images of the last " + new Settings(home).imagesKeep() + " releases (" + Settings.IMAGES_KEEP
                    + "); push commit " + target.commitShort() + " again to rebuild it");
        }
        Config config = new Config(home);
        Optional<AppName> scope = Optional.of(app);
        Env before = config.of(scope);
        Optional<ConfigSnapshot> then = releases.config(target);
        if (then.isEmpty()) {
            progress.warn(target.tag() + " was made before pier kept each release's config: it runs with the current config");
        }
        int id = releases.nextId();
        progress.step("Rolling " + app + " back to " + target.tag() + " (" + target.commitShort() + ", config "
                + target.configShort() + ") as v" + id);
        then.ifPresent(snapshot -> config.write(scope, snapshot.app()));
        try {
            return launch(app, draft(target, id, key, "Rollback to " + target.tag()), ConfigSnapshot.current(home, app),
                    Duration.ZERO, progress);
        } catch (RuntimeException e) {
            config.write(scope, before);
            throw e;
        }
    }

    /** A new release {@code id} of {@code from}'s image, processes and checks, to launch. */
    private static Release draft(Release from, int id, String key, String description) {
        return new Release(id, from.commit(), from.image(), from.port(), Instant.now(), key, description, "",
                from.procfile(), from.shell(), from.checks(), new TreeMap<>());
    }

    /** A freshly built image of {@code commit} with the Procfile and checks read from it, to launch. */
    private Deployed release(AppName app, int id, String image, String commit, int port, Procfile procfile, Checks checks,
                             String key, Duration build, Progress progress) {
        boolean shell = false;
        if (!procfile.isEmpty()) {
            shell = docker.hasFile(image, "/bin/sh", Map.of(Docker.APP, app.value(), Docker.RELEASE, Integer.toString(id),
                    ONEOFF, "probe"));
            progress.detail("Procfile: " + String.join(", ", procfile.commands().keySet().stream().map(ProcessType::value).toList())
                    + (shell ? "; commands run with /bin/sh -c" : "; the image has no /bin/sh, so commands are split into"
                    + " words with $VARIABLES replaced"));
        }
        if (!checks.isDefault()) {
            progress.detail("checks from " + checks.source() + ": " + String.join("; ",
                    checks.list().stream().map(Checks.Check::describe).toList()));
        }
        String short7 = commit.substring(0, Math.min(7, commit.length()));
        boolean same = new Releases(home, app).current().map(r -> r.commit().equals(commit)).orElse(false);
        Release draft = new Release(id, commit, image, port, Instant.now(), key, (same ? "Rebuild " : "Deploy ") + short7,
                "", procfile, shell, checks, new TreeMap<>());
        return launch(app, draft, ConfigSnapshot.current(home, app), build, progress);
    }

    /** One container started for a release: its id, its instance name (web.1) and its local port (0: none). */
    private record Started(String id, String instance, int hostPort) {
    }

    /**
     * The one path to a live release: run the release command (when the image or config is new), start the web
     * containers, check them, switch Nginx, record the release, then start the workers. Until the switch nothing the
     * live release uses is touched, and a failure removes what this launch started. The caller holds the app's lock.
     */
    Deployed launch(AppName app, Release draft, ConfigSnapshot config, Duration build, Progress progress) {
        Settings settings = new Settings(home);
        Releases releases = new Releases(home, app);
        Optional<Release> live = releases.current();
        int id = draft.id();
        removeLeftovers(app, id);
        SortedMap<ProcessType, Integer> formation = Scale.read(home, app).formation(draft.procfile());
        Release release = new Release(id, draft.commit(), draft.image(), draft.port(), Instant.now(), draft.key(),
                draft.description(), config.version(), draft.procfile(), draft.shell(), draft.checks(), formation);
        List<Bind> binds = new Volumes(home, docker).bindsFor(app);
        Map<String, String> env = new LinkedHashMap<>();
        config.merged().values().forEach((k, v) -> env.put(k.value(), v));

        long t0 = System.nanoTime();
        Optional<String> releaseCommand = release.procfile().command(ProcessType.RELEASE);
        boolean fresh = live.isEmpty() || !live.get().image().equals(release.image())
                || !live.get().config().equals(release.config());
        Duration releaseTime = Duration.ZERO;
        if (releaseCommand.isPresent() && fresh) {
            runReleaseCommand(app, release, env, binds, progress);
            releaseTime = Duration.ofNanos(System.nanoTime() - t0);
        } else if (releaseCommand.isPresent()) {
            progress.detail("same image and config as " + live.get().tag() + ": the release command does not run again");
        }
        long t1 = System.nanoTime();

        int webs = release.count(ProcessType.WEB);
        progress.step("Starting " + app + " v" + id + " (" + Scale.describe(formation) + (webs > 0 ? ", PORT=" + release.port() : "")
                + ")");
        List<Started> started = new ArrayList<>();
        List<Domain> domains = new Apps(home).domains(app);
        long t2;
        long t3;
        try {
            for (int i = 1; i <= webs; i++) {
                started.add(startProcess(app, release, ProcessType.WEB, i, env, binds));
            }
            t2 = System.nanoTime();
            if (webs > 0) {
                progress.step((release.checks().isDefault() ? "Checking that " + app + " v" + id + " answers HTTP"
                        : "Running the checks from " + release.checks().source() + " on " + app + " v" + id));
                String host = domains.isEmpty() ? "localhost" : domains.get(0).value();
                check(release, started, host, settings.healthTimeout()).forEach(progress::detail);
                // Healthy now: from here on the engine restarts them after a crash, a reboot or a dockerd restart.
                started.forEach(s -> docker.keepRunning(s.id()));
            } else {
                progress.detail("web=0: no web container, so the site answers 503 (pier ps:scale " + app + " web=1 to serve)");
            }
            t3 = System.nanoTime();
            progress.step("Switching Nginx to v" + id);
            nginx.apply(new Nginx.Vhost(app, domains, started.stream()
                    .map(s -> new Nginx.Upstream("127.0.0.1", s.hostPort())).toList()));
        } catch (RuntimeException e) {
            started.forEach(s -> docker.stopAndRemove(s.id(), Duration.ofSeconds(1)));
            throw e;
        }
        long t4 = System.nanoTime();
        releases.record(release, config);
        new Apps(home).stopped(app, false, draft.key());

        Timings timings = new Timings(build, releaseTime, Duration.ofNanos(t2 - t1), Duration.ofNanos(t3 - t2),
                Duration.ofNanos(t4 - t3));
        progress.step(app + " v" + id + " is live at " + String.join(", ",
                domains.stream().map(d -> "http://" + d).toList()) + " (" + timings + ")");
        startWorkers(app, release, formation, env, binds, progress);
        List<String> retiring = docker.containers(Map.of(Docker.APP, app.value())).stream()
                .filter(c -> !c.getLabels().containsKey(ONEOFF))
                .filter(c -> !Integer.toString(id).equals(c.getLabels().get(Docker.RELEASE)))
                .map(Container::getId).toList();
        removeOldImages(app);
        return new Deployed(release, retiring);
    }

    /** Runs the checks on every web container at once; returns one line per container, or throws the first failure. */
    private List<String> check(Release release, List<Started> webs, String host, Duration timeout) {
        ExecutorService pool = Executors.newFixedThreadPool(webs.size());
        try {
            List<Future<String>> results = new ArrayList<>();
            for (Started web : webs) {
                results.add(pool.submit(() -> web.instance() + ": " + HealthCheck.run(release.checks(), docker, web.id(),
                        web.hostPort(), host, timeout)));
            }
            List<String> lines = new ArrayList<>();
            for (Future<String> result : results) {
                try {
                    lines.add(result.get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r
                            : PierException.failed("the check failed: " + e.getCause(), e.getCause());
                }
            }
            return lines;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted while checking the new containers");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Labels a container that runs once (the release command, pier run) so no switch retires it. */
    static final String ONEOFF = "pier.oneoff";
    /** The instance a process container is ({@code web.1}), also in its environment as DYNO. */
    static final String INSTANCE = "pier.instance";

    private Started startProcess(AppName app, Release release, ProcessType type, int index, Map<String, String> env,
                                 List<Bind> binds) {
        boolean web = type.equals(ProcessType.WEB);
        String instance = type + "." + index;
        int hostPort = web ? freePort() : 0;
        Map<String, String> own = new LinkedHashMap<>(env);
        own.put("DYNO", instance);
        if (web) {
            own.put("PORT", Integer.toString(release.port()));
        }
        List<String> cmd = release.procfile().command(type)
                .map(c -> Procfile.argv(c, release.shell(), own)).orElse(null);
        String id = docker.start(new Docker.ContainerSpec("pier-" + app + "-v" + release.id() + "-" + instance,
                release.image(), envList(own), Map.of(Docker.APP, app.value(), Docker.RELEASE, Integer.toString(release.id()),
                Docker.PROCESS, type.value(), INSTANCE, instance), hostPort, release.port(), binds, cmd,
                new Resources(home).confinement(app, type.value())));
        return new Started(id, instance, hostPort);
    }

    /** Workers start once the web switch is done; one that cannot start is reported and the deploy stands. */
    private void startWorkers(AppName app, Release release, SortedMap<ProcessType, Integer> formation,
                              Map<String, String> env, List<Bind> binds, Progress progress) {
        List<String> workers = new ArrayList<>();
        formation.forEach((type, count) -> {
            if (type.equals(ProcessType.WEB)) {
                return;
            }
            for (int i = 1; i <= count; i++) {
                try {
                    Started worker = startProcess(app, release, type, i, env, binds);
                    // Workers have no check to pass: the engine restarts them from the start.
                    docker.keepRunning(worker.id());
                    workers.add(worker.instance());
                } catch (PierException e) {
                    progress.warn(type + "." + i + " did not start: " + e.getMessage());
                }
            }
        });
        if (!workers.isEmpty()) {
            progress.step("Started " + String.join(", ", workers));
        }
    }

    /** The Procfile's release command, once, in a container of the new image; a failure aborts the deploy. */
    private void runReleaseCommand(AppName app, Release release, Map<String, String> env, List<Bind> binds,
                                   Progress progress) {
        String command = release.procfile().command(ProcessType.RELEASE).orElseThrow();
        progress.step("Running the release command of v" + release.id() + ": " + command);
        Map<String, String> own = new LinkedHashMap<>(env);
        own.put("DYNO", "release.1");
        int code = docker.runLogged(new Docker.ContainerSpec("pier-" + app + "-v" + release.id() + "-release", release.image(),
                envList(own), Map.of(Docker.APP, app.value(), Docker.RELEASE, Integer.toString(release.id()),
                Docker.PROCESS, ProcessType.RELEASE.value(), ONEOFF, "release"), 0, 0, binds,
                Procfile.argv(command, release.shell(), own), new Resources(home).confinement(app, ProcessType.RELEASE.value())),
                new Settings(home).releaseTimeout(), progress::detail);
        if (code != 0) {
            throw PierException.failed("the release command exited with code " + code + (code == 137
                    ? " (killed: out of memory at its limit, " + new Resources(home).limits(app, "release").describe() + ")"
                    : "") + " (see its output above)");
        }
    }

    static List<String> envList(Map<String, String> env) {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /**
     * Removes the app's images no release in the rollback window needs: {@value Settings#IMAGES_KEEP} (5 by default)
     * different images of the newest releases stay. A tag a container still uses (a release being retired) stays
     * until the next cleanup. Untagged images labelled for the app (a build whose tag a later build took) go too.
     */
    public void removeOldImages(AppName app) {
        Set<String> keep = Releases.imagesToKeep(new Releases(home, app).list(), new Settings(home).imagesKeep());
        Map<String, String> label = Map.of(Docker.APP, app.value());
        String prefix = "pier/" + app + ":v";
        for (String tag : docker.imageTags(label)) {
            if (tag.startsWith(prefix) && tag.substring(prefix.length()).matches("\\d+") && !keep.contains(tag)) {
                docker.removeImageIfUnused(tag);
            }
        }
        docker.danglingImages(label).forEach(docker::removeImageIfUnused);
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
        List<String> problems = docker.stopAll(doomed, Duration.ofSeconds(10), true);
        // The retired containers held the previous images; those beyond the rollback window can go now.
        try (Lock ignored = Lock.app(home, app)) {
            removeOldImages(app);
        }
        if (!problems.isEmpty()) {
            throw PierException.failed("could not retire " + String.join("; ", problems));
        }
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
