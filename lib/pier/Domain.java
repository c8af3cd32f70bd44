package pier;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A host name Nginx will answer for. International names are stored in their ASCII (punycode) form;
 * each label is a DNS label, the whole name at most 253 characters, so nothing but a name reaches
 * {@code server_name}.
 */
public record Domain(String value) implements Comparable<Domain> {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public Domain {
        value = ascii(value);
    }

    public static Domain of(String value) {
        return new Domain(value);
    }

    private static String ascii(String raw) {
        String hint = ": use a host name such as example.com (letters, digits, dashes and dots)";
        if (raw == null || raw.isEmpty() || raw.length() > 253) {
            throw PierException.usage("invalid domain " + Shown.quote(raw) + hint);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(raw, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw PierException.usage("invalid domain " + Shown.quote(raw) + hint);
        }
        String[] labels = ascii.split("\\.", -1);
        if (ascii.length() > 253 || labels.length < 1) {
            throw PierException.usage("invalid domain " + Shown.quote(raw) + hint);
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw PierException.usage("invalid domain " + Shown.quote(raw) + hint);
            }
        }
        return ascii;
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
