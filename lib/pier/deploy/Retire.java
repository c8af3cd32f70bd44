package pier.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Routing;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Container;
import pier.engine.Images;
import pier.engine.Labels;
import pier.engine.Launcher;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * The end of a switch: the previous release's containers keep serving the requests they hold while they drain
 * ({@code deploy.retire.wait}), then stop and go, with the images that fell out of the rollback window. It runs in
 * a detached pier process, so a push or a config change is done as soon as the new release is live.
 */
public final class Retire {
    private final PierHome home;
    private final Scheduler scheduler;
    private final Images images;
    private final Routing routing;

    public Retire(PierHome home, Scheduler scheduler, Images images, Routing routing) {
        this.home = home;
        this.scheduler = scheduler;
        this.images = images;
        this.routing = routing;
    }

    /** Hands the retirement of {@code deployed}'s predecessors to a detached {@code pier ps:retire}. */
    public void inBackground(AppName app, Deploy.Deployed deployed, Progress progress) {
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
     * of the app's live release is never retired, whatever the caller passed. Then the app is reconciled, so what a
     * deploy that died half-way left behind goes too; its lines go to {@code progress}.
     */
    public void now(AppName app, List<String> containers, Progress progress) {
        for (String id : containers) {
            if (!id.matches("[0-9a-f]{12,64}")) {
                throw PierException.usage("invalid container id " + id + ": expected 12 to 64 hex digits");
            }
        }
        sleep(new Settings(home).retireWait());
        CrashPoint.DURING_RETIRE.reach(home, Progress.to(System.out));
        List<String> doomed;
        // The lock covers only the choice: stopping can take the whole grace period, and a push must not wait for it.
        try (Lock ignored = Lock.app(home, app)) {
            int live = new Releases(home, app).current().map(Release::id).orElse(0);
            doomed = scheduler.containers(Map.of(Labels.APP, app.value())).stream()
                    .filter(c -> containers.stream().anyMatch(c.id()::startsWith))
                    .filter(c -> c.release() != live || !c.labels().containsKey(Labels.RELEASE))
                    .map(Container::id).toList();
        }
        List<String> problems = scheduler.stopAll(doomed, Duration.ofSeconds(10), true);
        // The retired containers held the previous images; those beyond the rollback window can go now.
        try (Lock ignored = Lock.app(home, app)) {
            new OldImages(home, images).remove(app);
        }
        // After every deploy: only the live release runs, at its scale, and Nginx routes to exactly it.
        Reconcile.Result reconciled = new Reconcile(home, scheduler, routing).app(app, progress);
        if (!problems.isEmpty()) {
            throw PierException.failed("could not retire " + String.join("; ", problems));
        }
        reconciled.failure().ifPresent(why -> {
            throw PierException.failed("retired, but could not reconcile " + app + ": " + why);
        });
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
