package pier.state;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Properties as readable text: sorted keys and no timestamp line, so a rewrite of the same values changes no byte. */
public final class PropertiesText {
    private PropertiesText() {
    }

    public static String of(Properties props, String title) {
        StringBuilder out = new StringBuilder("# ").append(title).append('\n');
        Map<String, String> sorted = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> sorted.put(k, props.getProperty(k)));
        sorted.forEach((k, v) -> out.append(escape(k, true)).append('=').append(escape(v, false)).append('\n'));
        return out.toString();
    }

    /** Parses text written by {@link #of}. */
    public static Properties parse(String text) {
        Properties props = new Properties();
        load(props, text);
        return props;
    }

    static void load(Properties props, String text) {
        try {
            props.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String s, boolean key) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
                default -> {
                    // Non-ASCII stays as it is (the file is UTF-8, so a human reads it); controls are escaped.
                    if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
