package pier.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import pier.base.PierException;
import pier.engine.Container;
import pier.engine.Labels;
import pier.engine.Scheduler;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * The host port a new web container is published on, from the range pier owns ({@value Settings#PORTS_RANGE},
 * outside Linux's ephemeral range, so an outgoing connection made at boot never holds one). A port is free when no
 * pier container holds it, running or stopped (a stopped one takes its port back when it starts again), and it
 * can be bound on 127.0.0.1 right now. The search starts at a random place, so two deploys at once rarely collide.
 */
final class HostPorts {
    private final PierHome home;
    private final Scheduler scheduler;

    HostPorts(PierHome home, Scheduler scheduler) {
        this.home = home;
        this.scheduler = scheduler;
    }

    /** A free port of the range; fails, saying how to widen it, when none is. */
    int choose() {
        Settings.PortRange range = new Settings(home).portRange();
        Set<Integer> held = held();
        int start = ThreadLocalRandom.current().nextInt(range.size());
        for (int i = 0; i < range.size(); i++) {
            int port = range.low() + (start + i) % range.size();
            if (!held.contains(port) && bindable(port)) {
                return port;
            }
        }
        throw PierException.failed("no free local port in " + Settings.PORTS_RANGE + " " + range + " for the new container:"
                + " widen it in " + home.settings());
    }

    /** The ports of every pier container; a stopped one is asked for its binding, since the engine lists none for it. */
    private Set<Integer> held() {
        Set<Integer> held = new HashSet<>();
        for (Container c : scheduler.containers(Map.of())) {
            if (!c.pierMade() || !c.labels().containsKey(Labels.PROCESS)) {
                continue;
            }
            if (c.publicPort().isPresent()) {
                held.add(c.publicPort().get());
            } else if (!c.running() && !c.oneOff()) {
                scheduler.hostPort(c.id()).ifPresent(held::add);
            }
        }
        return held;
    }

    /** True when nothing listens on {@code port} on 127.0.0.1 now: another process may have taken it at boot. */
    static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
