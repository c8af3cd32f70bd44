package pier.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Routing;
import pier.apps.Scale;
import pier.apps.Volumes;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.ContainerSpec;
import pier.engine.ContainerState;
import pier.engine.Images;
import pier.engine.Labels;
import pier.engine.Nginx;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.ProcessType;
import pier.state.ConfigSnapshot;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Settings;

/**
 * The one path to a live release, whatever made it (a push, a config change, a restart, a scale, a rollback): run
 * the release command when the image or config is new, start the web containers, check them, switch the site,
 * record the release, then start the workers. Until the switch nothing the live release uses is touched, and a
 * failure removes what this launch started. The release is written ahead as pending before anything starts, so a
 * launch killed half-way is finished or undone by the next change ({@link PendingRelease}); once it is recorded, the
 * older releases' containers lose their restart policy before their retire is handed on. The caller holds the app's
 * lock.
 */
final class Launch {
    private final PierHome home;
    private final Scheduler scheduler;
    private final Images images;
    private final Routing routing;
    private final SwarmApps swarm;

    Launch(PierHome home, Scheduler scheduler, Images images, Routing routing, SwarmApps swarm) {
        this.home = home;
        this.scheduler = scheduler;
        this.images = images;
        this.routing = routing;
        this.swarm = swarm;
    }

    /**
     * One web container started for a release: its id, its instance name (web.1), its local port (where its checks
     * reach it) and where Nginx reaches it.
     */
    private record Started(String id, String instance, int hostPort, Nginx.Upstream upstream) {
    }

    /** One worker container started for a release. */
    private record Worker(String id, String instance) {
    }

