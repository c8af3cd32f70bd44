package pier.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Routing;
import pier.apps.Volumes;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.Container;
import pier.engine.ContainerSpec;
import pier.engine.Labels;
import pier.engine.Nginx;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.ProcessType;
import pier.services.ServiceNetworks;
import pier.state.ConfigSnapshot;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Settings;

/**
 * Makes what runs match what pier recorded, for one app or all: only the live release's containers run, at its
 * scale, and Nginx routes to exactly its running web containers. It is what brings apps back after a reboot or a
 * crash of dockerd (which leaves containers exited despite their restart policy), it cleans up after a deploy or
 * retire that died half-way, and it runs at the end of every retire. Each app is done under its lock; a failure of
 * one is reported and the others are still done. A stopped app ({@code ps:stop}) stays stopped.
 */
public final class Reconcile {
    /** The grace a container that should not run gets to finish the requests it holds (as a retire gives). */
    private static final Duration GRACE = Duration.ofSeconds(10);

    /** What reconciling one app did: one line per fix, and why it failed, if it did. */
    public record Result(AppName app, List<String> fixes, Optional<String> failure) {
        public Result {
            fixes = List.copyOf(fixes);
        }
    }

    /** What reconciling several apps did. */
    public record Report(List<Result> apps) {
        public Report {
            apps = List.copyOf(apps);
        }

        public boolean ok() {
            return apps.stream().allMatch(r -> r.failure().isEmpty());
        }

        /** One line: how many fixes in how many apps, and which failed; or that there was nothing to do. */
        public String summary() {
            int fixes = apps.stream().mapToInt(r -> r.fixes().size()).sum();
            long changed = apps.stream().filter(r -> !r.fixes().isEmpty()).count();
            List<String> failed = apps.stream().filter(r -> r.failure().isPresent()).map(r -> r.app().value()).toList();
            String of = apps.size() == 1 ? apps.get(0).app().value() : apps.size() + " apps";
            String done = apps.isEmpty() ? "Nothing to reconcile: there are no apps"
                    : fixes == 0 ? "Nothing to reconcile: " + of + (apps.size() == 1 ? " runs" : " run") + " as recorded"
                    : "Reconciled " + of + ": " + fixes + (fixes == 1 ? " fix" : " fixes")
                    + (apps.size() == 1 ? "" : " in " + changed + (changed == 1 ? " app" : " apps"));
            return failed.isEmpty() ? done : done + "; failed: " + String.join(", ", failed);
        }
    }

    private final PierHome home;
    private final Scheduler scheduler;
    private final Routing routing;

    public Reconcile(PierHome home, Scheduler scheduler, Routing routing) {
        this.home = home;
        this.scheduler = scheduler;
        this.routing = routing;
    }

    /** Every app, one after the other; one app's failure is in its result and the next app is still done. */
    public Report all(Progress progress) {
        List<Result> results = new ArrayList<>();
        for (AppName app : new Apps(home).list()) {
            results.add(app(app, progress));
        }
        return new Report(results);
    }

    /** One app, under its lock; each fix is told on {@code progress} as it is made, a failure as a warning. */
    public Result app(AppName app, Progress progress) {
        List<String> fixes = new ArrayList<>();
        Progress told = line -> {
            fixes.add(line);
            progress.step(app + ": " + line);
        };
        try (Lock ignored = Lock.app(home, app)) {
            new Apps(home).require(app);
            // A deploy killed half-way is finished or undone first, so "the live release" below is the one serving.
            new PendingRelease(home, scheduler, routing).settle(app, told);
            // Its services on its networks first, so what starts below reaches them; their failure is told once it runs.
            Optional<String> services = services(app, told);
            converge(app, told);
            services.ifPresent(why -> {
                throw PierException.failed(why);
            });
            return new Result(app, fixes, Optional.empty());
        } catch (RuntimeException e) {
            String why = e instanceof PierException ? e.getMessage() : e.toString();
            progress.warn(app + ": " + Shown.oneLine(why));
            return new Result(app, fixes, Optional.of(why));
        }
    }

    /**
     * Puts the services linked to the app on the networks they belong on: on the swarm, its overlay too, whose join a
     * restart of dockerd can lose. Why it failed, if it did.
     */
    private Optional<String> services(AppName app, Progress fix) {
        try {
            new ServiceNetworks(home, scheduler).follow(app).forEach(fix::line);
            return Optional.empty();
        } catch (PierException e) {
            return Optional.of("its services: " + e.getMessage());
        }
    }

