package pier;

import org.jspecify.annotations.Nullable;

/** How a user's input is echoed back in an error: quoted, control characters escaped, cut short. */
final class Shown {
    private Shown() {
    }

    static String quote(@Nullable String raw) {
        if (raw == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder("'");
        raw.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else if (c == '\'' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else {
                out.appendCodePoint(c);
            }
        });
        if (raw.codePointCount(0, raw.length()) > 80) {
            out.append("...");
        }
        return out.append('\'').toString();
    }
}
