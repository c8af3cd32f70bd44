package pier.build;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.Config;
import pier.base.PierException;
import pier.base.Shown;

/**
 * Where a push's submodules may come from. pier clones them as the pier user, who can read every app's repository
 * and reach the host's own network, so a {@code .gitmodules} is hostile input: only {@code https://} to a named
 * host, and {@code ssh://} (or {@code user@host:path}) to a host an admin allows in {@value #SSH_HOSTS}. A local
 * path, {@code file://}, a relative URL (it resolves against the app's repository on this host), plain
 * {@code http://}, and an address on this host or its private network are refused by name.
 */
public final class Submodules {
    /** Settings key: the hosts submodules may be cloned from over SSH, comma-separated (none by default). */
    public static final String SSH_HOSTS = "submodules.ssh.hosts";

    private Submodules() {
    }

    /** Refuses the first submodule of {@code gitmodules} whose URL is not allowed, naming it and saying why. */
    public static void check(String gitmodules, List<String> sshHosts) {
        Config config = new Config();
        try {
            config.fromText(gitmodules);
        } catch (ConfigInvalidException e) {
            throw PierException.failed(".gitmodules is not a valid git config file: fix it or remove it");
        }
        for (String name : config.getSubsections("submodule")) {
            String url = config.getString("submodule", name, "url");
            String why = url == null ? "it has no url" : refusal(url.strip(), sshHosts);
            if (why != null) {
                throw PierException.failed("submodule " + Shown.quote(name) + " in .gitmodules: " + why
                        + "; pier clones submodules only from https:// URLs"
                        + (sshHosts.isEmpty() ? "" : " and ssh:// to " + String.join(", ", sshHosts))
                        + " (an admin allows SSH hosts with " + SSH_HOSTS + " in settings.properties)");
            }
        }
    }

    /** Why {@code url} is refused, or null when it is allowed. */
    static String refusal(String url, List<String> sshHosts) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://")) {
            return hostRefusal(url, "https");
        }
        if (lower.startsWith("ssh://") || lower.startsWith("git+ssh://")) {
            String why = hostRefusal(url, "ssh");
            if (why != null) {
                return why;
            }
            String host = URI.create(url).getHost();
            return sshHosts.stream().anyMatch(host::equalsIgnoreCase) ? null : "its SSH host " + host + " is not allowed";
        }
        // scp-like user@host:path: a colon before any slash, and not a Windows drive or a local path.
        int colon = url.indexOf(':');
        int slash = url.indexOf('/');
        if (colon > 1 && (slash < 0 || colon < slash) && !url.contains("://")) {
            String host = url.substring(url.indexOf('@') + 1, colon);
            return host.matches("[A-Za-z0-9.-]+") && sshHosts.stream().anyMatch(host::equalsIgnoreCase) && !local(host)
                    ? null : "its SSH host " + Shown.quote(host) + " is not allowed";
        }
        if (lower.startsWith("file:") || url.startsWith("/") || url.startsWith(".") || !url.contains("://")) {
            return "it is a path on this server, which pier never clones from";
        }
        return "its scheme is not https:// or ssh://";
    }

    private static String hostRefusal(String url, String scheme) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "it is not a valid URL";
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return "it names no host";
        }
        if (local(host)) {
            return "its host " + host + " is this server or its private network";
        }
        return null;
    }

    /** localhost, and an address literal on loopback, link-local, private or unspecified ranges. */
    private static boolean local(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        String literal = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        if (!literal.matches("[0-9.]+") && !literal.contains(":")) {
            return false;
        }
        try {
            // A literal only: getByName does no lookup for one.
            InetAddress a = InetAddress.getByName(literal);
            return a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                    || a.getAddress()[0] == 0 || literal.startsWith("fc") || literal.startsWith("fd");
        } catch (java.net.UnknownHostException e) {
            return true;
        }
    }
}
