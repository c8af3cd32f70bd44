package pier.names;

import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/** The name an SSH key is stored under; it reaches authorized_keys and a file name, so the rule is tight. */
public record KeyName(String value) implements Comparable<KeyName> {
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    public KeyName {
        if (value == null || !RULE.matcher(value).matches()) {
            throw PierException.usage("invalid key name " + Shown.quote(value)
                    + ": use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit (e.g. alice)");
        }
    }

    public static KeyName of(String value) {
        return new KeyName(value);
    }

    @Override
    public int compareTo(KeyName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
