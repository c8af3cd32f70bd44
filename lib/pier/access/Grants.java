package pier.access;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import pier.base.PierException;
import pier.names.AppName;
import pier.state.PropertiesText;

/**
 * What one key may do: everything (an admin key), or a role on each of some apps. Stored beside the key as
 * {@code keys/NAME.grants}, one {@code APP=ROLE} per line, or the one line {@code *=admin}. Nothing else makes an
 * admin: a key without that file, or with a line pier did not write, is granted nothing (fail closed). Keys stored
 * before roles existed had no grants file and were admins; the installer writes {@code *=admin} for each of them
 * explicitly ({@link Keys#migrateImplicitAdmins}).
 */
public record Grants(boolean admin, SortedMap<AppName, Role> apps) {
    public Grants {
        apps = Collections.unmodifiableSortedMap(new TreeMap<>(apps));
        if (admin && !apps.isEmpty()) {
            throw new IllegalArgumentException("an admin key has no per-app grants");
        }
    }

    public static Grants all() {
        return new Grants(true, new TreeMap<>());
    }

    public static Grants none() {
        return new Grants(false, new TreeMap<>());
    }

    /** The role on {@code app}; an admin key has none, because it needs none. */
    public Optional<Role> on(AppName app) {
        return Optional.ofNullable(apps.get(app));
    }

    public Grants with(AppName app, Role role) {
        SortedMap<AppName, Role> changed = new TreeMap<>(apps);
        changed.put(app, role);
        return new Grants(false, changed);
    }

    public Grants without(AppName app) {
        SortedMap<AppName, Role> changed = new TreeMap<>(apps);
        changed.remove(app);
        return new Grants(admin, changed);
    }

    /** "admin", or each app with its role: "developer:blog deploy:api". */
    public String describe() {
        if (admin) {
            return "admin";
        }
        StringBuilder text = new StringBuilder();
        apps.forEach((app, role) -> text.append(text.length() == 0 ? "" : " ").append(role).append(':').append(app));
        return text.length() == 0 ? "no apps" : text.toString();
    }

    /** The one line that makes a key an admin. */
    static final String ADMIN_LINE = "*=admin";

    String text() {
        if (admin) {
            return "# this key is an admin key: it may run every command and push to every app\n" + ADMIN_LINE + "\n";
        }
        Properties props = new Properties();
        apps.forEach((app, role) -> props.setProperty(app.value(), role.name()));
        return PropertiesText.of(props, "APP=ROLE for this key: deploy (push and fetch) or developer (also the app's commands)");
    }

    static Grants parse(String text) {
        SortedMap<AppName, Role> apps = new TreeMap<>();
        Properties lines = PropertiesText.parse(text);
        if (lines.size() == 1 && "admin".equals(lines.getProperty("*"))) {
            return all();
        }
        for (Map.Entry<Object, Object> e : lines.entrySet()) {
            try {
                apps.put(AppName.of((String) e.getKey()), Role.valueOf((String) e.getValue()));
            } catch (IllegalArgumentException | PierException bad) {
                // A line pier did not write grants nothing: the key is never widened by a broken file.
            }
        }
        return new Grants(false, apps);
    }
}
