package pier.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import pier.base.PierException;
import pier.base.Shown;
import pier.engine.Nginx;
import pier.names.AppName;
import pier.state.AtomicFile;
import pier.state.Damaged;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.PropertiesText;

/**
 * How Nginx proxies each app, with Dokku's {@code nginx:set} names: {@code client-max-body-size},
 * {@code proxy-read-timeout}, {@code proxy-send-timeout} and {@code proxy-buffering}, kept in {@code apps/APP/nginx}
 * (only what differs from the defaults, {@link Nginx.Proxying#DEFAULT}). Every value reaches Nginx's configuration,
 * so each is checked here before it is stored; a change re-renders the app's site through {@code nginx -t} and
 * restarts nothing, and a site Nginx refuses puts the old settings back.
 */
public final class ProxySettings {
    public static final List<String> KEYS = List.of("client-max-body-size", "proxy-read-timeout", "proxy-send-timeout",
            "proxy-buffering");

    private final PierHome home;
    private final Routing routing;

    public ProxySettings(PierHome home, Routing routing) {
        this.home = home;
        this.routing = routing;
    }

    static Path file(PierHome home, AppName app) {
        return home.app(app).resolve("nginx");
    }

    /** The app's settings; a file that cannot be read is an error that names it, never the defaults in silence. */
    public static Nginx.Proxying read(PierHome home, AppName app) {
        Path file = file(home, app);
        Properties p = PropertiesText.parse(Damaged.readNonEmpty(file, "remove it to go back to the defaults").orElse(""));
        Nginx.Proxying s = Nginx.Proxying.DEFAULT;
        for (String key : p.stringPropertyNames()) {
            try {
                s = with(s, key, p.getProperty(key));
            } catch (PierException e) {
                throw PierException.failed("cannot read " + file + ": " + e.getMessage());
            }
        }
        return s;
    }

    /**
     * Sets {@code key} to {@code value} (empty: back to its default) and re-renders the app's site; false when it
     * had that value already.
     */
    public boolean set(AppName app, String key, Optional<String> value) {
        new Apps(home).require(app);
        try (Lock ignored = Lock.app(home, app)) {
            Nginx.Proxying before = read(home, app);
            Nginx.Proxying after = with(before, key, value.orElse(""));
            if (after.equals(before)) {
                return false;
            }
            Path file = file(home, app);
            Optional<String> old = AtomicFile.read(file);
            write(file, app, after);
            try {
                if (Files.exists(home.vhost(app))) {
                    routing.routeTo(app, routing.routed(app));
                }
            } catch (RuntimeException e) {
                if (old.isPresent()) {
                    AtomicFile.write(file, old.get(), "rw-r--r--");
                } else {
                    try {
                        Files.deleteIfExists(file);
                    } catch (java.io.IOException gone) {
                        e.addSuppressed(gone);
                    }
                }
                throw e;
            }
            return true;
        }
    }

    /** {@code settings} with {@code key} set to {@code value} ({@code ""}: its default), checked. */
    static Nginx.Proxying with(Nginx.Proxying s, String key, String value) {
        String v = value.strip();
        Nginx.Proxying d = Nginx.Proxying.DEFAULT;
        boolean reset = v.isEmpty();
        return switch (key) {
            case "client-max-body-size" -> new Nginx.Proxying(reset ? d.clientMaxBodySize() : size(v), s.readTimeout(),
                    s.sendTimeout(), s.buffering());
            case "proxy-read-timeout" -> new Nginx.Proxying(s.clientMaxBodySize(), reset ? d.readTimeout() : seconds(key, v),
                    s.sendTimeout(), s.buffering());
            case "proxy-send-timeout" -> new Nginx.Proxying(s.clientMaxBodySize(), s.readTimeout(),
                    reset ? d.sendTimeout() : seconds(key, v), s.buffering());
            case "proxy-buffering" -> new Nginx.Proxying(s.clientMaxBodySize(), s.readTimeout(), s.sendTimeout(),
                    reset ? d.buffering() : onOff(v));
            default -> throw PierException.usage("unknown setting " + Shown.quote(key) + ": use one of "
                    + String.join(", ", KEYS));
        };
    }

    private static String size(String v) {
        if (!v.matches("(?i)[1-9]\\d{0,5}[km]?|[1-9]\\d{0,2}g")) {
            throw PierException.usage("invalid client-max-body-size " + Shown.quote(v) + ": a size such as 50m, 512k or 1g");
        }
        return v.toLowerCase(java.util.Locale.ROOT);
    }

    private static String seconds(String key, String v) {
        String digits = v.endsWith("s") ? v.substring(0, v.length() - 1) : v;
        if (!digits.matches("[1-9]\\d{0,3}") || Integer.parseInt(digits) > 3600) {
            throw PierException.usage("invalid " + key + " " + Shown.quote(v) + ": seconds from 1 to 3600, e.g. 120s");
        }
        return digits + "s";
    }

    private static boolean onOff(String v) {
        if (!v.equals("on") && !v.equals("off")) {
            throw PierException.usage("invalid proxy-buffering " + Shown.quote(v) + ": on or off");
        }
        return v.equals("on");
    }

    /** Each setting by its nginx:set name. */
    public static Map<String, String> asMap(Nginx.Proxying s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("client-max-body-size", s.clientMaxBodySize());
        m.put("proxy-read-timeout", s.readTimeout());
        m.put("proxy-send-timeout", s.sendTimeout());
        m.put("proxy-buffering", s.buffering() ? "on" : "off");
        return m;
    }

    /** Stores what differs from the defaults. */
    private static void write(Path file, AppName app, Nginx.Proxying s) {
        Properties p = new Properties();
        Map<String, String> defaults = asMap(Nginx.Proxying.DEFAULT);
        asMap(s).forEach((k, v) -> {
            if (!defaults.get(k).equals(v)) {
                p.setProperty(k, v);
            }
        });
        AtomicFile.write(file, PropertiesText.of(p, "how Nginx proxies " + app + " (pier nginx:set);"
                + " a setting not listed has its default"), "rw-r--r--");
    }
}
