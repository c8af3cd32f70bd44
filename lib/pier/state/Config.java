package pier.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;
import pier.names.EnvKey;

/**
 * Config values: server-wide ones in {@code env} and each app's in {@code apps/APP/env}, readable by pier
 * (and root) only. An app's value wins over a global one. Values are kept byte for byte; {@code PORT}
 * is pier's to set, and a NUL cannot travel in an environment, so both are refused.
 */
public final class Config {
    public static final EnvKey PORT = EnvKey.of("PORT");

    private final PierHome home;

    public Config(PierHome home) {
        this.home = home;
    }

    /** The env of one app ({@code app} present) or the global env. */
    public Env of(Optional<AppName> app) {
        // An empty file is damaged, not "no config": the app would silently restart without its values.
        Properties props = PropertiesText.parse(Damaged.readNonEmpty(file(app), "restore it from a backup, or remove it and"
                + " set the values again with pier config:set" + app.map(a -> " " + a).orElse(" --global")).orElse(""));
        TreeMap<EnvKey, String> values = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> values.put(EnvKey.of(k), props.getProperty(k)));
        return new Env(values);
    }

    /** What the app's containers get (before PORT): global values overlaid by the app's own. */
    public Env envFor(AppName app) {
        return of(Optional.empty()).overlaidBy(of(Optional.of(app)));
    }

    /** Parses {@code KEY=value} arguments, all checked before anything is stored. */
    public static Map<EnvKey, String> pairs(List<String> args, boolean base64) {
        if (args.isEmpty()) {
            throw PierException.usage("give at least one KEY=value");
        }
        Map<EnvKey, String> pairs = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw PierException.usage("expected KEY=value, got " + Shown.quote(arg));
            }
            EnvKey key = EnvKey.of(arg.substring(0, eq));
            String value = arg.substring(eq + 1);
            if (base64) {
                try {
                    value = new String(java.util.Base64.getDecoder().decode(value), java.nio.charset.StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw PierException.usage("the value of " + key + " is not valid base64 (--encoded)");
                }
            }
            pairs.put(checked(key), checkedValue(key, value));
        }
        return pairs;
    }

    /** The most a value read from stdin may hold: far above any real secret, and a bound on what a client can send. */
    static final int MAX_STDIN_VALUE = 64 * 1024;

    /**
     * {@code key}'s value read from {@code in} to its end, one trailing newline dropped (so {@code echo secret | ...}
     * sets {@code secret}): a value given this way never appears in a process list, as one on the command line does.
     */
    public static Map<EnvKey, String> pairFrom(String key, InputStream in) {
        if (key.contains("=")) {
            throw PierException.usage("with --stdin give only the KEY; its value is read from stdin");
        }
        EnvKey checked = checked(EnvKey.of(key));
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_STDIN_VALUE + 1);
        } catch (IOException e) {
            throw PierException.failed("cannot read the value of " + checked + " from stdin: " + e.getMessage(), e);
        }
        if (bytes.length > MAX_STDIN_VALUE) {
            throw PierException.usage("the value of " + checked + " on stdin is longer than " + MAX_STDIN_VALUE / 1024 + " KiB");
        }
        String value;
        try {
            value = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw PierException.usage("the value of " + checked + " on stdin is not UTF-8 text; for other bytes use --encoded");
        }
        if (value.endsWith("\r\n")) {
            value = value.substring(0, value.length() - 2);
        } else if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - 1);
        }
        return Map.of(checked, checkedValue(checked, value));
    }

    public static EnvKey checked(EnvKey key) {
        if (key.equals(PORT)) {
            throw PierException.usage("PORT is set by pier for each container (see the push output); it cannot be configured");
        }
        return key;
    }

    public static String checkedValue(EnvKey key, String value) {
        if (value.indexOf('\0') >= 0) {
            throw PierException.usage("the value of " + key + " contains a NUL byte, which no environment can hold");
        }
        return value;
    }

    /** Stores the changed env; returns it. The caller holds the app's lock (or none, for global). */
    public Env set(Optional<AppName> app, Map<EnvKey, String> changes) {
        Env next = of(app).with(changes);
        write(app, next);
        return next;
    }

    public Env unset(Optional<AppName> app, List<EnvKey> keys) {
        Env next = of(app).without(keys);
        write(app, next);
        return next;
    }

    /** Replaces the whole env (to put back the one before a change whose restart failed). */
    public void write(Optional<AppName> app, Env env) {
        Properties props = new Properties();
        env.values().forEach((k, v) -> props.setProperty(k.value(), v));
        AtomicFile.write(file(app), PropertiesText.of(props, app.map(a -> "config of " + a).orElse("global config")
                + " (pier config:set); readable by root and pier only"), "rw-------");
    }

    private Path file(Optional<AppName> app) {
        return app.map(a -> home.app(a).resolve("env")).orElse(home.root().resolve("env"));
    }
}
