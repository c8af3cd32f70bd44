package pier;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.EnvKey;
import pier.state.Config;
import pier.state.Env;

/**
 * What an app should be, as an admin's script says it; {@link Pier#ensure} makes the app so.
 * <pre>{@code
 * AppSpec blog = AppSpec.of("blog")
 *         .config("GREETING", "hello")
 *         .domains(List.of("blog.example.com"))
 *         .buildpack("nodejs");
 * }</pre>
 * Each name is checked as it is given, by the same rule the commands use, so a spec with a bad name never exists.
 * <p>
 * A spec speaks only for what it names. Its config values are set and the app's other values stay: secrets are
 * usually set by hand with {@code config:set} and must survive a spec kept in a repository. Its domains, once
 * given, are the app's own names exactly (its default {@code APP.GLOBAL} stays), so a name dropped from the spec
 * goes; without them, and without a buildpack, the app keeps what it has.
 */
public record AppSpec(AppName name, SortedMap<EnvKey, String> config, Optional<List<Domain>> domains,
                      Optional<String> buildpack) {
    public AppSpec {
        TreeMap<EnvKey, String> checked = new TreeMap<>();
        config.forEach((key, value) -> checked.put(Config.checked(key), Config.checkedValue(key, value)));
        config = Collections.unmodifiableSortedMap(checked);
        domains = domains.map(d -> List.copyOf(new TreeSet<>(d)));
    }

    /** A spec that names only the app: applying it creates the app if it is missing. */
    public static AppSpec of(String name) {
        return new AppSpec(AppName.of(name), new TreeMap<>(), Optional.empty(), Optional.empty());
    }

    /** This spec with {@code key} set to {@code value}. */
    public AppSpec config(String key, String value) {
        TreeMap<EnvKey, String> more = new TreeMap<>(config);
        more.put(EnvKey.of(key), value);
        return new AppSpec(name, more, domains, buildpack);
    }

    /** This spec with exactly {@code names} as the app's own domains; none leaves it its default name only. */
    public AppSpec domains(List<String> names) {
        return new AppSpec(name, config, Optional.of(names.stream().map(Domain::of).toList()), buildpack);
    }

    /**
     * This spec building the app with buildpack {@code buildpack} when its repository has no Dockerfile, or
     * detecting one with {@value Buildpacks#AUTO}. Whether that buildpack exists is checked when it is applied.
     */
    public AppSpec buildpack(String buildpack) {
        return new AppSpec(name, config, domains, Optional.of(buildpack));
    }

    /** Config keys only: values are often secrets, and a spec ends up in logs and error messages. */
    @Override
    public String toString() {
        return "AppSpec[name=" + name + ", config=" + config.keySet() + ", domains=" + domains + ", buildpack="
                + buildpack + "]";
    }

    /** What applying a spec changed, one line each, in the order it happened; empty when the app matched already. */
    public record Applied(AppName app, List<String> changes) {
        public Applied {
            changes = List.copyOf(changes);
        }

        public boolean changed() {
            return !changes.isEmpty();
        }
    }

    /** The values the app's stored config lacks or holds differently. */
    Map<EnvKey, String> configMissingFrom(Env current) {
        TreeMap<EnvKey, String> missing = new TreeMap<>();
        config.forEach((key, value) -> {
            if (!current.get(key).equals(Optional.of(value))) {
                missing.put(key, value);
            }
        });
        return missing;
    }
}
