package pier.remote;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/** A server pier's CLI talks to over SSH: {@code user@host} or {@code user@host:port}, IPv6 as {@code user@[::1]:2222}. */
public record SshTarget(String user, String host, int port) {
    public static final int DEFAULT_PORT = 22;

    /** Login names as useradd takes them; nothing a shell or ssh option parser would read as syntax. */
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern FORM = Pattern.compile("([^@]*)@(\\[([^\\]]*)]|[^:\\[\\]]*)(?::([0-9]{1,5}))?");

    public SshTarget {
        if (user == null || !USER.matcher(user).matches()) {
            throw PierException.usage("bad SSH user " + Shown.quote(user) + ": lowercase letters, digits, _ . -, e.g. pier");
        }
        if (host == null || !(HOST.matcher(host).matches() || IPV6.matcher(host).matches() && host.contains(":"))) {
            throw PierException.usage("bad host " + Shown.quote(host) + ": a name like example.com, an IPv4 address or an IPv6 one");
        }
        if (port < 1 || port > 65535) {
            throw PierException.usage("bad SSH port " + port + ": 1 to 65535");
        }
    }

    /** {@code user@host[:port]}; anything else is a usage error naming the expected form. */
    public static SshTarget parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw PierException.usage("give the server as user@host or user@host:port, e.g. pier@example.com (got "
                    + Shown.quote(text) + ")");
        }
        String host = m.group(3) != null ? m.group(3) : m.group(2);
        if (m.group(3) != null && !host.contains(":")) {
            throw PierException.usage("brackets are for IPv6 addresses, e.g. pier@[2001:db8::1]:2222 (got " + Shown.quote(text) + ")");
        }
        return new SshTarget(m.group(1), host, m.group(4) == null ? DEFAULT_PORT : Integer.parseInt(m.group(4)));
    }

    /** The way ssh takes the same server, for messages that tell the user what to run. */
    public String sshCommand() {
        return "ssh " + (port == DEFAULT_PORT ? "" : "-p " + port + " ") + user + "@" + host;
    }

    @Override
    public String toString() {
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        return user + "@" + shownHost + (port == DEFAULT_PORT ? "" : ":" + port);
    }
}
