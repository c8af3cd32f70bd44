package pier.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The layout of every --format json (expected strings written from RFC 8259, not copied from output). */
class JsonOutputTest {
    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void jsonOfScalars() {
        assertEquals("null", JsonOutput.of(null));
        assertEquals("42", JsonOutput.of(42));
        assertEquals("true", JsonOutput.of(true));
        assertEquals("\"blog\"", JsonOutput.of("blog"));
    }

    @Test
    void jsonEscapesQuoteBackslashAndWhitespaceControls() {
        assertEquals("\"a\\\"b\"", JsonOutput.of("a\"b"));
        assertEquals("\"a\\\\b\"", JsonOutput.of("a\\b"));
        assertEquals("\"a\\nb\"", JsonOutput.of("a\nb"));
        assertEquals("\"a\\rb\"", JsonOutput.of("a\rb"));
        assertEquals("\"a\\tb\"", JsonOutput.of("a\tb"));
    }

    @Test
    void jsonEscapesOtherControlCharactersAsUnicode() {
        String json = JsonOutput.of("\0\u0001\u001f");
        assertEquals("\"\\u0000\\u0001\\u001f\"", json.toLowerCase());
    }

    @Test
    void jsonLeavesNonControlCharactersAlone() {
        assertEquals("\"/ü日\"", JsonOutput.of("/ü日"));
    }

    @Test
    void jsonOfEmptyContainers() {
        assertEquals("{}", JsonOutput.of(Map.of()));
        assertEquals("[]", JsonOutput.of(List.of()));
    }

    @Test
    void jsonOfNestedMapsAndLists() {
        Object value = map("app", "blog", "domains", List.of("a.example", "b.example"),
                "release", map("id", 3, "live", true, "key", null), "empty", new ArrayList<>());
        String expected = """
                {
                  "app": "blog",
                  "domains": [
                    "a.example",
                    "b.example"
                  ],
                  "release": {
                    "id": 3,
                    "live": true,
                    "key": null
                  },
                  "empty": []
                }""";
        assertEquals(expected, JsonOutput.of(value));
    }

    @Test
    void jsonEscapesMapKeys() {
        assertEquals("{\n  \"a\\\"b\\n\": 1\n}", JsonOutput.of(map("a\"b\n", 1)));
    }

    @Test
    void jsonListOfMaps() {
        String expected = "[\n  {\n    \"name\": \"x\"\n  },\n  {}\n]";
        assertEquals(expected, JsonOutput.of(List.of(map("name", "x"), Map.of())));
    }

    record Limits(long memory, double cpus, @JsonProperty("size_bytes") @Nullable Long sizeBytes) {
    }

    /** A record is an object with its fields in declared order, renamed where a JSON key is no Java name. */
    @Test
    void recordsKeepTheirFieldOrder() {
        assertEquals("[\n  {\n    \"memory\": 1073741824,\n    \"cpus\": 1.5,\n    \"size_bytes\": null\n  }\n]",
                JsonOutput.of(List.of(new Limits(1L << 30, 1.5, null))));
        assertEquals("{\n  \"memory\": 0,\n  \"cpus\": 0.0,\n  \"size_bytes\": 7\n}", JsonOutput.of(new Limits(0, 0, 7L)));
    }

    /** Control characters other than newline, return and tab are six-character escapes in lowercase hex, as pier always wrote them. */
    @Test
    void backspaceAndFormFeedAreUnicodeEscapes() {
        assertEquals("\"a\\u0008b\\u000cc\u007fd\\u001b\"", JsonOutput.of("a\bb\fc\u007fd\u001b"));
    }
}
