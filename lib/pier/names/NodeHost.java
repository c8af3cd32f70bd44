package pier.names;

import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/**
 * A cluster node as the admin names it: an IPv4 address or a host name. It reaches an SSH connection, a swarm node's
 * label and the cluster's listings, so it holds no user part, port, space or shell syntax.
 */
public record NodeHost(String value) implements Comparable<NodeHost> {
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}"
            + "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
    private static final Pattern NAME = Pattern.compile("(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
            + "(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    public NodeHost {
        // Digits and dots alone are an address or nothing: 256.1.1.1 is no name.
        if (value == null || !(IPV4.matcher(value).matches() || NAME.matcher(value).matches() && !value.matches("[0-9.]+"))) {
            throw PierException.usage("invalid node " + Shown.quote(value) + ": give its IPv4 address or host name as SSH"
                    + " reaches it as root (e.g. 10.0.0.2 or node2.example.com), without user@ or :port");
        }
    }

    public static NodeHost of(String value) {
        return new NodeHost(value);
    }

    /** True when this is an address rather than a name. */
    public boolean isAddress() {
        return IPV4.matcher(value).matches();
    }

    @Override
    public int compareTo(NodeHost other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
