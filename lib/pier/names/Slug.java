package pier.names;

import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/**
 * The one rule for names that become a DNS label, a Docker name and a file name (apps, volumes, services): 1-30
 * lowercase letters, digits and dashes, starting with a letter and not ending with a dash.
 */
final class Slug {
    private static final Pattern RULE = Pattern.compile("[a-z][a-z0-9-]{0,29}");

    private Slug() {
    }

    static void check(String value, String what, String example) {
        if (value == null || !RULE.matcher(value).matches() || value.endsWith("-")) {
            throw PierException.usage("invalid " + what + " " + Shown.quote(value)
                    + ": use 1-30 lowercase letters, digits and dashes, starting with a letter (e.g. " + example + ")");
        }
    }
}
