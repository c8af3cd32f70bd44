package pier.names;

import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/** A user of an app's HTTP basic auth: it is written into a password file Nginx reads, where ':' ends the name. */
public record AuthUser(String value) implements Comparable<AuthUser> {
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    public AuthUser {
        if (value == null || !RULE.matcher(value).matches()) {
            throw PierException.usage("invalid user name " + Shown.quote(value)
                    + ": use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit (e.g. alice)");
        }
    }

    public static AuthUser of(String value) {
        return new AuthUser(value);
    }

    @Override
    public int compareTo(AuthUser other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
