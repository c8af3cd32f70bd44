package pier.engine;

import java.nio.file.Path;

/**
 * Docker's own registry (Debian's {@code docker-registry}), run by pier on the swarm manager so the nodes pull the
 * images pier builds here. It listens on the cluster's private address only, over TLS with a certificate for that
 * address which every engine of the cluster trusts ({@link #trustedCa}), and takes only pier's user: an app's
 * container on the manager reaches the address too, and must neither read another app's image nor replace one.
 *
 * @param address the manager's private address (the swarm's advertise address)
 */
public record Registry(String address) {
    public static final int PORT = 5000;
    /** The one account, pier's; its password is in {@link #PASSWORD_FILE}. */
    public static final String USER = "pier";
    public static final Path DIR = Path.of("/etc/docker/registry");
    /** The package's own config file: pier owns it, so Debian's service (where systemd starts it) runs pier's settings. */
    public static final Path CONFIG = DIR.resolve("config.yml");
    public static final Path CERTIFICATE = DIR.resolve("pier-registry.crt");
    public static final Path KEY = DIR.resolve("pier-registry.key");
    public static final Path HTPASSWD = DIR.resolve("pier-htpasswd");
    /** Where the package keeps its layers. */
    public static final Path STORAGE = Path.of("/var/lib/docker-registry");
    /** Readable by pier's user, which pushes during a deploy, and by root. */
    public static final Path PASSWORD_FILE = pier.state.PierHome.DEFAULT.resolve("cluster/registry-password");
    /**
     * Held shared by every push to the registry and exclusively by its garbage collection ({@code registry:gc}), which
     * must not run while a push uploads layers it would take for unused. Beside the password, where pier's user writes.
     */
    public static final Path LOCK = PASSWORD_FILE.resolveSibling("registry.lock");
    /** Docker's per-registry trust store: a CA here is trusted for that registry alone. */
    static final Path CERTS_D = Path.of("/etc/docker/certs.d");

    /** {@code ADDRESS:5000}, as image names and {@code certs.d} write it. */
    public String host() {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + PORT;
    }

    /** The file an engine reads to trust this registry's certificate, on the manager and on every node alike. */
    public Path trustedCa() {
        return CERTS_D.resolve(host()).resolve("ca.crt");
    }
}
