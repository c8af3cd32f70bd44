package pier.state;

import java.nio.file.Path;
import pier.names.AppName;

/**
 * Where pier keeps its state: {@code /var/lib/pier}, or {@code PIER_HOME} / {@code -Dpier.home} for tests.
 * Every path pier writes under it comes from here, so the layout is written down once.
 */
public record PierHome(Path root) {
    public static final Path DEFAULT = Path.of("/var/lib/pier");
    /** The user that owns the state and runs every command; SSH keys log in as it ({@code pier@host}). */
    public static final String USER = "pier";
    /** The launcher on root's PATH; authorized_keys forces it as each key's command. */
    public static final Path LAUNCHER = Path.of("/usr/local/bin/pier");

    /**
     * Where answers to ACME HTTP-01 challenges are put, served by Nginx at {@code /.well-known/acme-challenge/} for
     * every name. Outside {@link #DEFAULT} because that is 0700 and Nginx's workers (www-data) must read this one.
     */
    public static final Path ACME_CHALLENGES = Path.of("/var/lib/pier-acme-challenge");

    /** The pages Nginx serves for pier itself (an app's maintenance page), readable by its workers for the same reason. */
    public static final Path PAGES = Path.of("/var/lib/pier-pages");

    /**
     * The apps' HTTP basic auth password files (hashes only). Nginx's workers read them at each request; the
     * installer puts the workers' user in pier's group, so this directory is pier's and its group's, and no one else's.
     */
    public static final Path PASSWORDS = Path.of("/var/lib/pier-auth");

    public static PierHome current() {
        String prop = System.getProperty("pier.home");
        String env = System.getenv("PIER_HOME");
        String chosen = prop != null && !prop.isBlank() ? prop : env;
        return new PierHome(chosen != null && !chosen.isBlank() ? Path.of(chosen) : DEFAULT);
    }

    public Path apps() {
        return root.resolve("apps");
    }

    public Path app(AppName app) {
        return apps().resolve(app.value());
    }

    public Path repo(AppName app) {
        return app(app).resolve("repo.git");
    }

    public Path releases(AppName app) {
        return app(app).resolve("releases");
    }

    /** The names an admin gave the app besides its default one: one ASCII name per line. */
    public Path domains(AppName app) {
        return app(app).resolve("domains");
    }

    /** The buildpack chosen with builder:set, one name on one line; absent means detect it on every push. */
    public Path builder(AppName app) {
        return app(app).resolve("builder");
    }

    /** The app's own certificate: {@code server.crt} (the chain), {@code server.key}, its {@code source} and settings. */
    public Path tls(AppName app) {
        return app(app).resolve("tls");
    }

    /** The certificate of every app under the global domain that has none of its own (a wildcard, say). */
    public Path globalTls() {
        return root.resolve("tls");
    }

    public Path nginx() {
        return root.resolve("nginx");
    }

    public Path vhost(AppName app) {
        return nginx().resolve(app.value() + ".conf");
    }

    /** One {@code NAME.properties} per volume: its paths. Which apps link it is in each app's {@code volumes} file. */
    public Path volumes() {
        return root.resolve("volumes");
    }

    public Path keys() {
        return root.resolve("keys");
    }

    public Path authorizedKeys() {
        return root.resolve(".ssh").resolve("authorized_keys");
    }

    public Path settings() {
        return root.resolve("settings.properties");
    }

    /** The append-only log of changes and refused attempts: one tab-separated line each. */
    public Path events() {
        return root.resolve("events.log");
    }

    /** One directory per service, {@code services/KIND/NAME/}: its password (0600), the apps it is linked to, its backups' settings. */
    public Path services() {
        return root.resolve("services");
    }

    public Path locks() {
        return root.resolve("locks");
    }
}
