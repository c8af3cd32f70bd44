package pier.names;

import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/**
 * The one rule for a short name a person picks (an SSH key's, an HTTP auth user's): it reaches authorized_keys,
 * file names and Nginx's password files, where ':' or a space would end it, so it is tight.
 */
final class ShortName {
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    private ShortName() {
    }

    static void check(String value, String what) {
        if (value == null || !RULE.matcher(value).matches()) {
            throw PierException.usage("invalid " + what + " " + Shown.quote(value)
                    + ": use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit (e.g. alice)");
        }
    }
}
