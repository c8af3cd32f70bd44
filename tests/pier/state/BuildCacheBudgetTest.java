package pier.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;

/** builds.cache.budget: a size with a 1024-based unit, 10G when unset, and one error line when it is not a size. */
class BuildCacheBudgetTest {
    @TempDir
    Path tmp;

    @Test
    void sizesReadAsAdminsWriteThem() {
        assertEquals(10L << 30, Settings.bytes("10G"));
        assertEquals(500L << 20, Settings.bytes("500m"));
        assertEquals(64L << 10, Settings.bytes("64KB"));
        assertEquals(1L << 40, Settings.bytes("1T"));
        assertEquals(0, Settings.bytes("0"));
        assertEquals(123, Settings.bytes(" 123 "));
        for (String bad : new String[] {"", "G", "-1G", "1.5G", "10 G", "10X", "9999999999999T"}) {
            assertThrows(IllegalArgumentException.class, () -> Settings.bytes(bad), bad);
        }
    }

    @Test
    void unsetIsTenGigabytes() {
        assertEquals(10L << 30, new Settings(new PierHome(tmp)).buildCacheBudget());
    }

    @Test
    void aBadBudgetIsOneErrorLineNamingTheSetting() {
        Settings settings = new Settings(new PierHome(tmp));
        settings.set(Settings.BUILD_CACHE_BUDGET, "lots");
        PierException e = assertThrows(PierException.class, settings::buildCacheBudget);
        assertEquals(Settings.BUILD_CACHE_BUDGET + " in " + tmp.resolve("settings.properties") + " must be a size such as"
                + " 10G, 500M or 0, not lots", e.getMessage());
        settings.set(Settings.BUILD_CACHE_BUDGET, "2g");
        assertEquals(2L << 30, settings.buildCacheBudget());
    }
}
