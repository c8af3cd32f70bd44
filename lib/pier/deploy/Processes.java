package pier.deploy;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.jspecify.annotations.Nullable;
import pier.apps.Apps;
import pier.apps.Procfile;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Routing;
import pier.apps.Scale;
import pier.apps.Volumes;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.Container;
import pier.engine.ContainerSpec;
import pier.engine.Labels;
import pier.engine.Proxy;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.ConfigSnapshot;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Undo;

/**
 * An app's processes: what runs ({@code ps}), how many ({@code ps:scale}), restarting, starting, stopping and
 * rebuilding them, rolling back to an earlier release, their logs, one-off commands ({@code run}) and a shell in a
 * running container ({@code enter}). Every change goes through {@link Deploy}'s health-checked switch as a new
 * release, under the app's lock, and retires what it replaced in the background.
 */
public final class Processes {
    /** One container of the app as {@code ps} shows it. */
    public record Instance(String id, String name, String type, int release, String state, String status,
                           Optional<Integer> port, String role) {
    }

    private final PierHome home;
    private final Scheduler docker;
    private final Proxy nginx;
    private final Deploy deploy;

    public Processes(PierHome home, Scheduler docker, Proxy nginx, Deploy deploy) {
        this.home = home;
        this.docker = docker;
        this.nginx = nginx;
        this.deploy = deploy;
    }

    private Apps apps() {
        return new Apps(home);
    }

    private Release live(AppName app) {
        return new Releases(home, app).current()
                .orElseThrow(() -> PierException.failed(app + " is not deployed yet: push to deploy it"));
    }

