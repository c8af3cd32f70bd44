package pier.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import pier.base.Progress;
import pier.state.AtomicFile;
import pier.state.PierHome;

/**
 * A test hook for the points where a killed deploy must still converge. A kill -9 at an exact point cannot be timed
 * from outside, so a test writes the point's name into {@code testing/pause-at} under the pier home (a file, so it
 * reaches a deploy that runs behind SSH). The deploy reaching that point says so, writes "POINT PID" into
 * {@code testing/paused-at} and waits until the trigger names another point or is gone; meanwhile the test kills it.
 * Costs one stat per point when there is no trigger, which is always outside the tests.
 */
enum CrashPoint {
    /** The image is built; nothing is started. */
    AFTER_BUILD,
    /** The new web containers run and passed their checks; Nginx still routes to the live release. */
    AFTER_START,
    /** Nginx routes to the new containers; the release is not recorded yet. */
    BEFORE_RECORD,
    /** In the detached retire, after the drain, before the old containers are stopped. */
    DURING_RETIRE;

    /** The name a test writes into the trigger: after-build, after-start, before-record, during-retire. */
    String pointName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Pauses here when the trigger names this point; returns at once otherwise. */
    void reach(PierHome home, Progress progress) {
        Path trigger = home.root().resolve("testing").resolve("pause-at");
        if (!Files.exists(trigger) || !named(trigger)) {
            return;
        }
        progress.warn("pier test hook: paused at " + pointName() + " (" + trigger + ")");
        try {
            Files.writeString(trigger.resolveSibling("paused-at"), pointName() + " " + ProcessHandle.current().pid() + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            progress.warn("cannot write " + trigger.resolveSibling("paused-at") + ": " + e.getMessage());
        }
        while (named(trigger)) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean named(Path trigger) {
        try {
            Optional<String> text = AtomicFile.read(trigger);
            return text.map(String::strip).filter(pointName()::equals).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
