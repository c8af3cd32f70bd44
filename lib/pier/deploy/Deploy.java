package pier.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import pier.apps.Apps;
import pier.apps.AppJson;
import pier.apps.Checks;
import pier.apps.Placement;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Routing;
import pier.apps.Scale;
import pier.base.PierException;
import pier.base.Progress;
import pier.build.Buildpacks;
import pier.engine.Docker;
import pier.engine.Images;
import pier.engine.Labels;
import pier.engine.Nginx;
import pier.engine.Scheduler;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.Config;
import pier.state.ConfigSnapshot;
import pier.state.Env;
import pier.state.PierHome;
import pier.state.Settings;
import pier.state.Undo;

/**
 * The ways to a live release: a push builds a new image ({@link Build}); a config or volume change, a restart, a
 * scale and a rollback start an existing image again, so they never rebuild. Every way ends in the same
 * health-checked switch ({@link Launch}), and the previous release retires after it ({@link Retire}). A failure
 * at any step removes what this deploy started and leaves the previous release serving.
 */
public final class Deploy {
    private final PierHome home;
    private final Scheduler scheduler;
    private final Images images;
    private final Build build;
    private final Launch launch;
    private final SwarmApps swarm;
    private final Retire retire;
    private final PendingRelease pending;

    /** Deploys on {@code scheduler}, building with {@code images}, routed by {@code routing}. */
    public Deploy(PierHome home, Scheduler scheduler, Images images, Routing routing, Buildpacks buildpacks) {
        this(home, scheduler, images, routing, buildpacks, SwarmApps.none());
    }

    /** Deploys on {@code scheduler}, or on the cluster through {@code swarm} for an app placed there. */
    public Deploy(PierHome home, Scheduler scheduler, Images images, Routing routing, Buildpacks buildpacks, SwarmApps swarm) {
        this.home = home;
        this.scheduler = scheduler;
        this.images = images;
        this.build = new Build(home, images, buildpacks);
        this.swarm = swarm;
        this.launch = new Launch(home, scheduler, images, routing, swarm);
        this.retire = new Retire(home, scheduler, images, routing);
        this.pending = new PendingRelease(home, scheduler, routing);
    }