    Deploy.Deployed launch(AppName app, Release draft, ConfigSnapshot config, Duration build, Progress progress) {
        Settings settings = new Settings(home);
        Releases releases = new Releases(home, app);
        Optional<Release> live = releases.current();
        int id = draft.id();
        removeLeftovers(app, id);
        // The draft's formation is what its commit declares (app.json): the app's scale until ps:scale sets one.
        boolean declared = !Scale.exists(home, app) && !draft.formation().isEmpty();
        Scale scale = declared ? new Scale(draft.formation()) : Scale.read(home, app);
        SortedMap<ProcessType, Integer> formation = scale.formation(draft.procfile());
        Release release = new Release(id, draft.commit(), draft.image(), draft.port(), Instant.now(), draft.key(),
                draft.description(), config.version(), draft.procfile(), draft.shell(), draft.checks(), formation,
                draft.scripts(), draft.cron());
        List<ContainerSpec.Mount> mounts = new Volumes(home, scheduler).mountsFor(app);
        Map<String, String> env = ContainerSpecs.env(config);
        Resources resources = new Resources(home);
        List<Started> started = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        List<Domain> domains = new Apps(home).domains(app);
        // Written ahead: if this process dies before the record, the next change of the app finishes or undoes it.
        releases.pending(new Releases.Pending(release, List.of(), List.of()), config);

        long t0 = System.nanoTime();
        long t1;
        long t2;
        long t3;
        Duration releaseTime = Duration.ZERO;
        int webs = release.count(ProcessType.WEB);
        // The one-off commands (release, predeploy, postdeploy) run only for a new image or config.
        boolean fresh = live.isEmpty() || !live.get().image().equals(release.image())
                || !live.get().config().equals(release.config());
        Placement placement = Placement.read(home, app);
        try {
            Optional<String> releaseCommand = release.procfile().command(ProcessType.RELEASE);
            if (releaseCommand.isPresent() && fresh) {
                runReleaseCommand(app, release, ContainerSpecs.releaseCommand(app, release, env, mounts,
                        resources.confinement(app, ProcessType.RELEASE.value())), settings.releaseTimeout(), progress);
                releaseTime = Duration.ofNanos(System.nanoTime() - t0);
            } else if (releaseCommand.isPresent()) {
                progress.detail("same image and config as " + live.get().tag() + ": the release command does not run again");
            }
            String predeploy = release.scripts().predeploy();
            if (!predeploy.isEmpty() && fresh) {
                int code = runOneOff(app, release, "predeploy", predeploy, env, mounts, resources, settings, progress);
                if (code != 0) {
                    throw PierException.failed("the app.json predeploy command exited with code " + code + " (see its"
                            + " output above); " + live.map(r -> r.tag() + " stays live").orElse("nothing was started"));
                }
                releaseTime = Duration.ofNanos(System.nanoTime() - t0);
            } else if (!predeploy.isEmpty()) {
                progress.detail("same image and config as " + live.get().tag() + ": predeploy does not run again");
            }
            t1 = System.nanoTime();

            if (placement.swarm()) {
                progress.step("Starting " + app + " v" + id + " on the cluster (" + Scale.describe(formation)
                        + (webs > 0 ? ", PORT=" + release.port() : "") + ")");
                t2 = System.nanoTime();
                List<Nginx.Upstream> upstreams = swarm.start(app, release, formation, env, mounts, resources, placement,
                        settings.healthTimeout().plusSeconds(60), following -> {
                            if (!following.isEmpty()) {
                                routing.switchTo(app, domains, following);
                            }
                        }, progress);
                t3 = System.nanoTime();
                progress.step("Switching Nginx to v" + id + " (" + upstreams.size() + " web task(s))");
                routing.switchTo(app, domains, upstreams);
            } else {
                progress.step("Starting " + app + " v" + id + " (" + Scale.describe(formation)
                        + (webs > 0 ? ", PORT=" + release.port() : "") + ")");
                Addresses addresses = new Addresses(scheduler);
                for (int i = 1; i <= webs; i++) {
                    ContainerSpec spec = ContainerSpecs.process(app, release, ProcessType.WEB, i, env, addresses.choose(app),
                            freePort(), mounts, resources.confinement(app, ProcessType.WEB.value()));
                    started.add(new Started(scheduler.start(spec), spec.labels().get(Labels.INSTANCE), spec.hostPort(),
                            new Nginx.Upstream(spec.labels().get(Labels.ADDRESS), release.port())));
                }
                // Workers start beside the webs, so the time they must stay up overlaps the webs' checks.
                long workersStarted = System.nanoTime();
                formation.forEach((type, count) -> {
                    if (type.equals(ProcessType.WEB)) {
                        return;
                    }
                    for (int i = 1; i <= count; i++) {
                        workers.add(new Worker(scheduler.start(ContainerSpecs.process(app, release, type, i, env, "", 0,
                                mounts, resources.confinement(app, type.value()))), type + "." + i));
                    }
                });
                List<String> ids = new ArrayList<>(started.stream().map(Started::id).toList());
                workers.forEach(w -> ids.add(w.id()));
                releases.pending(new Releases.Pending(release, ids, started.stream().map(Started::upstream).toList()), config);
                t2 = System.nanoTime();
                if (webs > 0) {
                    progress.step((release.checks().isDefault() ? "Checking that " + app + " v" + id + " answers HTTP"
                            : "Running the checks from " + release.checks().source() + " on " + app + " v" + id));
                    String host = domains.isEmpty() ? "localhost" : domains.get(0).value();
                    check(release, started, host, settings.healthTimeout()).forEach(progress::detail);
                    // Healthy now: from here on the engine restarts them after a crash, a reboot or a dockerd restart.
                    started.forEach(s -> scheduler.keepRunning(s.id()));
                } else {
                    progress.detail("web=0: no web container, so the site answers 503 (pier ps:scale " + app + " web=1 to serve)");
                }
                if (!workers.isEmpty()) {
                    checkWorkers(workers, workersStarted, settings.workersSettle(), progress);
                }
                t3 = System.nanoTime();
                CrashPoint.AFTER_START.reach(home, progress);
                progress.step("Switching Nginx to v" + id);
                routing.switchTo(app, domains, started.stream().map(Started::upstream).toList());
            }
        } catch (RuntimeException e) {
            started.forEach(s -> showCrash(s.id(), s.instance(), progress));
            started.forEach(s -> scheduler.stopAndRemove(s.id(), Duration.ofSeconds(1)));
            workers.forEach(w -> scheduler.stopAndRemove(w.id(), Duration.ofSeconds(1)));
            releases.dropPending(id);
            throw e;
        }
        long t4 = System.nanoTime();
        CrashPoint.BEFORE_RECORD.reach(home, progress);
        releases.record(release, config);
        if (declared) {
            scale.write(home, app);
        }
        new Apps(home).stopped(app, false, draft.key());
        // The older releases' containers are retired in the background; should that be lost (a reboot, a kill), the
        // engine must not bring them back beside the live release, so they lose their restart policy right now.
        List<String> retiring = new PendingRelease(home, scheduler, routing).older(app, id);
        letStop(retiring, progress);
        releases.clearPending();

        Deploy.Timings timings = new Deploy.Timings(build, releaseTime, Duration.ofNanos(t2 - t1), Duration.ofNanos(t3 - t2),
                Duration.ofNanos(t4 - t3));
        progress.step(app + " v" + id + " is live at " + String.join(", ",
                domains.stream().map(d -> "http://" + d).toList()) + " (" + timings + ")");
        String postdeploy = release.scripts().postdeploy();
        if (!postdeploy.isEmpty() && fresh) {
            int code = runOneOff(app, release, "postdeploy", postdeploy, env, mounts, resources, settings, progress);
            if (code != 0) {
                progress.warn("the app.json postdeploy command exited with code " + code + " (see its output above); "
                        + release.tag() + " stays live");
            }
        }
        new OldImages(home, images).remove(app);
        if (placement.swarm()) {
            new RegistryImages(home, swarm::registryClient).removeOld(app, progress);
        }
        return new Deploy.Deployed(release, retiring);
    }

