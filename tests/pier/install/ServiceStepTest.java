package pier.install;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A daemon no init system can start (a service name the host does not know), started by the step itself: real
 * processes through setsid, logs in a temporary directory.
 */
class ServiceStepTest {
    @TempDir
    Path tmp;

    ServiceStep step(Path marker, String script) {
        // As on a host without systemd (CI's kind), whatever this one runs: the step then starts daemons itself.
        return new ServiceStep("pier-test-no-such-service", () -> Files.exists(marker), List.of("sh", "-c", script),
                Duration.ofSeconds(20), tmp.resolve("log"), () -> false);
    }

    /** The "daemon" outlives the step by design: the test ends it through the pid it wrote. */
    static void end(Path pid) throws java.io.IOException {
        if (Files.exists(pid)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroy);
        }
    }

    @Test
    void aDaemonNoInitSystemCanStartIsStartedDetachedWithItsLogAndTheInstallerSaysSo() throws Exception {
        Path marker = tmp.resolve("up");
        Path pid = tmp.resolve("pid");
        ServiceStep step = step(marker, "echo listening; echo $$ > " + pid + "; touch " + marker + "; exec sleep 30");
        List<String> lines = new ArrayList<>();

        try {
            step.apply(lines::add);
        } finally {
            end(pid);
        }

        assertTrue(step.satisfied());
        assertTrue(String.join("\n", lines).contains("started pier-test-no-such-service myself"), lines.toString());
        assertTrue(String.join("\n", lines).contains("log " + tmp.resolve("log/pier-test-no-such-service.log")), lines.toString());
        assertTrue(Files.readString(tmp.resolve("log/pier-test-no-such-service.log")).contains("listening"));
    }

    @Test
    void aDaemonThatExitsFailsAtOnceQuotingTheEndOfItsLog() throws Exception {
        Path log = Files.createDirectories(tmp.resolve("log")).resolve("pier-test-no-such-service.log");
        Files.writeString(log, "an earlier start's line\n");
        ServiceStep step = step(tmp.resolve("never"), "echo 'cannot listen on port 80' >&2; exit 3");
        List<String> lines = new ArrayList<>();
        long start = System.nanoTime();

        PierException e = assertThrows(PierException.class, () -> step.apply(lines::add));

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 15, "a daemon that exited is not waited for");
        assertTrue(e.getMessage().contains("exited with 3"), e.getMessage());
        assertTrue(e.getMessage().contains("run the installer again"), e.getMessage());
        assertEquals(3, lines.size(), lines.toString());
        assertEquals(" !     pier-test-no-such-service.log: cannot listen on port 80", lines.get(0), "only this start's lines");
        assertTrue(lines.get(1).contains("trying once more"), lines.toString());
        assertEquals(" !     pier-test-no-such-service.log: cannot listen on port 80", lines.get(2), "only this start's lines");
    }

    @Test
    void aDaemonThatExitsAtItsFirstStartIsStartedOnceMore() throws Exception {
        Path marker = tmp.resolve("up");
        Path tried = tmp.resolve("tried");
        Path pid = tmp.resolve("pid");
        ServiceStep step = step(marker, "if [ ! -e " + tried + " ]; then touch " + tried + "; echo 'stale state' >&2; exit 1; fi; "
                + "echo $$ > " + pid + "; touch " + marker + "; exec sleep 30");
        List<String> lines = new ArrayList<>();
        try {
            step.apply(lines::add);
        } finally {
            end(pid);
        }
        assertTrue(step.satisfied());
        assertTrue(String.join("\n", lines).contains("trying once more"), lines.toString());
        assertTrue(String.join("\n", lines).contains("started pier-test-no-such-service myself"), lines.toString());
    }
}
