package pier.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import pier.apps.Checks;
import pier.apps.Placement;
import pier.apps.Release;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.ContainerSpec;
import pier.engine.Docker;
import pier.engine.Labels;
import pier.engine.Nginx;
import pier.engine.Registry;
import pier.engine.RegistryClient;
import pier.engine.SwarmServices;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.AtomicFile;
import pier.state.Resources;
import pier.state.SharedLock;
import org.jspecify.annotations.Nullable;

/**
 * An app whose processes run on the cluster ({@code scheduler:set APP swarm}): each process type is one swarm service
 * ({@code pier-APP-TYPE}) with {@code ps:scale}'s count as replicas, the release's image from the cluster's registry,
 * its config as env, its limits, an overlay network of its own, and its placement constraints. A new release updates
 * the services start-first, one task at a time; a task that fails its health check rolls the update back, and the
 * release before keeps serving. Nginx on this host routes to each web task's node and the port the node published for
 * it, and follows the tasks while they change.
 */
public final class SwarmApps {
    /** How often the tasks are looked at while a service converges. */
    static final Duration POLL = Duration.ofMillis(500);
    /** How long a push waits for the registry's garbage collection, which stops the registry while it runs. */
    static final Duration PUSH_WAIT = Duration.ofMinutes(10);

    private final @Nullable Supplier<Docker> docker;

    public SwarmApps(Supplier<Docker> docker) {
        this.docker = docker;
    }

    private SwarmApps() {
        this.docker = null;
    }

    /** For an engine that is no Docker (a test's): no cluster, so every app runs on that engine. */
    public static SwarmApps none() {
        return new SwarmApps();
    }

    private Docker docker() {
        if (docker == null) {
            throw PierException.failed("this engine runs no swarm: pier scheduler:set APP docker");
        }
        return docker.get();
    }

    static String serviceName(AppName app, ProcessType type) {
        return Labels.swarmService(app.value(), type.value());
    }

    /** The overlay network of the app's tasks: theirs alone. */
    static String network(AppName app) {
        return Resources.swarmNetwork(app);
    }

    /** True when this host manages a swarm: an app may run there. */
    public boolean available() {
        return docker != null && docker().swarm().managing();
    }

    /**
     * Runs {@code release} at {@code formation} on the swarm: the image pushed to the registry, each type's service
     * created or updated, and waited on until it converged; {@code follow} gets the web tasks' upstreams each time they
     * change, so Nginx routes to what runs. Returns the web upstreams once converged; throws when Swarm rolled back or
     * the tasks did not come up within {@code timeout}, with the release before still serving.
     */
    public List<Nginx.Upstream> start(AppName app, Release release, SortedMap<ProcessType, Integer> formation,
                                      Map<String, String> env, List<ContainerSpec.Mount> mounts, Resources resources,
                                      Placement placement, Duration timeout, Consumer<List<Nginx.Upstream>> follow,
                                      Progress progress) {
        Docker d = docker();
        List<String> constraints = constraints(d, app, placement, mounts, progress);
        Registry registry = registry(d).orElseThrow(() -> PierException.failed(
                "this host manages no cluster: add a node with pier nodes:add HOST, or run the app here with"
                        + " pier scheduler:set " + app + " docker"));
        String password = password();
        progress.detail("pushing " + release.image() + " to the cluster's registry " + registry.host());
        String image;
        // Never while registry:gc runs: it would take the layers this push uploads for unused ones.
        try (SharedLock ignored = pushing(progress)) {
            // Named by the build, not the release: a restart or a scale keeps the image, so Swarm replaces no task for it.
            int colon = release.image().lastIndexOf(':');
            image = d.push(release.image(), registry, release.image().substring(0, colon),
                    release.image().substring(colon + 1), password);
        }
        SwarmServices services = d.swarmServices();
        services.overlay(network(app), Map.of(Labels.APP, app.value()));
        List<String> health = healthTest(d, app, release);
        List<ProcessType> started = new ArrayList<>();
        for (Map.Entry<ProcessType, Integer> entry : formation.entrySet()) {
            ProcessType type = entry.getKey();
            String name = serviceName(app, type);
            if (entry.getValue() == 0) {
                services.remove(name);
                continue;
            }
            var spec = ContainerSpecs.process(app, release, type, 1, env, "", 0, List.of(),
                    resources.confinement(app, type.value()));
            Map<String, String> labels = new LinkedHashMap<>(Labels.of(app.value(), release.id(), type.value()));
            boolean web = type.equals(ProcessType.WEB);
            boolean existed = services.image(name).isPresent();
            java.time.Instant deployed = java.time.Instant.now().minusSeconds(1);
            String taskSpec = services.deploy(new SwarmServices.Definition(name, image, spec.cmd() == null ? List.of() : spec.cmd(),
                    spec.env().stream().filter(e -> !e.startsWith("DYNO=")).toList(), labels, entry.getValue(),
                    spec.confinement().limits().memory(), (long) (spec.confinement().limits().cpus() * 1e9),
                    web ? release.port() : 0, network(app), constraints, mounts, web ? health : List.of(),
                    Duration.ofSeconds(2), 3), registry, password);
            progress.detail((existed ? "updated" : "created") + " service " + name + ": " + entry.getValue() + " task(s)"
                    + (constraints.isEmpty() ? "" : " where " + String.join(", ", constraints)));
            started.add(type);
            try {
                converge(services, name, taskSpec, entry.getValue(), existed ? deployed : null, timeout,
                        web ? tasks -> follow.accept(upstreams(tasks)) : tasks -> {
                        }, progress);
            } catch (PierException e) {
                if (!existed) {
                    services.remove(name);
                }
                throw e;
            }
        }
        // Types the formation no longer has (a Procfile change) go.
        for (String name : services.services(Labels.APP, app.value())) {
            if (started.stream().noneMatch(t -> serviceName(app, t).equals(name))) {
                services.remove(name);
            }
        }
        return upstreams(app);
    }

