package pier.cli;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every {@code --format json}, written by Jackson in one layout: two-space indents, {@code "key": value}, {@code {}}
 * and {@code []} when empty, UTF-8 left as it is and each control character escaped. A record's fields come in
 * the order they are declared, a map's in its iteration order: the order is part of what scripts see.
 * <p>
 * It writes with Jackson's streaming generator, not its object mapper: the mapper's start-up cost a {@code --format
 * json} command about 180 ms more than the text form, and these values (records, lists, maps, strings, numbers,
 * booleans) need none of what it adds. A record component named otherwise in JSON says so with {@code @JsonProperty}.
 */
public final class JsonOutput {
    private static final JsonFactory FACTORY = new JsonFactoryBuilder().characterEscapes(new ControlEscapes())
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE).build();

    private JsonOutput() {
    }

    /** {@code value} (a record, list, map, string, number, boolean or null) as JSON text, without a final newline. */
    public static String of(@Nullable Object value) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(text)) {
            json.setPrettyPrinter(layout());
            write(json, value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getMessage(), e);
        }
        return text.toString();
    }

    private static DefaultPrettyPrinter layout() {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        Separators separators = Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("").withArrayEmptySeparator("");
        return new DefaultPrettyPrinter(separators).withObjectIndenter(indent).withArrayIndenter(indent);
    }

    private static void write(JsonGenerator json, @Nullable Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof String s) {
            json.writeString(s);
        } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            json.writeNumber(((Number) value).intValue());
        } else if (value instanceof Long l) {
            json.writeNumber(l);
        } else if (value instanceof Double d) {
            json.writeNumber(d);
        } else if (value instanceof Float f) {
            json.writeNumber(f);
        } else if (value instanceof BigDecimal d) {
            json.writeNumber(d);
        } else if (value instanceof BigInteger i) {
            json.writeNumber(i);
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                json.writeFieldName(String.valueOf(e.getKey()));
                write(json, e.getValue());
            }
            json.writeEndObject();
        } else if (value instanceof Collection<?> list) {
            json.writeStartArray();
            for (Object item : list) {
                write(json, item);
            }
            json.writeEndArray();
        } else if (value instanceof Record record) {
            json.writeStartObject();
            for (RecordComponent c : record.getClass().getRecordComponents()) {
                json.writeFieldName(name(record.getClass(), c));
                write(json, component(record, c.getAccessor()));
            }
            json.writeEndObject();
        } else if (value instanceof Enum<?> e) {
            json.writeString(e.name());
        } else {
            json.writeString(value.toString());
        }
    }

    /** The component's name, or the one its {@code @JsonProperty} gives (it lands on the field of the record). */
    private static String name(Class<?> type, RecordComponent c) {
        JsonProperty renamed = c.getAccessor().getAnnotation(JsonProperty.class);
        if (renamed == null) {
            try {
                renamed = type.getDeclaredField(c.getName()).getAnnotation(JsonProperty.class);
            } catch (NoSuchFieldException e) {
                renamed = null;
            }
        }
        return renamed == null || renamed.value().isEmpty() ? c.getName() : renamed.value();
    }

    private static @Nullable Object component(Record record, Method accessor) {
        try {
            // The records are private to each script's command class: their accessors are not public to us.
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException("cannot read " + accessor.getName() + " of " + record.getClass().getSimpleName(), e);
        }
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
