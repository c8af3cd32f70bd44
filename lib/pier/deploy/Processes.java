package pier.deploy;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.jspecify.annotations.Nullable;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Routing;
import pier.apps.Scale;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Container;
import pier.engine.Labels;
import pier.engine.Proxy;
import pier.engine.Scheduler;
import pier.engine.Swarm;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Undo;

/**
 * An app's processes: what runs ({@code ps}), how many ({@code ps:scale}), restarting, starting, stopping and
 * rebuilding them, rolling back to an earlier release, their logs, one-off commands ({@code run}) and a shell in a
 * running container ({@code enter}). Every change goes through {@link Deploy}'s health-checked switch as a new
 * release, under the app's lock, and retires what it replaced in the background.
 */
public final class Processes {
    /**
     * One process of the app as {@code ps} shows it: a container on this host or, for an app on the swarm, a task of
     * one of its services on {@code node} (named as {@code nodes:list} names it; empty for an app that runs here),
     * reached at {@code address}:{@code port}.
     */
    public record Instance(String id, String name, String type, int release, String state, String status,
                           Optional<Integer> port, String role, String node, String address) {
        /** A container of an app that runs on this host: its port is on this host's loopback. */
        public Instance(String id, String name, String type, int release, String state, String status,
                        Optional<Integer> port, String role) {
            this(id, name, type, release, state, status, port, role, "", "127.0.0.1");
        }

        /**
         * Its line in {@code ps}: instance, id, release, role, state, then (on the swarm) the node, where it is reached
         * and what the engine says of it. A release pier cannot tell (a task of neither the service's spec nor the one
         * before) is {@code v?}.
         */
        public String line() {
            return String.format("%-12s %s  %-5s %-9s %-10s %s%s%s", name, id, release > 0 ? "v" + release : "v?", role, state,
                    node.isEmpty() ? "" : String.format("%-14s ", node), port.map(p -> address + ":" + p + "  ").orElse(""),
                    status).stripTrailing();
        }
    }

    private final PierHome home;
    private final Scheduler docker;
    private final Proxy nginx;
    private final Deploy deploy;
    private final SwarmProcesses swarm;

    /** The processes of apps on {@code docker}, and through {@code swarm} of those placed on the cluster. */
    public Processes(PierHome home, Scheduler docker, Proxy nginx, Deploy deploy, SwarmProcesses swarm) {
        this.home = home;
        this.docker = docker;
        this.nginx = nginx;
        this.deploy = deploy;
        this.swarm = swarm;
    }

    private Apps apps() {
        return new Apps(home);
    }

    private Release live(AppName app) {
        return live(home, app);
    }

    /** The app's live release, or a failure saying it was never deployed. */
    static Release live(PierHome home, AppName app) {
        return new Releases(home, app).current()
                .orElseThrow(() -> PierException.failed(app + " is not deployed yet: push to deploy it"));
    }