    private void converge(AppName app, Progress fix) {
        Optional<Release> current = new Releases(home, app).current();
        List<Container> processes = scheduler.containers(Map.of(Labels.APP, app.value())).stream()
                .filter(c -> !c.oneOff()).toList();
        if (current.isEmpty()) {
            remove(processes, app + " is not deployed", fix);
            return;
        }
        Release live = current.get();
        if (Placement.read(home, app).swarm()) {
            converge(app, live, processes, fix);
            return;
        }
        List<Container> others = processes.stream()
                .filter(c -> c.release() != live.id() || !c.labels().containsKey(Labels.RELEASE)).toList();
        List<Container> own = processes.stream().filter(c -> !others.contains(c)).toList();
        if (new Apps(home).stopped(app)) {
            List<Container> alive = own.stream().filter(Container::alive).toList();
            List<String> problems = scheduler.stopAll(alive.stream().map(Container::id).toList(), GRACE, false);
            alive.forEach(c -> fix.line("stopped " + c.instance() + " of " + live.tag() + ": " + app
                    + " is stopped (pier ps:start " + app + " starts it)"));
            remove(others, "not the live release " + live.tag(), fix);
            if (routing.routeTo(app, List.of())) {
                fix.line("Nginx answers 503 for " + app + ", which is stopped");
            }
            failIf(problems);
            return;
        }

        // The live release's containers by instance; a second one of an instance, or one beyond the scale, goes.
        Map<String, Container> byInstance = new LinkedHashMap<>();
        List<Container> extra = new ArrayList<>();
        for (Container c : own) {
            if (byInstance.putIfAbsent(c.instance(), c) != null) {
                extra.add(c);
            }
        }
        Starter starter = new Starter(app, live);
        List<Nginx.Upstream> upstreams = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        live.formation().forEach((type, count) -> {
            for (int i = 1; i <= count; i++) {
                String instance = type + "." + i;
                try {
                    starter.ensure(type, i, Optional.ofNullable(byInstance.remove(instance)), fix)
                            .ifPresent(upstreams::add);
                } catch (PierException e) {
                    problems.add(instance + ": " + e.getMessage());
                }
            }
        });
        extra.addAll(byInstance.values());
        remove(extra, "beyond the scale of " + live.tag(), fix);

        boolean web = live.count(ProcessType.WEB) > 0;
        if (!web || !upstreams.isEmpty()) {
            if (routing.routeTo(app, upstreams)) {
                fix.line(web ? "Nginx routes " + app + " to " + String.join(", ", upstreams.stream()
                        .map(u -> u.host() + ":" + u.port()).toList()) : "Nginx answers 503 for " + app + " (web=0)");
            }
        } else {
            problems.add("no web container runs, so Nginx was left as it was");
        }
        // Only now, with the live release served, do the other releases' containers go.
        remove(others, "not the live release " + live.tag(), fix);
        failIf(problems);
    }

    /**
     * An app on the cluster: Swarm keeps its tasks at the scale (after a crash, a node lost), so what is left here is
     * Nginx following the tasks, and no container of the app on this host's own Docker.
     */
    private void converge(AppName app, Release live, List<Container> local, Progress fix) {
        List<Nginx.Upstream> upstreams = routing.upstreams(app);
        if (live.count(ProcessType.WEB) > 0 && upstreams.isEmpty()) {
            throw PierException.failed("no web task of " + app + " runs on the cluster (docker service ps "
                    + Labels.swarmService(app.value(), ProcessType.WEB.value()) + " says why), so Nginx was left as it was");
        }
        if (routing.routeTo(app, upstreams)) {
            fix.line("Nginx routes " + app + " to " + String.join(", ", upstreams.stream().map(u -> u.host() + ":" + u.port())
                    .toList()) + " on the cluster");
        }
        remove(local, app + " runs on the cluster", fix);
    }

    private static void failIf(List<String> problems) {
        if (!problems.isEmpty()) {
            throw PierException.failed(String.join("; ", problems));
        }
    }

    private void remove(List<Container> containers, String why, Progress fix) {
        if (containers.isEmpty()) {
            return;
        }
        List<String> problems = scheduler.stopAll(containers.stream().map(Container::id).toList(), GRACE, true);
        for (Container c : containers) {
            if (problems.stream().noneMatch(p -> p.startsWith(c.shortId()))) {
                fix.line("removed " + c.instance() + " of v" + c.release() + " (" + c.name() + "): " + why);
            }
        }
        failIf(problems);
    }