    /** On the local Docker engine and Nginx, with {@code buildpacks}. */
    public Deploy(PierHome home, Docker docker, Nginx nginx, Buildpacks buildpacks) {
        this(home, docker, docker, new Routing(home, () -> docker, nginx), buildpacks, new SwarmApps(() -> docker));
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
     * running: the caller retires them with {@link #retireInBackground} once the new release is live.
     */
    public Deployed commit(AppName app, Repository repo, ObjectId commit, String key, Progress progress) {
        settle(app, progress);
        Releases releases = new Releases(home, app);
        int id = releases.reserveId();
        Build.Built built = build.of(app, id, repo, commit, progress);
        CrashPoint.AFTER_BUILD.reach(home, progress);
        // Procfile, app.json scripts and cron commands all run the same way: with /bin/sh -c when the image has it.
        boolean commands = !built.procfile().isEmpty() || !built.appJson().scripts().isEmpty()
                || !built.appJson().cron().isEmpty();
        boolean shell = commands && hasShell(app, id, built.image());
        if (commands) {
            progress.detail((built.procfile().isEmpty() ? "app.json commands" : "Procfile: " + String.join(", ",
                    built.procfile().commands().keySet().stream().map(ProcessType::value).toList()))
                    + (shell ? "; commands run with /bin/sh -c"
                    : "; the image has no /bin/sh, so commands are split into words with $VARIABLES replaced"));
        }
        Checks checks = built.checks();
        if (!checks.isDefault()) {
            progress.detail("checks from " + checks.source() + ": " + String.join("; ",
                    checks.list().stream().map(Checks.Check::describe).toList()));
        }
        AppJson appJson = built.appJson();
        if (!appJson.formation().isEmpty()) {
            progress.detail("app.json formation: " + Scale.describe(appJson.formation())
                    + (Scale.exists(home, app) ? " (not used: pier ps:scale set this app's scale)" : ""));
        }
        if (!appJson.scripts().predeploy().isEmpty()) {
            progress.detail("app.json predeploy: " + appJson.scripts().predeploy());
        }
        if (!appJson.scripts().postdeploy().isEmpty()) {
            progress.detail("app.json postdeploy: " + appJson.scripts().postdeploy());
        }
        appJson.cron().forEach(e -> progress.detail("app.json cron " + e.id() + ": " + e.schedule().text() + "  "
                + e.command() + (e.overlap() ? " (runs may overlap)" : "")));
        String sha = commit.name();
        boolean same = releases.current().map(r -> r.commit().equals(sha)).orElse(false);
        // The draft's formation is what the commit declares: Launch uses it only while the app has no scale.
        Release draft = new Release(id, sha, built.image(), built.port(), Instant.now(), key,
                (same ? "Rebuild " : "Deploy ") + commit.abbreviate(7).name(), "", built.procfile(), shell, checks,
                appJson.formation(), appJson.scripts(), appJson.cron());
        return launch.launch(app, draft, ConfigSnapshot.current(home, app), built.took(), progress);
    }

    private boolean hasShell(AppName app, int id, String image) {
        return scheduler.hasFile(image, "/bin/sh", Map.of(Labels.APP, app.value(), Labels.RELEASE, Integer.toString(id),
                Labels.ONEOFF, "probe"));
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
        settle(app, progress);
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
        settle(app, progress);
        Releases releases = new Releases(home, app);
        Release live = releases.current().orElseThrow(() -> PierException.failed(app + " is not deployed yet: push to deploy it"));
        int id = releases.reserveId();
        progress.step("Restarting " + app + " from " + live.tag() + "'s image as v" + id + " (no rebuild)");
        return launch.launch(app, draft(live, id, key, description), ConfigSnapshot.current(home, app), Duration.ZERO,
                progress);
    }

    /**
     * Brings back {@code target}'s image, processes, checks and own config (the server-wide config stays as it is
     * now) as a new release through the same health-checked switch; the caller holds the app's lock. If the switch
     * fails, the app's config is put back and the live release keeps serving.
     */
    public Deployed rollback(AppName app, Release target, String key, Progress progress) {
        settle(app, progress);
        Releases releases = new Releases(home, app);
        if (!images.imageExists(target.image())) {
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
        int id = releases.reserveId();
        progress.step("Rolling " + app + " back to " + target.tag() + " (" + target.commitShort() + ", config "
                + target.configShort() + ") as v" + id);
        then.ifPresent(snapshot -> config.write(scope, snapshot.app()));
        Deployed[] deployed = new Deployed[1];
        Undo.restartOrUndo(() -> deployed[0] = launch.launch(app, draft(target, id, key, "Rollback to " + target.tag()),
                ConfigSnapshot.current(home, app), Duration.ZERO, progress), () -> config.write(scope, before),
                "the config of " + app, false);
        return deployed[0];
    }

    /**
     * Finishes or undoes a release a killed deploy left pending ({@link PendingRelease}); the caller holds the app's
     * lock. Every way to a new release calls it first, so the id, the live release and the containers it starts from
     * are the ones that serve. Returns the release it finished, if it finished one.
     */
    public Optional<Release> settle(AppName app, Progress progress) {
        return pending.settle(app, progress);
    }

    /** A new release {@code id} of {@code from}'s image, processes and checks, to launch. */
    private static Release draft(Release from, int id, String key, String description) {
        return new Release(id, from.commit(), from.image(), from.port(), Instant.now(), key, description, "",
                from.procfile(), from.shell(), from.checks(), new TreeMap<>(), from.scripts(), from.cron());
    }

    /** Hands the retirement of {@code deployed}'s predecessors to a detached pier process. */
    public void retireInBackground(AppName app, Deployed deployed, Progress progress) {
        retire.inBackground(app, deployed, progress);
    }

    /** Waits for requests in flight to drain, stops and removes {@code containers} of {@code app}, then reconciles it. */
    public void retire(AppName app, List<String> containers, Progress progress) {
        retire.now(app, containers, progress);
    }

    /**
     * Removes the app's swarm services and its overlay: it runs on this host again, or is gone. An app that ran there
     * (it had services, or is placed there still) also loses its images in the cluster's registry; one that never did
     * costs the registry nothing. The names of the services removed.
     */
    public List<String> removeSwarmServices(AppName app, Progress progress) {
        List<String> removed = swarm.removeAll(app);
        if (!removed.isEmpty() || placedOnSwarm(app)) {
            new RegistryImages(home, swarm::registryClient).removeAll(app, progress);
        }
        return removed;
    }

    /** A damaged placement does not stop an app's destruction: the registry is asked, which costs one call. */
    private boolean placedOnSwarm(AppName app) {
        try {
            return Placement.read(home, app).swarm();
        } catch (PierException e) {
            return true;
        }
    }

    /** Stops the app's tasks on every node by removing its services, keeping its overlay; the names removed. */
    public List<String> stopSwarmServices(AppName app) {
        return swarm.removeServices(app);
    }
}
