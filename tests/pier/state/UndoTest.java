package pier.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pier.base.PierException;

class UndoTest {
    @Test
    void aFailedRestartPutsTheSettingBackAndSaysSo() {
        List<String> setting = new ArrayList<>(List.of("web=2"));
        PierException e = assertThrows(PierException.class, () -> Undo.restartOrUndo(() -> {
            throw PierException.failed("the app exited with code 1\nbefore answering HTTP");
        }, () -> setting.set(0, "web=1"), "the scale", false));
        assertEquals(List.of("web=1"), setting);
        assertEquals("the app exited with code 1 before answering HTTP; the scale was left as it was", e.getMessage());
    }

    @Test
    void aRestartThatWorksKeepsTheSetting() {
        List<String> setting = new ArrayList<>(List.of("web=2"));
        Undo.restartOrUndo(() -> { }, () -> setting.set(0, "web=1"), "the volumes of blog", true);
        assertEquals(List.of("web=2"), setting);
    }

    @Test
    void pluralSettingsReadAsPlural() {
        PierException e = assertThrows(PierException.class, () -> Undo.restartOrUndo(() -> {
            throw new IllegalStateException("engine gone");
        }, () -> { }, "the volumes of blog", true));
        assertEquals("engine gone; the volumes of blog were left as they were", e.getMessage());
    }
}
