package pier.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.apps.Routing;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.Launcher;
import pier.engine.Nginx;
import pier.names.AppName;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * Keeps Nginx on the tasks of the apps on the swarm between deploys: when a node fails or is drained, Swarm starts
 * its tasks elsewhere, and this sees the running web tasks differ from what Nginx routes to and re-routes, within
 * {@link #EVERY}. One watcher runs per manager, as pier's user ({@code nodes:watch}); the minute tick starts it again
 * when it is gone (after a boot, a crash), and {@code nodes:add} starts it at once.
 */
public final class SwarmWatch {
    public static final Duration EVERY = Duration.ofSeconds(2);

    private final PierHome home;
    private final Routing routing;
    private final SwarmApps swarm;

    public SwarmWatch(PierHome home, Routing routing, SwarmApps swarm) {
        this.home = home;
        this.routing = routing;
        this.swarm = swarm;
    }

    /** The watcher's process id file: one watcher at a time. */
    public static Path pidFile(PierHome home) {
        return home.root().resolve("cluster/watch.pid");
    }

    /** True when a watcher runs. */
    public boolean running() {
        return AtomicFile.read(pidFile(home)).map(String::strip).flatMap(SwarmWatch::pid)
                .flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Where a watcher started in the background writes. */
    public static Path log(PierHome home) {
        return home.root().resolve("cluster/watch.log");
    }

    /** Starts the watcher in the background when this host manages a swarm and none runs; whether it started one. */
    public boolean ensure() {
        if (running() || !swarm.available()) {
            return false;
        }
        Launcher.detach(log(home), List.of("nodes:watch"));
        return true;
    }

    /**
     * Looks until the process ends: each round re-routes every app on the swarm whose running web tasks are not what
     * Nginx routes to. A round that fails for one app says so and goes on with the next.
     */
    public void run(Progress progress) {
        AtomicFile.write(pidFile(home), ProcessHandle.current().pid() + "\n", "rw-r--r--");
        while (true) {
            once(progress).forEach(progress::line);
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One round; what it changed, a line per app. */
    public List<String> once(Progress progress) {
        List<String> changed = new ArrayList<>();
        if (!swarm.available()) {
            return changed;
        }
        for (AppName app : new Apps(home).list()) {
            try {
                if (!Placement.read(home, app).swarm()) {
                    continue;
                }
                // Under the app's lock: a deploy in progress routes its own tasks, and this looks after it.
                try (Lock ignored = Lock.app(home, app)) {
                    List<Nginx.Upstream> tasks = routing.upstreams(app);
                    if (!tasks.isEmpty() && !new HashSet<>(tasks).equals(new HashSet<>(routing.routed(app)))
                            && routing.routeTo(app, tasks)) {
                        changed.add(app + ": Nginx follows its tasks to " + String.join(", ",
                                tasks.stream().map(u -> u.host() + ":" + u.port()).toList()));
                    }
                }
            } catch (PierException e) {
                progress.warn(app + ": " + Shown.oneLine(e.getMessage()));
            }
        }
        return changed;
    }

    private static Optional<Long> pid(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
