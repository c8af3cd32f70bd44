package pier.state;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pier.base.PierException;
import pier.names.EnvKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** config:set APP KEY --stdin: the value comes from stdin, never from a command line a process list shows. */
class ConfigStdinTest {
    private static Map<EnvKey, String> read(String key, byte[] stdin) {
        return Config.pairFrom(key, new ByteArrayInputStream(stdin));
    }

    private static Map<EnvKey, String> read(String key, String stdin) {
        return read(key, stdin.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theValueIsStdinWithOneTrailingNewlineDropped() {
        assertEquals(Map.of(EnvKey.of("TOKEN"), "s3cret"), read("TOKEN", "s3cret\n"));
        assertEquals(Map.of(EnvKey.of("TOKEN"), "two\nlines\n"), read("TOKEN", "two\nlines\n\n"));
        assertEquals(Map.of(EnvKey.of("TOKEN"), "crlf"), read("TOKEN", "crlf\r\n"));
        assertEquals(Map.of(EnvKey.of("EMPTY"), ""), read("EMPTY", ""));
        assertEquals(Map.of(EnvKey.of("U"), "é ü"), read("U", "é ü"));
    }

    @Test
    void badKeysBytesAndSizesAreUsageErrors() {
        for (Runnable bad : new Runnable[] {() -> read("TOKEN=x", "v"), () -> read("PORT", "1"), () -> read("1X", "v"),
                () -> read("K", new byte[] {(byte) 0xc3, 0x28}), () -> read("K", "a\0b"),
                () -> read("K", new byte[Config.MAX_STDIN_VALUE + 1])}) {
            assertEquals(PierException.USAGE, assertThrows(PierException.class, bad::run).exitCode());
        }
        assertEquals(Map.of(EnvKey.of("K"), "x".repeat(Config.MAX_STDIN_VALUE)),
                read("K", "x".repeat(Config.MAX_STDIN_VALUE).getBytes(StandardCharsets.UTF_8)));
    }
}
