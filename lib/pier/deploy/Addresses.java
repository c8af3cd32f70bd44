package pier.deploy;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import pier.base.PierException;
import pier.engine.Container;
import pier.engine.Labels;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.state.Resources;

/**
 * The fixed address a new web container gets on its app's network ({@link Labels#ADDRESS}), where Nginx routes
 * to it. Chosen from the top of the subnet down, through its upper half: the engine hands out the lower half to
 * builds and one-offs (on networks pier made; older ones fill from the bottom up, so the two meet only past a
 * hundred containers). An address is free when no container of the app holds it, running or stopped, since a
 * stopped one takes its address back when it starts again. The caller holds the app's lock.
 */
final class Addresses {
    private final Scheduler scheduler;

    Addresses(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** A free address for a new web container of {@code app}; fails when the upper half is all taken. */
    String choose(AppName app) {
        String subnet = scheduler.subnet(Resources.network(app), app.value());
        Set<String> held = scheduler.containers(Map.of(Labels.APP, app.value())).stream()
                .map(Container::address).flatMap(java.util.Optional::stream)
                .filter(Objects::nonNull).collect(Collectors.toSet());
        return choose(subnet, held, app);
    }

    /** The highest address of the upper half of {@code subnet} that is not in {@code held}. */
    static String choose(String subnet, Set<String> held, AppName app) {
        String[] parts = subnet.split("/");
        int prefix = Integer.parseInt(parts[1]);
        if (prefix < 16 || prefix > 28) {
            throw PierException.failed("the app network's subnet " + subnet + " is not one pier can place containers in");
        }
        long base = toLong(parts[0]) & (0xFFFFFFFFL << (32 - prefix));
        long size = 1L << (32 - prefix);
        // From the one below the broadcast address down to the middle.
        for (long at = base + size - 2; at >= base + size / 2; at--) {
            String address = toText(at);
            if (!held.contains(address)) {
                return address;
            }
        }
        throw PierException.failed("no free address left in " + subnet + " for a new container of " + app + ", whose"
                + " containers hold " + held.size() + ": pier ps:reconcile " + app + " removes those it does not need");
    }

    private static long toLong(String dotted) {
        long value = 0;
        for (String octet : dotted.split("\\.")) {
            value = value << 8 | Integer.parseInt(octet);
        }
        return value;
    }

    private static String toText(long value) {
        return (value >> 24 & 255) + "." + (value >> 16 & 255) + "." + (value >> 8 & 255) + "." + (value & 255);
    }
}
