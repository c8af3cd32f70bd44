package pier.names;

import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/**
 * A volume's name: the one rule for every place it reaches (a file under {@code volumes/}, a line of an app's
 * links, a Docker label and Docker volume name, a lock file). The same shape as an {@link AppName}: 1-30
 * lowercase letters, digits and dashes, starting with a letter and not ending with a dash.
 */
public record VolumeName(String value) implements Comparable<VolumeName> {
    private static final Pattern RULE = Pattern.compile("[a-z][a-z0-9-]{0,29}");

    public VolumeName {
        if (value == null || !RULE.matcher(value).matches() || value.endsWith("-")) {
            throw PierException.usage("invalid volume name " + Shown.quote(value)
                    + ": use 1-30 lowercase letters, digits and dashes, starting with a letter (e.g. uploads)");
        }
    }

    public static VolumeName of(String value) {
        return new VolumeName(value);
    }

    @Override
    public int compareTo(VolumeName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