    /**
     * The app's containers: the live release's ({@code live}), an older release's still draining ({@code retiring})
     * and one-off commands ({@code run}, {@code release}); for an app on the swarm also its services' tasks on every
     * node ({@link SwarmProcesses#rows}), the containers on this host then named by their node too. Web first, then by
     * instance.
     */
    public List<Instance> list(AppName app) {
        apps().require(app);
        int live = new Releases(home, app).current().map(Release::id).orElse(0);
        boolean onSwarm = Placement.read(home, app).swarm();
        Stream<Instance> here = docker.containers(Map.of(Labels.APP, app.value())).stream().map(c -> {
            String role = c.oneOffKind().orElse(c.release() == live ? "live" : "retiring");
            return new Instance(c.shortId(), c.instance(), c.process(), c.release(), c.state(), c.status(), c.publicPort(),
                    role, onSwarm ? Swarm.THIS_HOST : "", "127.0.0.1");
        });
        Stream<Instance> tasks = onSwarm ? swarm.instances(app).stream() : Stream.empty();
        Comparator<Instance> order = Comparator.comparing((Instance i) -> !i.role().equals("live"))
                .thenComparing(Instance::type, Comparator.comparing(t -> !t.equals("web"))).thenComparing(Instance::type)
                .thenComparingInt(i -> parseInt(i.name().substring(i.name().lastIndexOf('.') + 1)))
                .thenComparingInt(Instance::release);
        return Stream.concat(here, tasks).sorted(order).toList();
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Takes the app's lock for a change, and first settles what a killed deploy left pending, so the live release
     * the change starts from is the one that serves.
     */
    private Lock locked(AppName app, Progress progress) {
        Lock lock = Lock.app(home, app);
        try {
            deploy.settle(app, progress);
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Sets how many containers of each type run and restarts the app with them as a new release; a type the live
     * release's Procfile does not declare is refused. A stopped or undeployed app only stores the scale. If the
     * switch fails, the scale is put back and the live release keeps serving.
     */
    public void scale(AppName app, Scale changes, String key, Progress progress) {
        try (Lock ignored = locked(app, progress)) {
            apps().require(app);
            Optional<Release> live = new Releases(home, app).current();
            if (live.isPresent()) {
                List<ProcessType> declared = live.get().procfile().running();
                for (ProcessType type : changes.counts().keySet()) {
                    if (!declared.contains(type)) {
                        throw PierException.failed(app + " " + live.get().tag() + " has no process type " + type
                                + ": its Procfile declares " + String.join(", ", declared.stream().map(ProcessType::value).toList()));
                    }
                }
            }
            Scale before = Scale.read(home, app);
            Scale after = before.with(changes);
            progress.step("Scaling " + app + " to " + Scale.describe(changes.counts()));
            after.write(home, app);
            if (live.isEmpty()) {
                progress.detail(app + " is not deployed yet; this applies at its first deploy");
                return;
            }
            if (live.get().formation().equals(after.formation(live.get().procfile())) && !apps().stopped(app)) {
                progress.detail(app + " runs " + Scale.describe(live.get().formation()) + " already; nothing to change");
                return;
            }
            Undo.restartOrUndo(() -> deploy.restart(app, key, "Scale " + Scale.describe(changes.counts()), progress)
                    .ifPresent(d -> deploy.retireInBackground(app, d, progress)), () -> before.write(home, app), "the scale",
                    false);
        }
    }

    /** Starts new containers of the live release's image with the current config, then retires the old ones. */
    public void restart(AppName app, String key, Progress progress) {
        try (Lock ignored = locked(app, progress)) {
            apps().require(app);
            live(app);
            deploy.retireInBackground(app, deploy.relaunch(app, key, "Restart", progress), progress);
        }
    }

    /** Starts a stopped app (or one whose web containers are gone) again; a running one is left as it is. */
    public void start(AppName app, String key, Progress progress) {
        try (Lock ignored = locked(app, progress)) {
            apps().require(app);
            Release live = live(app);
            long wanted = live.formation().values().stream().mapToInt(Integer::intValue).sum();
            boolean running = !apps().stopped(app) && (Placement.read(home, app).swarm()
                    ? swarm.runningLive(app) >= wanted
                    : docker.containers(Map.of(Labels.APP, app.value(), Labels.RELEASE, Integer.toString(live.id()))).stream()
                    .filter(c -> !c.oneOff())
                    .filter(Container::running).count() >= wanted);
            if (running) {
                progress.step(app + " " + live.tag() + " is running already; pier ps:restart " + app + " restarts it");
                return;
            }
            deploy.retireInBackground(app, deploy.relaunch(app, key, "Start", progress), progress);
        }
    }

    /**
     * Points the site at the page that answers 503, then stops every container of the app (SIGTERM, SIGKILL after
     * 10 s), keeping them for {@code logs}. The app stays stopped, also across reboots and config changes, until
     * ps:start, ps:restart, a deploy or a rollback.
     */
    public void stop(AppName app, String key, Progress progress) {
        try (Lock ignored = locked(app, progress)) {
            apps().require(app);
            Release live = live(app);
            boolean already = apps().stopped(app);
            apps().stopped(app, true, key);
            progress.step("Stopping " + app + " " + live.tag() + ": its site answers 503 until pier ps:start " + app);
            try {
                new Routing(home, () -> docker, nginx).reroute(app);
            } catch (RuntimeException e) {
                if (!already) {
                    apps().stopped(app, false, key);
                }
                throw e;
            }
            if (Placement.read(home, app).swarm()) {
                // Swarm would start a stopped task again: its services go, and ps:start creates them anew.
                List<String> removed = deploy.stopSwarmServices(app);
                progress.detail("removed " + removed.size() + " swarm service(s)" + (removed.isEmpty() ? "" : ": " + String.join(", ", removed)));
                return;
            }
            List<Container> running = docker.containers(Map.of(Labels.APP, app.value())).stream()
                    .filter(c -> !c.oneOff())
                    .filter(Container::alive).toList();
            List<String> problems = docker.stopAll(running.stream().map(Container::id).toList(), Duration.ofSeconds(10), false);
            progress.detail("stopped " + (running.size() - problems.size()) + " of " + running.size()
                    + (running.size() == 1 ? " container" : " containers"));
            if (!problems.isEmpty()) {
                throw PierException.failed("could not stop " + String.join("; ", problems));
            }
        }
    }

    /** Builds the live release's commit again (a new image, e.g. for fresh base layers) and deploys it. */
    public void rebuild(AppName app, String key, Progress progress) {
        try (Lock ignored = locked(app, progress)) {
            apps().require(app);
            Release live = live(app);
            try (Repository repo = apps().openRepo(app)) {
                Deploy.Deployed deployed = deploy.commit(app, repo, ObjectId.fromString(live.commit()), key, progress);
                deploy.retireInBackground(app, deployed, progress);
            }
        }
    }

    /**
     * The release a rollback with no id goes to: the newest one before the live release that differs from it in
     * image or config (restarts and scaling repeat both, so they are passed over).
     */
    public static Optional<Release> previous(List<Release> releases) {
        if (releases.isEmpty()) {
            return Optional.empty();
        }
        Release live = releases.stream().max(Comparator.comparingInt(Release::id)).orElseThrow();
        return releases.stream().filter(r -> r.id() < live.id())
                .filter(r -> !r.image().equals(live.image()) || !r.config().equals(live.config()))
                .max(Comparator.comparingInt(Release::id));
    }

    /** Rolls back to release {@code id}, or to {@link #previous} when empty. */
    public Release rollback(AppName app, Optional<Integer> id, String key, Progress progress) {
        try (Lock ignored = locked(app, progress)) {
            apps().require(app);
            Releases releases = new Releases(home, app);
            Release live = live(app);
            Release target;
            if (id.isPresent()) {
                target = releases.get(id.get()).orElseThrow(() -> PierException.failed(app + " has no release v" + id.get()
                        + ": pier releases " + app + " lists them"));
                if (target.id() == live.id()) {
                    throw PierException.failed(target.tag() + " is the live release of " + app + " already");
                }
            } else {
                target = previous(releases.list()).orElseThrow(() -> PierException.failed("no release of " + app
                        + " before " + live.tag() + " has another image or config: nothing to roll back to"));
            }
            Deploy.Deployed deployed = deploy.rollback(app, target, key, progress);
            deploy.retireInBackground(app, deployed, progress);
            return target;
        }
    }

    /** See {@link Logs#print}. */
    public void logs(AppName app, int lines, boolean follow, Optional<ProcessType> type, PrintStream out) {
        new Logs(home, docker, swarm).print(app, lines, follow, type, out);
    }

    /** See {@link OneOffs#run}. */
    public int run(AppName app, List<String> words, InputStream in, OutputStream out, OutputStream err) {
        return new OneOffs(home, docker, swarm).run(app, words, in, out, err);
    }

    /** See {@link OneOffs#enter}. */
    public int enter(AppName app, Optional<String> which, boolean tty, int @Nullable [] size, InputStream in, OutputStream out,
                     OutputStream err) {
        return new OneOffs(home, docker, swarm).enter(app, which, tty, size, in, out, err);
    }

    /** See {@link OneOffs#checkedInstance}. */
    public static String checkedInstance(String which) {
        return OneOffs.checkedInstance(which);
    }
}
