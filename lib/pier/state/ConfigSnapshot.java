package pier.state;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;
import pier.names.EnvKey;

/**
 * The config a release runs with, kept beside its release file as {@code releases/vN.env} (readable by root and
 * pier only): the server-wide values and the app's own, as they were when the release was made. Its version is
 * a hash of the environment the containers get, so two releases with the same config show the same version.
 */
public record ConfigSnapshot(Env global, Env app) {

    /** The config an app's new containers would get now. */
    public static ConfigSnapshot current(PierHome home, AppName app) {
        Config config = new Config(home);
        return new ConfigSnapshot(config.of(Optional.empty()), config.of(Optional.of(app)));
    }

    /** What the containers get (before PORT): the global values overlaid by the app's own. */
    public Env merged() {
        return global.overlaidBy(app);
    }

    /** The config version: SHA-256 of the merged environment, in hex. */
    public String version() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String entry : merged().asList()) {
                sha.update(entry.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path file(PierHome home, AppName app, int release) {
        return home.releases(app).resolve("v" + release + ".env");
    }

    public void write(PierHome home, AppName app, int release) {
        Properties props = new Properties();
        global.values().forEach((k, v) -> props.setProperty("global." + k.value(), v));
        this.app.values().forEach((k, v) -> props.setProperty("app." + k.value(), v));
        AtomicFile.write(file(home, app, release), PropertiesText.of(props, "config of " + app + " v" + release
                + " (global.KEY: server-wide, app.KEY: the app's own); readable by root and pier only"), "rw-------");
    }

    /** The snapshot of a release; empty for a release made before pier kept them. */
    public static Optional<ConfigSnapshot> read(PierHome home, AppName app, int release) {
        Path file = file(home, app, release);
        // An empty snapshot is damaged, not "no config": a rollback to it would run the app without its values.
        return Damaged.readNonEmpty(file, "restore it from a backup, or roll back to another release").map(text -> {
            Properties props = PropertiesText.parse(text);
            TreeMap<EnvKey, String> global = new TreeMap<>();
            TreeMap<EnvKey, String> own = new TreeMap<>();
            for (String key : props.stringPropertyNames()) {
                if (key.startsWith("global.")) {
                    global.put(EnvKey.of(key.substring(7)), props.getProperty(key));
                } else if (key.startsWith("app.")) {
                    own.put(EnvKey.of(key.substring(4)), props.getProperty(key));
                } else {
                    throw PierException.failed("cannot read " + file + ": unexpected key " + Shown.quote(key));
                }
            }
            return new ConfigSnapshot(new Env(global), new Env(own));
        });
    }
}