    /** Starts the live release's containers as a deploy would: with its config, the app's volumes and limits. */
    private final class Starter {
        private final AppName app;
        private final Release live;
        private final Settings settings = new Settings(home);
        private final Resources resources = new Resources(home);
        private Map<String, String> env;
        private List<ContainerSpec.Mount> mounts;

        Starter(AppName app, Release live) {
            this.app = app;
            this.live = live;
        }

        /**
         * Makes instance {@code index} of {@code type} run: kept when it runs, started again when it stopped, made
         * anew when it is missing or its port was taken by another process. Returns where Nginx reaches a web
         * container once it passed its checks; empty for a worker.
         */
        Optional<Nginx.Upstream> ensure(ProcessType type, int index, Optional<Container> found, Progress fix) {
            boolean web = type.equals(ProcessType.WEB);
            String instance = type + "." + index;
            if (found.isEmpty()) {
                return create(type, index, instance + " was missing", fix);
            }
            Container c = found.get();
            if (c.running()) {
                return web ? Optional.of(Routing.upstream(c, live.port()).orElseThrow(() -> PierException.failed(
                        "it runs but publishes no port; pier ps:restart " + app + " replaces it"))) : Optional.empty();
            }
            if (c.alive()) {
                throw PierException.failed("it is restarting after a crash: see pier logs " + app);
            }
            if (!web && c.finished()) {
                // A worker that exited 0 did its work (Dokku's "custom: echo -n"): starting it again would repeat it.
                return Optional.empty();
            }
            Optional<Integer> port = web ? scheduler.hostPort(c.id()) : Optional.empty();
            if (port.isPresent() && !HostPorts.bindable(port.get())) {
                scheduler.remove(c.id());
                return create(type, index, "its port " + port.get() + " is taken by another process", fix);
            }
            scheduler.resume(c.id());
            scheduler.keepRunning(c.id());
            if (!web) {
                fix.line("started " + instance + " of " + live.tag() + " again (it was " + c.state() + ")");
                return Optional.empty();
            }
            int hostPort = port.orElseThrow(() -> PierException.failed("it publishes no port; pier ps:restart " + app
                    + " replaces it"));
            String checked = check(c.id(), hostPort);
            fix.line("started " + instance + " of " + live.tag() + " again (it was " + c.state() + "): " + checked);
            return Optional.of(Routing.upstream(c, live.port())
                    .orElseGet(() -> new Nginx.Upstream("127.0.0.1", hostPort)));
        }

        private Optional<Nginx.Upstream> create(ProcessType type, int index, String why, Progress fix) {
            boolean web = type.equals(ProcessType.WEB);
            int port = web ? new HostPorts(home, scheduler).choose() : 0;
            String address = web ? new Addresses(scheduler).choose(app) : "";
            String id = scheduler.start(ContainerSpecs.process(app, live, type, index, env(), address, port, mounts(),
                    resources.confinement(app, type.value())));
            String instance = type + "." + index;
            if (!web) {
                scheduler.keepRunning(id);
                fix.line("started " + instance + " of " + live.tag() + ": " + why);
                return Optional.empty();
            }
            String checked;
            try {
                checked = check(id, port);
            } catch (RuntimeException e) {
                scheduler.stopAndRemove(id, Duration.ofSeconds(1));
                throw e;
            }
            // Healthy now: from here on the engine restarts it after a crash, a reboot or a dockerd restart.
            scheduler.keepRunning(id);
            fix.line("started " + instance + " of " + live.tag() + " at " + address + " (port " + port + "): " + why
                    + "; " + checked);
            return Optional.of(new Nginx.Upstream(address, live.port()));
        }

        private String check(String id, int port) {
            List<Domain> domains = new Apps(home).domains(app);
            return HealthCheck.run(live.checks(), scheduler, id, port, domains.isEmpty() ? "localhost"
                    : domains.get(0).value(), settings.healthTimeout());
        }

        /** The live release's own config, as it was recorded; the current one for a release made before pier kept it. */
        private Map<String, String> env() {
            if (env == null) {
                env = ContainerSpecs.env(new Releases(home, app).config(live)
                        .orElseGet(() -> ConfigSnapshot.current(home, app)));
            }
            return env;
        }

        private List<ContainerSpec.Mount> mounts() {
            if (mounts == null) {
                mounts = new Volumes(home, scheduler).mountsFor(app);
            }
            return mounts;
        }
    }
}
