package pier;

import java.util.regex.Pattern;

/**
 * An app's name: the one rule for every place an app name reaches (a directory, a Docker label and
 * image tag, an Nginx upstream and server name, a git URL). Lowercase letters, digits and dashes,
 * starting with a letter, at most 30 characters so {@code APP.DOMAIN} stays a valid DNS label.
 */
public record AppName(String value) implements Comparable<AppName> {
    private static final Pattern RULE = Pattern.compile("[a-z][a-z0-9-]{0,29}");

    public AppName {
        if (value == null || !RULE.matcher(value).matches() || value.endsWith("-")) {
            throw PierException.usage("invalid app name " + Shown.quote(value)
                    + ": use 1-30 lowercase letters, digits and dashes, starting with a letter (e.g. blog)");
        }
    }

    public static AppName of(String value) {
        return new AppName(value);
    }

    @Override
    public int compareTo(AppName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
