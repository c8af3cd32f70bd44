package pier.names;

import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/**
 * A Procfile process type ({@code web}, {@code worker}, {@code release} …): the one rule for every place a type
 * reaches (a container name and label, a scale file, a command line). Letters, digits, dashes and underscores,
 * starting with a letter, at most 30 characters.
 */
public record ProcessType(String value) implements Comparable<ProcessType> {
    private static final Pattern RULE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,29}");

    /** The type Nginx routes to; without a Procfile entry it runs the image's own command. */
    public static final ProcessType WEB = new ProcessType("web");
    /** The type that runs once per new image or config, before the switch; never scaled. */
    public static final ProcessType RELEASE = new ProcessType("release");

    public ProcessType {
        if (value == null || !RULE.matcher(value).matches()) {
            throw PierException.usage("invalid process type " + Shown.quote(value)
                    + ": use 1-30 letters, digits, dashes and underscores, starting with a letter (e.g. worker)");
        }
    }

    public static ProcessType of(String value) {
        return new ProcessType(value);
    }

    /** Web first, then the others by name: the order pier starts and lists them in. */
    @Override
    public int compareTo(ProcessType other) {
        if (equals(other)) {
            return 0;
        }
        if (equals(WEB)) {
            return -1;
        }
        if (other.equals(WEB)) {
            return 1;
        }
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
