package pier.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import pier.names.ProcessType;

class ReleaseRecordTest {
    @Test
    void aReleaseWithOnlyAppJsonCommandsKeepsHowTheyRunAndItsScriptsAndCron() {
        CronEntry daily = new CronEntry(CronSchedule.parse("@daily"), "./cleanup --old", true);
        Release release = new Release(4, "c0ffee", "pier/blog:v4", 5000, Instant.parse("2026-12-01T00:00:00Z"), "alice",
                "Deploy c0ffee", "cfg", Procfile.none(), true, Checks.DEFAULT, new TreeMap<>(Map.of(ProcessType.WEB, 1)),
                new AppJson.DeployScripts("./migrate", ""), List.of(daily));

        Release read = Release.from(release.toProperties());

        assertTrue(read.shell(), "cron and scripts run with /bin/sh -c as the push found it");
        assertEquals(release.scripts(), read.scripts());
        assertEquals(1, read.cron().size());
        assertEquals(daily.id(), read.cron().get(0).id());
        assertTrue(read.cron().get(0).overlap());
    }
}
