package pier.state;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.names.AppName;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lock waits end: a waiter gives up after the limit, naming what holds the lock. */
class LockTest {
    @TempDir
    Path tmp;

    @AfterEach
    void restore() {
        System.clearProperty("pier.lock.wait.seconds");
        Lock.doing("");
    }

    @Test
    void aWaiterGivesUpAfterTheLimitAndSaysWhoHoldsTheLock() throws Exception {
        PierHome home = new PierHome(tmp);
        AppName blog = AppName.of("blog");
        System.setProperty("pier.lock.wait.seconds", "1");
        Lock.doing("git push blog by alice");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (Lock ignored = Lock.app(home, blog)) {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        holder.start();
        held.await();
        long t0 = System.nanoTime();
        AtomicReference<PierException> failure = new AtomicReference<>();
        Thread waiter = new Thread(() -> failure.set(assertThrows(PierException.class, () -> Lock.app(home, blog).close())));
        waiter.start();
        waiter.join();
        long waited = (System.nanoTime() - t0) / 1_000_000;
        String message = failure.get().getMessage();
        assertTrue(waited >= 900 && waited < 5000, "waited " + waited + " ms");
        assertTrue(message.startsWith("timed out after 1s waiting for the lock on blog (held by pid "
                + ProcessHandle.current().pid()), message);
        assertTrue(message.contains(": git push blog by alice)"), message);
        release.countDown();
        holder.join();
        // Released: the next one gets it at once, and a nested hold in one thread still works.
        try (Lock outer = Lock.app(home, blog); Lock inner = Lock.app(home, blog)) {
            assertTrue(outer != inner);
        }
    }
}
