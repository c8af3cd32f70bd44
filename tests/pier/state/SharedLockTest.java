package pier.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's lock between processes, as a push and the garbage collection meet it: another JVM holds it, this one
 * asks. Pushes share it; the collection waits for every push and holds them all off.
 */
class SharedLockTest {
    static final Duration SHORT = Duration.ofMillis(400);

    @TempDir
    Path tmp;

    @Test
    void pushesShareTheLockWithoutWaiting() throws Exception {
        Path file = tmp.resolve("registry.lock");
        try (Holder other = Holder.start(file, "shared")) {
            Optional<SharedLock> mine = SharedLock.shared(file, Duration.ZERO);
            assertTrue(mine.isPresent(), "a second push does not wait for the first");
            mine.get().close();
        }
    }

    @Test
    void theCollectionWaitsForAPushAndGivesUpAtItsDeadline() throws Exception {
        Path file = tmp.resolve("registry.lock");
        try (Holder push = Holder.start(file, "shared")) {
            long t0 = System.nanoTime();
            assertEquals(Optional.empty(), SharedLock.exclusive(file, SHORT));
            assertTrue(System.nanoTime() - t0 >= SHORT.toNanos(), "it waited its time");
        }
        try (SharedLock collection = SharedLock.exclusive(file, SHORT).orElseThrow()) {
            assertTrue(collection != null, "the push ended, so the collection holds it");
        }
    }

    @Test
    void aPushWaitsWhileTheCollectionHoldsIt() throws Exception {
        Path file = tmp.resolve("registry.lock");
        try (Holder collection = Holder.start(file, "exclusive")) {
            assertEquals(Optional.empty(), SharedLock.shared(file, SHORT));
        }
        SharedLock.shared(file, SHORT).orElseThrow().close();
    }

    @Test
    void theLockFileWhicheverSideMakesItIsReadableByTheOther() throws Exception {
        Path file = tmp.resolve("registry.lock");
        SharedLock.exclusive(file, Duration.ZERO).orElseThrow().close();
        // Root makes it for the collection; pier's user opens it for reading to share it.
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    /** Another JVM holding the lock until its stdin closes. */
    record Holder(Process process) implements AutoCloseable {
        static Holder start(Path file, String mode) throws Exception {
            Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), Holder.class.getName(), file.toString(), mode))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("held", line, "the other process took the lock");
            return new Holder(p);
        }

        public static void main(String[] args) throws Exception {
            Path file = Path.of(args[0]);
            Optional<SharedLock> lock = args[1].equals("shared") ? SharedLock.shared(file, Duration.ofSeconds(10))
                    : SharedLock.exclusive(file, Duration.ofSeconds(10));
            try (SharedLock held = lock.orElseThrow()) {
                System.out.println("held");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // Held until the test closes stdin.
                }
            }
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the other process let go");
            assertEquals(0, process.exitValue());
        }
    }
}