    /**
     * The app's containers: the live release's ({@code live}), an older release's still draining ({@code retiring})
     * and one-off commands ({@code run}, {@code release}); web first, then by instance.
     */
    public List<Instance> list(AppName app) {
        apps().require(app);
        int live = new Releases(home, app).current().map(Release::id).orElse(0);
        return docker.containers(Map.of(Labels.APP, app.value())).stream().map(c -> {
            String role = c.oneOffKind().orElse(c.release() == live ? "live" : "retiring");
            return new Instance(c.shortId(), c.instance(), c.process(), c.release(), c.state(), c.status(), c.publicPort(),
                    role);
        }).sorted(Comparator.comparing((Instance i) -> !i.role().equals("live")).thenComparing(Instance::type,
                Comparator.comparing(t -> !t.equals("web"))).thenComparing(Instance::type)
                .thenComparingInt(i -> parseInt(i.name().substring(i.name().lastIndexOf('.') + 1)))
                .thenComparingInt(Instance::release)).toList();
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Sets how many containers of each type run and restarts the app with them as a new release; a type the live
     * release's Procfile does not declare is refused. A stopped or undeployed app only stores the scale. If the
     * switch fails, the scale is put back and the live release keeps serving.
     */
    public void scale(AppName app, Scale changes, String key, Progress progress) {
        try (Lock ignored = Lock.app(home, app)) {
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
        try (Lock ignored = Lock.app(home, app)) {
            apps().require(app);
            live(app);
            deploy.retireInBackground(app, deploy.relaunch(app, key, "Restart", progress), progress);
        }
    }

    /** Starts a stopped app (or one whose web containers are gone) again; a running one is left as it is. */
    public void start(AppName app, String key, Progress progress) {
        try (Lock ignored = Lock.app(home, app)) {
            apps().require(app);
            Release live = live(app);
            boolean running = !apps().stopped(app) && docker.containers(Map.of(Labels.APP, app.value(),
                            Labels.RELEASE, Integer.toString(live.id()))).stream()
                    .filter(c -> !c.oneOff())
                    .filter(Container::running).count() >= live.formation().values().stream()
                    .mapToInt(Integer::intValue).sum();
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
        try (Lock ignored = Lock.app(home, app)) {
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
        try (Lock ignored = Lock.app(home, app)) {
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
        try (Lock ignored = Lock.app(home, app)) {
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

    // ---- logs ----

    /**
     * Prints the last {@code lines} lines of the live release's containers (of {@code type} only, when given), oldest
     * first, as {@code TIME app[web.1]: text}. With {@code follow}, keeps printing new lines, also from the containers
     * of later releases as they go live, until {@code out} can no longer be written.
     */
    public void logs(AppName app, int lines, boolean follow, Optional<ProcessType> type, PrintStream out) {
        apps().require(app);
        Release live = live(app);
        List<Container> containers = logged(app, live.id(), type);
        record Line(Instant at, String timestamp, String instance, String text) {
        }
        List<Line> all = new ArrayList<>();
        for (Container c : containers) {
            docker.logs(c.id(), lines, false, l -> all.add(new Line(instant(l.timestamp()), l.timestamp(), c.instance(), l.text())));
        }
        all.sort(Comparator.comparing(Line::at));
        all.stream().skip(Math.max(0, all.size() - lines))
                .forEach(l -> out.println(l.timestamp() + " app[" + l.instance() + "]: " + l.text()));
        out.flush();
        if (!follow) {
            return;
        }
        Set<String> followed = new HashSet<>();
        containers.forEach(c -> followed.add(c.id()));
        containers.forEach(c -> follow(c, 0, out));
        while (!out.checkError() && apps().exists(app)) {
            sleep(Duration.ofSeconds(1));
            int now = new Releases(home, app).current().map(Release::id).orElse(live.id());
            for (Container c : logged(app, now, type)) {
                if (followed.add(c.id())) {
                    follow(c, -1, out);
                }
            }
        }
    }

    private List<Container> logged(AppName app, int release, Optional<ProcessType> type) {
        Map<String, String> labels = new LinkedHashMap<>(Map.of(Labels.APP, app.value(), Labels.RELEASE, Integer.toString(release)));
        type.ifPresent(t -> labels.put(Labels.PROCESS, t.value()));
        return docker.containers(labels).stream().filter(c -> !c.oneOff()).toList();
    }

    private void follow(Container c, int tail, PrintStream out) {
        String instance = c.instance();
        Thread t = new Thread(() -> docker.logs(c.id(), tail, true, l -> {
            synchronized (out) {
                out.println(l.timestamp() + " app[" + instance + "]: " + l.text());
                out.flush();
            }
        }), "pier-logs-" + instance);
        t.setDaemon(true);
        t.start();
    }

    private static Instant instant(String timestamp) {
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    // ---- run and enter ----

    /**
     * Runs a one-off container of the live release (its image and config, the app's volumes) with our stdin, stdout
     * and stderr, and returns its exit code; it is removed afterwards. Several words run as given; one word runs like
     * a Procfile command (with {@code /bin/sh -c} when the image has it).
     */
    public int run(AppName app, List<String> words, InputStream in, OutputStream out, OutputStream err) {
        if (words.isEmpty()) {
            throw PierException.usage("give a command to run, e.g. pier run APP ls -la");
        }
        ContainerSpec spec;
        try (Lock ignored = Lock.app(home, app)) {
            apps().require(app);
            Release live = live(app);
            ConfigSnapshot config = new Releases(home, app).config(live).orElseGet(() -> ConfigSnapshot.current(home, app));
            Map<String, String> env = ContainerSpecs.runEnv(ContainerSpecs.env(config));
            List<String> argv = words.size() > 1 ? List.copyOf(words)
                    : Procfile.argv(words.get(0), docker.hasFile(live.image(), "/bin/sh", ContainerSpecs.runLabels(app, live)), env);
            String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
            spec = ContainerSpecs.run(app, live, argv, env, suffix, new Volumes(home, docker).mountsFor(app),
                    new Resources(home).confinement(app, "run"));
        }
        return docker.runAttached(spec, in, out, err);
    }

    /** A process type ({@code web}) or an instance of one ({@code web.2}), checked; refused as bad usage otherwise. */
    public static String checkedInstance(String which) {
        String[] parts = which.split("\\.", 2);
        ProcessType.of(parts[0]);
        if (parts.length == 2 && !parts[1].matches("[1-9]\\d{0,2}")) {
            throw PierException.usage("invalid instance " + Shown.quote(which) + ": use TYPE or TYPE.N (e.g. web.2)");
        }
        return which;
    }

    /**
     * Runs {@code /bin/sh} in a running container of the live release: {@code which} is a type ({@code web}, the
     * first one) or an instance ({@code web.2}). With {@code tty} it gets a terminal of {@code size} (rows, columns).
     */
    public int enter(AppName app, Optional<String> which, boolean tty, int @Nullable [] size, InputStream in, OutputStream out,
                     OutputStream err) {
        String wanted = checkedInstance(which.orElse("web"));
        String[] parts = wanted.split("\\.", 2);
        ProcessType type = ProcessType.of(parts[0]);
        apps().require(app);
        Release live = live(app);
        Container container = logged(app, live.id(), Optional.of(type)).stream()
                .filter(Container::running)
                .filter(c -> parts.length == 1 || wanted.equals(c.labels().get(Labels.INSTANCE)))
                .min(Comparator.comparing(c -> c.labels().getOrDefault(Labels.INSTANCE, "")))
                .orElseThrow(() -> PierException.failed("no running " + wanted + " container of " + app + " " + live.tag()
                        + ": pier ps " + app + " shows what runs"));
        if (!docker.hasFile(live.image(), "/bin/sh", Map.of(Labels.APP, app.value(), Labels.ONEOFF, "probe"))) {
            throw PierException.failed("the image of " + app + " has no /bin/sh to enter; use pier run " + app + " COMMAND");
        }
        return docker.execAttached(container.id(), List.of("/bin/sh"), tty, size, in, out, err);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted");
        }
    }
}
