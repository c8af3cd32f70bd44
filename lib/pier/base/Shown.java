package pier.base;

import org.jspecify.annotations.Nullable;

/** How a user's input is echoed back in an error: quoted, control characters escaped, cut short. */
public final class Shown {
    private Shown() {
    }

    /** A message as one line: an error line must stay one line, whatever a library put in it. */
    public static String oneLine(@Nullable String message) {
        return message == null ? "unknown error" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /** A message's first line: the cause, without the stack or the payload a library appended. */
    public static String firstLine(@Nullable String message) {
        if (message == null) {
            return "unknown error";
        }
        String trimmed = message.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl);
    }

    public static String quote(@Nullable String raw) {
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