    /**
     * Where the app's tasks may run: the placement's constraints and, when the app has volumes, this host alone. A Docker
     * volume is local to one engine, and the app's are on this one (the manager); Swarm would give a task elsewhere a new,
     * empty volume of the same name.
     */
    private static List<String> constraints(Docker d, AppName app, Placement placement, List<ContainerSpec.Mount> mounts,
                                            Progress progress) {
        if (mounts.isEmpty()) {
            return placement.constraints();
        }
        String here = d.swarm().localNodeId().orElseThrow(() -> PierException.failed("this host manages no cluster: pier"
                + " scheduler:set " + app + " docker"));
        progress.detail(app + " has volumes, which live on this host: its tasks run here only (the manager), not on the"
                + " other nodes");
        List<String> pinned = new ArrayList<>(placement.constraints());
        pinned.add("node.id==" + here);
        return pinned;
    }

    /** pier's account at the registry of the cluster this host manages. */
    public RegistryClient registryClient() {
        return RegistryClient.of(registry(docker()).orElseThrow(() -> PierException.failed(
                "this host manages no cluster, so no registry: nodes:add HOST makes one")), password());
    }

    private static Optional<Registry> registry(Docker d) {
        return d.swarm().managerAddress().map(Registry::new);
    }

    private static String password() {
        return AtomicFile.read(Registry.PASSWORD_FILE).map(String::strip).orElseThrow(() -> PierException.failed(
                "the cluster's registry has no password in " + Registry.PASSWORD_FILE + ": run pier nodes:add HOST again"));
    }

    /** The registry's lock, shared with other pushes; a garbage collection holding it is waited for, and said. */
    private static SharedLock pushing(Progress progress) {
        return SharedLock.shared(Registry.LOCK, Duration.ZERO).orElseGet(() -> {
            progress.detail("waiting for the registry's garbage collection (pier registry:gc) to finish");
            return SharedLock.shared(Registry.LOCK, PUSH_WAIT).orElseThrow(() -> PierException.failed(
                    "the cluster's registry was still being garbage-collected after " + PUSH_WAIT.toMinutes()
                            + " minutes (pier registry:gc, holding " + Registry.LOCK + "): deploy again once it has finished"));
        });
    }

    /** Where Nginx reaches the app's running web tasks: each task's node address and published port. */
    public List<Nginx.Upstream> upstreams(AppName app) {
        return docker().swarmUpstreams(serviceName(app, ProcessType.WEB));
    }

    /**
     * Removes the app's services and so stops its tasks, keeping its overlay for when they come back (a network
     * just removed can still be listed a moment, and a service then made on it is refused); what was removed.
     */
    public List<String> removeServices(AppName app) {
        if (!available()) {
            return List.of();
        }
        SwarmServices services = docker().swarmServices();
        List<String> names = services.services(Labels.APP, app.value());
        names.forEach(services::remove);
        return names;
    }