    /** A container the engine cannot update is reported; the release is live either way, and its retire follows. */
    private void letStop(List<String> containers, Progress progress) {
        for (String container : containers) {
            try {
                scheduler.letStop(container);
            } catch (RuntimeException e) {
                progress.warn("could not clear the restart policy of " + container.substring(0, Math.min(12,
                        container.length())) + ": " + e.getMessage());
            }
        }
    }

    /** Runs the checks on every web container at once; returns one line per container, or throws the first failure. */
    private List<String> check(Release release, List<Started> webs, String host, Duration timeout) {
        ExecutorService pool = Executors.newFixedThreadPool(webs.size());
        try {
            List<Future<String>> results = new ArrayList<>();
            for (Started web : webs) {
                results.add(pool.submit(() -> web.instance() + ": " + HealthCheck.run(release.checks(), scheduler, web.id(),
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

    /**
     * Waits until the workers have run for {@code settle}, then looks at each: one that runs from now on is restarted
     * by the engine after a crash or a reboot, one that exited 0 has finished its work, and one that exited otherwise
     * (or was restarted) fails the deploy with its output.
     */
    private void checkWorkers(List<Worker> workers, long startedAt, Duration settle, Progress progress) {
        long left = settle.toNanos() - (System.nanoTime() - startedAt);
        if (left > 0) {
            progress.step("Checking that " + String.join(", ", workers.stream().map(Worker::instance).toList())
                    + " stay" + (workers.size() == 1 ? "s" : "") + " up for " + settle.toMillis() / 1000.0 + "s");
            try {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PierException.failed("interrupted while checking the new workers");
            }
        }
        List<String> up = new ArrayList<>();
        for (Worker worker : workers) {
            ContainerState state = scheduler.state(worker.id());
            if (state.running() && !state.restarting() && state.restartCount() == 0) {
                scheduler.keepRunning(worker.id());
                up.add(worker.instance());
            } else if (!state.running() && !state.restarting() && state.exitCode() == 0) {
                progress.detail(worker.instance() + " exited 0: it has finished, and pier ps shows it as exited");
            } else {
                showCrash(worker.id(), worker.instance(), progress);
                throw PierException.failed(worker.instance() + " exited with code " + state.exitCode()
                        + (state.oomKilled() ? ", killed for using more memory than its limit" : "")
                        + " within " + settle.toMillis() / 1000.0 + "s of starting"
                        + CrashOutput.of(scheduler.tail(worker.id(), CrashOutput.READ)).causeSuffix());
            }
        }
        if (!up.isEmpty()) {
            progress.detail(String.join(", ", up) + (up.size() == 1 ? " is" : " are") + " up");
        }
    }

    /** A container that stopped (or is being restarted) shows what it wrote, so the pusher can see why. */
    private void showCrash(String id, String instance, Progress progress) {
        ContainerState state;
        try {
            state = scheduler.state(id);
        } catch (RuntimeException e) {
            return;
        }
        if (state.running() && !state.restarting() && state.restartCount() == 0) {
            return;
        }
        CrashOutput.of(scheduler.tail(id, CrashOutput.READ)).show(instance, progress::detail);
    }

    /** Runs {@code command} once in a container of the new release ({@code kind}: predeploy, postdeploy); its exit code. */
    private int runOneOff(AppName app, Release release, String kind, String command, Map<String, String> env,
                          List<ContainerSpec.Mount> mounts, Resources resources, Settings settings, Progress progress) {
        progress.step("Running the app.json " + kind + " command of v" + release.id() + ": " + command);
        return scheduler.runLogged(ContainerSpecs.oneOff(app, release, kind, command, env, mounts,
                resources.confinement(app, ProcessType.RELEASE.value())), settings.releaseTimeout(), progress::detail);
    }

    /** The Procfile's release command, once, in a container of the new image; a failure aborts the deploy. */
    private void runReleaseCommand(AppName app, Release release, ContainerSpec spec, Duration deadline, Progress progress) {
        String command = release.procfile().command(ProcessType.RELEASE).orElseThrow();
        progress.step("Running the release command of v" + release.id() + ": " + command);
        int code = scheduler.runLogged(spec, deadline, progress::detail);
        if (code != 0) {
            throw PierException.failed("the release command exited with code " + code + (code == 137
                    ? " (killed: out of memory at its limit, " + new Resources(home).limits(app, "release").describe() + ")"
                    : "") + " (see its output above)");
        }
    }

    /** A container of this release number left by a deploy that died half-way would block the name. */
    private void removeLeftovers(AppName app, int id) {
        scheduler.containers(Map.of(Labels.APP, app.value(), Labels.RELEASE, Integer.toString(id)))
                .forEach(c -> scheduler.remove(c.id()));
    }

    /** A host port for a new web container, from the range pier owns (see {@link HostPorts}). */
    private int freePort() {
        return new HostPorts(home, scheduler).choose();
    }
}
