package pier.services;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import pier.apps.Placement;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Container;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.state.PierHome;
import pier.state.Resources;

/**
 * The networks a service's container belongs on, decided here once: the bridge of every app linked to it, and the
 * overlay of each of those apps that runs on the swarm, where its tasks on every node reach it; on each as the
 * service's host name. The service itself stays on this host. Linking, unlinking, an app's removal, a container made
 * again, an app's move between this host and the swarm, and reconcile all go through here.
 */
public final class ServiceNetworks {
    /** One network a service's container belongs on for a linked app. */
    record Network(String name, boolean overlay) {
    }

    private final PierHome home;
    private final Scheduler scheduler;

    public ServiceNetworks(PierHome home, Scheduler scheduler) {
        this.home = home;
        this.scheduler = scheduler;
    }

    /**
     * The networks a service's container belongs on for {@code app}: its bridge, and its overlay while it runs on the
     * swarm. The bridge stays then too: an app on the swarm still runs its one-offs on this host, on its bridge (the
     * release command, predeploy and postdeploy, {@code run}, cron), and they need its databases most.
     */
    List<Network> of(AppName app) {
        Network bridge = new Network(Resources.network(app), false);
        return Placement.read(home, app).swarm() ? List.of(bridge, new Network(Resources.swarmNetwork(app), true))
                : List.of(bridge);
    }

    /**
     * Joins container {@code id} to every network it belongs on for each of {@code apps}, as {@code alias}. Each is
     * tried, and those that failed are told in one error after. Returns the networks it was not on before.
     */
    List<String> join(String id, String alias, List<AppName> apps) {
        List<String> joined = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (AppName app : apps) {
            for (Network network : of(app)) {
                try {
                    boolean now = network.overlay() ? scheduler.connectOverlay(id, network.name(), app.value(), alias)
                            : scheduler.connect(id, network.name(), app.value(), alias);
                    if (now) {
                        joined.add(network.name());
                    }
                } catch (PierException e) {
                    failed.add(e.getMessage());
                }
            }
        }
        if (!failed.isEmpty()) {
            throw PierException.failed(String.join("; ", failed));
        }
        return joined;
    }

    /**
     * Takes container {@code id} off {@code app}'s networks, its overlay too whatever the app's placement now (it may
     * have moved meanwhile): one the container is not on, or one that is gone, is fine.
     */
    void leave(String id, AppName app) {
        scheduler.disconnect(id, Resources.network(app));
        scheduler.disconnect(id, Resources.swarmNetwork(app));
    }

    /**
     * Puts the container of each service linked to {@code app} on exactly the networks it belongs on for the app now:
     * it joins those it misses, and leaves the app's overlay once the app runs on this host. One that stopped is
     * started first: a container on an attachable overlay can fail its restart when dockerd restarts
     * (moby/moby#32607). A service whose container is gone is left to {@code KIND:restart}, which makes it again on
     * these networks. Returns one line per change. No service's lock is taken: the caller holds the app's, which a
     * link takes after the service's, and every step here may be repeated.
     */
    public List<String> follow(AppName app) {
        boolean swarm = Placement.read(home, app).swarm();
        List<String> changes = new ArrayList<>();
        for (ServiceState state : ServiceState.all(home)) {
            if (!state.links().contains(app)) {
                continue;
            }
            Optional<Container> found = Services.newest(scheduler, state.labels());
            if (found.isEmpty()) {
                continue;
            }
            Container container = found.get();
            if (!swarm) {
                scheduler.disconnect(container.id(), Resources.swarmNetwork(app));
            }
            if (!container.alive()) {
                scheduler.resume(container.id());
                changes.add("started " + state + " again (it was " + container.state() + ")");
            } else if (!container.running()) {
                // Restarting after a crash: the engine has it; the next reconcile joins what it misses.
                continue;
            }
            join(container.id(), state.host(), List.of(app)).forEach(network -> changes.add(state + " joined "
                    + network + " as " + state.host()));
        }
        return changes;
    }

    /**
     * The change {@code scheduler:set} makes before it restarts {@code app}: {@code after} written as its placement and,
     * on the swarm, the services linked to it on its overlay at once, so its first task there reaches them. A move back
     * here leaves them on it: the tasks serve until the app runs here, and {@link #follow} takes them off after. Returns
     * the undo of a failed move: {@code before} written back, and the services off the overlay again unless it was the
     * swarm too. The placement is written before the links are read, and a link reads the placement after writing
     * itself, so a link made meanwhile is either seen here or joins the overlay itself.
     */
    public Runnable place(AppName app, Placement before, Placement after, Progress progress) {
        after.write(home, app);
        Runnable undo = () -> {
            before.write(home, app);
            try {
                follow(app);
            } catch (PierException e) {
                // The failed move is the error to tell; a service left on an unused overlay is taken off by ps:reconcile.
                progress.warn("the services linked to " + app + " may still be on its overlay: " + e.getMessage()
                        + " (pier ps:reconcile " + app + " takes them off)");
            }
        };
        if (after.swarm()) {
            try {
                follow(app).forEach(progress::detail);
            } catch (RuntimeException e) {
                undo.run();
                throw e;
            }
        }
        return undo;
    }
}
