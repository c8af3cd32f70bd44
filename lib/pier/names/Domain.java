package pier.names;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;

/**
 * A host name Nginx will answer for. International names are stored in their ASCII (punycode) form;
 * each label is a DNS label, the whole name at most 253 characters, so nothing but a name reaches
 * {@code server_name}. A wildcard is a leading {@code *.} label followed by at least two labels
 * ({@code *.example.com}); a {@code *} anywhere else, or {@code *} alone, is refused.
 */
public record Domain(String value) implements Comparable<Domain> {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final String WILDCARD = "*.";

    public Domain {
        value = ascii(value);
    }

    public static Domain of(String value) {
        return new Domain(value);
    }

    private static String ascii(String raw) {
        String hint = ": use a host name such as example.com, or *.example.com for every name under it"
                + " (letters, digits, dashes and dots; * only as the whole first label)";
        if (raw == null || raw.isEmpty() || raw.length() > 253) {
            throw PierException.usage("invalid domain " + Shown.quote(raw) + hint);
        }
        boolean wildcard = raw.startsWith(WILDCARD);
        String host = wildcard ? raw.substring(WILDCARD.length()) : raw;
        String ascii;
        try {
            ascii = IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw PierException.usage("invalid domain " + Shown.quote(raw) + hint);
        }
        String[] labels = ascii.split("\\.", -1);
        if (ascii.length() + (wildcard ? WILDCARD.length() : 0) > 253 || labels.length < 1) {
            throw PierException.usage("invalid domain " + Shown.quote(raw) + hint);
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw PierException.usage("invalid domain " + Shown.quote(raw) + hint);
            }
        }
        if (wildcard && labels.length < 2) {
            throw PierException.usage("invalid domain " + Shown.quote(raw)
                    + ": a wildcard needs at least two labels after *., such as *.example.com");
        }
        return wildcard ? WILDCARD + ascii : ascii;
    }

    /** True for {@code *.example.com}: Nginx answers every name under it that no exact name claims. */
    public boolean wildcard() {
        return value.startsWith(WILDCARD);
    }

    /** The name an app gets under the server-wide domain: {@code APP.DOMAIN}. */
    public Domain under(AppName app) {
        return new Domain(app.value() + "." + value);
    }

    @Override
    public int compareTo(Domain other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
