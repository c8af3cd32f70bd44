package pier.names;

import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/** A config (environment variable) name: the POSIX shell rule, so every app and shell can read it. */
public record EnvKey(String value) implements Comparable<EnvKey> {
    private static final Pattern RULE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

    public EnvKey {
        if (value == null || !RULE.matcher(value).matches()) {
            throw PierException.usage("invalid config key " + Shown.quote(value)
                    + ": use letters, digits and underscores, not starting with a digit (e.g. DATABASE_URL)");
        }
    }

    public static EnvKey of(String value) {
        return new EnvKey(value);
    }

    @Override
    public int compareTo(EnvKey other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