    /** Removes the app's services and its overlay (it runs on this host again, or is gone); what was removed, by name. */
    public List<String> removeAll(AppName app) {
        if (!available()) {
            return List.of();
        }
        Docker d = docker();
        List<String> names = removeServices(app);
        try {
            d.removeNetwork(network(app));
        } catch (PierException e) {
            // Tasks still stopping keep it a moment; an unused overlay costs nothing and the next placement reuses it.
        }
        return names;
    }

    private List<Nginx.Upstream> upstreams(List<SwarmServices.Task> tasks) {
        return SwarmServices.upstreams(tasks, docker().swarm().addressesById());
    }

    /**
     * Waits until {@code name} runs {@code replicas} tasks of {@code spec} (their {@link SwarmServices#TASKS} label) and
     * no other; for an update this deploy made, until Swarm says it completed (or rolled back: an error). {@code seen}
     * gets the tasks each time they change.
     */
    private void converge(SwarmServices services, String name, String spec, int replicas, @Nullable Instant updated,
                          Duration timeout, Consumer<List<SwarmServices.Task>> seen, Progress progress) {
        Instant end = Instant.now().plus(timeout);
        List<SwarmServices.Task> last = List.of();
        while (true) {
            List<SwarmServices.Task> tasks = services.tasks(name);
            if (!tasks.equals(last)) {
                seen.accept(tasks);
                last = tasks;
            }
            // Only an update this deploy made counts: a scale alone makes none, and leaves the last deploy's status.
            Optional<SwarmServices.UpdateStatus> status = updated == null ? Optional.empty()
                    : services.updateStatus(name).filter(u -> !u.startedAt().isBefore(updated));
            if (status.isPresent() && status.get().state().startsWith("rollback")) {
                if (status.get().state().equals("rollback_completed")) {
                    throw PierException.failed("the new tasks of " + name + " failed, and Swarm rolled the service back ("
                            + status.get().message() + "): the release before keeps serving");
                }
            } else if (status.isPresent() && status.get().state().equals("paused")) {
                throw PierException.failed("Swarm paused the update of " + name + ": " + status.get().message());
            } else {
                long ready = tasks.stream().filter(SwarmServices.Task::running).filter(t -> t.spec().equals(spec)).count();
                boolean settled = status.map(s -> s.state().equals("completed")).orElse(true);
                if (ready == replicas && settled && tasks.stream().allMatch(t -> t.spec().equals(spec))) {
                    return;
                }
            }
            if (Instant.now().isAfter(end)) {
                String why = tasks.stream().filter(t -> !t.running()).map(t -> t.state() + ": " + t.message())
                        .filter(m -> !m.endsWith(": ")).findFirst().orElse("not all running");
                throw PierException.failed(name + " did not run " + replicas + " healthy task(s) of the new image within "
                        + timeout.toSeconds() + " s (" + why + ")");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PierException.failed("interrupted while waiting for " + name);
            }
        }
    }

    /**
     * The health check each web task runs on itself: the first HTTP check's path (else /) fetched from the task's own
     * port, with whichever HTTP client the image has (curl, wget, BusyBox's wget). An image with none has no health
     * check: its tasks count as up once they run.
     */
    private static List<String> healthTest(Docker d, AppName app, Release release) {
        String path = release.checks().list().stream().filter(c -> c.kind() == Checks.Kind.http).map(Checks.Check::path)
                .findFirst().orElse("/");
        String url = "http://127.0.0.1:" + release.port() + path;
        Map<String, String> labels = Map.of(Labels.APP, app.value(), Labels.ONEOFF, "probe");
        if (d.hasFile(release.image(), "/usr/bin/curl", labels)) {
            return List.of("CMD", "/usr/bin/curl", "-fsS", "-o", "/dev/null", url);
        }
        for (String wget : List.of("/usr/bin/wget", "/bin/wget")) {
            if (d.hasFile(release.image(), wget, labels)) {
                return List.of("CMD", wget, "-q", "-O", "/dev/null", url);
            }
        }
        if (d.hasFile(release.image(), "/bin/busybox", labels)) {
            return List.of("CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", url);
        }
        return List.of();
    }
}
