package pier.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CrashOutputTest {
    @Test
    void aCauseThatScrolledOutOfTheLastLinesIsShownFirst() {
        List<String> lines = new ArrayList<>(List.of("listening", "TypeError: express.logger is not a function"));
        for (int i = 0; i < 40; i++) {
            lines.add("    at Module._load (node:internal/modules/cjs/loader:" + i + ")");
        }
        CrashOutput out = CrashOutput.of(lines);
        assertEquals(30, out.last().size());
        List<String> shown = new ArrayList<>();
        out.show("web.1", shown::add);
        assertEquals("web.1 first error: TypeError: express.logger is not a function", shown.get(0));
        assertEquals("web.1 last 30 lines of output:", shown.get(1));
        assertEquals(32, shown.size());
        assertEquals(": TypeError: express.logger is not a function", out.causeSuffix());
    }

    @Test
    void aCauseAmongTheLastLinesIsNotRepeated() {
        List<String> shown = new ArrayList<>();
        CrashOutput.of(List.of("Traceback (most recent call last):", "  File \"app.py\"", "KeyError: 'x'"))
                .show("worker.1", shown::add);
        assertEquals("worker.1 last 3 lines of output:", shown.get(0));
        assertEquals(4, shown.size());
    }

    @Test
    void outputWithoutAnErrorLineHasNoCause() {
        assertEquals(Optional.empty(), CrashOutput.of(List.of("starting", "bye")).cause());
        assertEquals("", CrashOutput.of(List.of()).causeSuffix());
        List<String> shown = new ArrayList<>();
        CrashOutput.of(List.of()).show("web.1", shown::add);
        assertEquals(List.of("web.1 wrote nothing"), shown);
    }

    @Test
    void eachKindOfErrorLineIsRecognised() {
        for (String line : List.of("Error: boom", "java.lang.IllegalStateException: x", "Traceback (most recent call last):",
                "fatal: not a git repository", "FATAL:  role does not exist", "panic: runtime error")) {
            assertTrue(CrashOutput.of(List.of(line)).cause().isPresent(), line);
        }
    }
}
