package pier.cli;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.jspecify.annotations.Nullable;

/**
 * Every {@code --format json}, written by Jackson in one layout: two-space indents, {@code "key": value}, {@code {}}
 * and {@code []} when empty, UTF-8 left as it is and each control character escaped. A record's fields come in
 * the order they are declared, a map's in its iteration order: the order is part of what scripts see.
 */
public final class JsonOutput {
    private static final ObjectWriter WRITER = writer();

    private JsonOutput() {
    }

    /** {@code value} (a record, list, map, string, number, boolean or null) as JSON text, without a final newline. */
    public static String of(@Nullable Object value) {
        try {
            return WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    private static ObjectWriter writer() {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        Separators separators = Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("").withArrayEmptySeparator("");
        DefaultPrettyPrinter layout = new DefaultPrettyPrinter(separators).withObjectIndenter(indent).withArrayIndenter(indent);
        JsonFactory factory = new JsonFactoryBuilder().characterEscapes(new ControlEscapes())
                .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE).build();
        return JsonMapper.builder(factory).build().writer(layout);
    }

    /** Backspace and form feed as {@code \u0008} and {@code \u000c}, like every other control character pier prints. */
    private static final class ControlEscapes extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON().clone();

        ControlEscapes() {
            ascii['\b'] = ESCAPE_STANDARD;
            ascii['\f'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public @Nullable SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
