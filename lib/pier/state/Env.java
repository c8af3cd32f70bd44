package pier.state;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import pier.names.EnvKey;

/** A set of config values, sorted by key; immutable, so a merge or a change gives a new one. */
public record Env(SortedMap<EnvKey, String> values) {
    public Env {
        values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
    }

    public static Env empty() {
        return new Env(new TreeMap<>());
    }

    /** {@code this} overlaid by {@code wins}: a key in both takes {@code wins}' value. */
    public Env overlaidBy(Env wins) {
        TreeMap<EnvKey, String> merged = new TreeMap<>(values);
        merged.putAll(wins.values);
        return new Env(merged);
    }

    public Env with(Map<EnvKey, String> changes) {
        TreeMap<EnvKey, String> changed = new TreeMap<>(values);
        changed.putAll(changes);
        return new Env(changed);
    }

    public Env without(List<EnvKey> keys) {
        TreeMap<EnvKey, String> changed = new TreeMap<>(values);
        keys.forEach(changed::remove);
        return new Env(changed);
    }

    public Optional<String> get(EnvKey key) {
        return Optional.ofNullable(values.get(key));
    }

    /** As Docker takes it: {@code KEY=value}, the value byte for byte. */
    public List<String> asList() {
        return values.entrySet().stream().map(e -> e.getKey().value() + "=" + e.getValue()).toList();
    }
}
