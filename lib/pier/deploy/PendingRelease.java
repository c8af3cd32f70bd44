package pier.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pier.apps.Apps;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Routing;
import pier.base.Progress;
import pier.engine.Container;
import pier.engine.Labels;
import pier.engine.Nginx;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.state.PierHome;

/**
 * What becomes of a release a deploy started and never finished (it was killed): {@link Launch} writes it ahead
 * ({@link Releases#pending}) before the switch and drops the note once the release is recorded. Whoever next takes
 * the app's lock for a change settles it first. If Nginx routes to its web containers (the deploy died between the
 * switch and the record), it is what serves, so it is finished: recorded as the live release, and the containers of
 * older releases stop and go. Otherwise it never served, so its containers go and the live release stays; its id
 * stays used either way.
 */
public final class PendingRelease {
    private final PierHome home;
    private final Scheduler scheduler;
    private final Routing routing;

    public PendingRelease(PierHome home, Scheduler scheduler, Routing routing) {
        this.home = home;
        this.scheduler = scheduler;
        this.routing = routing;
    }

    /**
     * Finishes or undoes the app's pending release, if it has one (one stat when not); the caller holds the app's
     * lock. Returns the release it finished, if it finished one.
     */
    public Optional<Release> settle(AppName app, Progress progress) {
        Releases releases = new Releases(home, app);
        Optional<Releases.Pending> found = releases.pending();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Releases.Pending pending = found.get();
        Release release = pending.release();
        if (releases.get(release.id()).isPresent() || routed(app, pending)) {
            finish(app, releases, pending, progress);
            return Optional.of(release);
        }
        undo(app, releases, pending, progress);
        return Optional.empty();
    }

    /** Nginx points at every web container the pending release started (a release with none never counts). */
    private boolean routed(AppName app, Releases.Pending pending) {
        List<Nginx.Upstream> routed = routing.routed(app);
        return !pending.upstreams().isEmpty() && routed.containsAll(pending.upstreams());
    }

    private void finish(AppName app, Releases releases, Releases.Pending pending, Progress progress) {
        Release release = pending.release();
        if (releases.get(release.id()).isEmpty()) {
            releases.record(release);
            new Apps(home).stopped(app, false, release.key());
        }
        List<String> older = older(app, release.id());
        older.forEach(scheduler::letStop);
        releases.clearPending();
        progress.step("Finished " + app + " " + release.tag() + ", which a deploy that did not end left serving but"
                + " unrecorded");
        if (!older.isEmpty()) {
            List<String> problems = scheduler.stopAll(older, Duration.ofSeconds(10), true);
            progress.detail("removed " + (older.size() - problems.size()) + " container(s) of earlier releases"
                    + (problems.isEmpty() ? "" : "; could not remove " + String.join("; ", problems)));
        }
    }

    private void undo(AppName app, Releases releases, Releases.Pending pending, Progress progress) {
        Release release = pending.release();
        List<String> doomed = new ArrayList<>(pending.containers());
        scheduler.containers(Map.of(Labels.APP, app.value(), Labels.RELEASE, Integer.toString(release.id()))).stream()
                .map(Container::id).filter(id -> !doomed.contains(id)).forEach(doomed::add);
        doomed.forEach(scheduler::remove);
        releases.dropPending(release.id());
        progress.step("Removed " + app + " " + release.tag() + ", which a deploy that did not end left unfinished ("
                + doomed.size() + " container(s)); " + releases.current().map(Release::tag).orElse("nothing")
                + " stays live");
    }

    /** The app's process containers of releases other than {@code id}: what a new live release replaces. */
    List<String> older(AppName app, int id) {
        return scheduler.containers(Map.of(Labels.APP, app.value())).stream()
                .filter(c -> !c.oneOff())
                .filter(c -> c.release() != id)
                .map(Container::id).toList();
    }
}
