package pier.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.engine.Launcher;
import pier.engine.Templates;

/** The registry's garbage collection: what its dry run says, and that the host runs it daily as root. */
class RegistryGarbageTest {
    @TempDir
    Path tmp;

    @Test
    void theDryRunsLastLineSaysHowManyBlobsWouldGo() {
        String output = "pier/blog\npier/blog: marking manifest sha256:aa \npier/blog: marking blob sha256:bb\n"
                + "\n3 blobs marked, 2 blobs and 0 manifests eligible for deletion\nblob eligible for deletion: sha256:cc\n";
        assertEquals(Optional.of(2L), RegistryGarbage.eligibleBlobs(output));
        assertEquals(Optional.of(0L), RegistryGarbage.eligibleBlobs("\n7 blobs marked, 0 blobs and 0 manifests eligible for deletion\n"));
        assertEquals(Optional.empty(), RegistryGarbage.eligibleBlobs("configuration error: open /etc/docker/registry/config.yml"),
                "unreadable: the collection runs and says what is wrong");
    }

    @Test
    void theHostRunsTheCollectionDailyAsRootWithOrWithoutSystemd() throws Exception {
        Templates templates = new Templates(Files.createDirectories(tmp.resolve("no-overrides")));
        Map<String, String> model = HostSchedule.model();
        List<String> lines = templates.render("cron/pier.ftl", model).lines().filter(l -> l.contains("registry:gc")).toList();
        assertEquals(List.of("47 4 * * * root " + Launcher.PATH + " registry:gc >>" + HostSchedule.GC_LOG + " 2>&1"), lines.stream()
                .filter(l -> !l.startsWith("#")).toList());
        String unit = templates.render("systemd/pier-registry-gc.service.ftl", model);
        assertTrue(unit.contains("\nExecStart=" + Launcher.PATH + " registry:gc\n") && !unit.contains("User="), unit);
        assertTrue(templates.render("systemd/pier-registry-gc.timer.ftl", model).contains("\nOnCalendar=*-*-* 04:47:00\n"));
    }
}
