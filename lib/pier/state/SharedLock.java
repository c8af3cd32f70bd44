package pier.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import pier.base.PierException;

/**
 * A file lock that any number of processes hold at once ({@link #shared}) or one alone ({@link #exclusive}): the
 * cluster registry's pushes share it, its garbage collection excludes them. Taking it waits until {@code wait} has
 * passed and then gives up (empty), so the caller says in its own words what it waited for. Within one process the
 * holders take turns, as the JVM refuses two locks on one file; a thread may not take it twice.
 */
public final class SharedLock implements AutoCloseable {
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;

    private SharedLock(ReentrantLock local, FileChannel channel) {
        this.local = local;
        this.channel = channel;
    }

    /** {@code file} locked alongside its other shared holders, once no exclusive one holds it; empty after {@code wait}. */
    public static Optional<SharedLock> shared(Path file, Duration wait) {
        return take(file, true, wait);
    }

    /** {@code file} locked by this process alone, once every other holder let go; empty after {@code wait}. */
    public static Optional<SharedLock> exclusive(Path file, Duration wait) {
        return take(file, false, wait);
    }

    private static Optional<SharedLock> take(Path file, boolean shared, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        ReentrantLock local = IN_PROCESS.computeIfAbsent(file.toAbsolutePath(), p -> new ReentrantLock());
        if (local.isHeldByCurrentThread()) {
            throw new IllegalStateException(file + " is locked by this thread already");
        }
        FileChannel channel = null;
        try {
            if (!local.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
            create(file);
            // A shared lock needs a channel open for reading, an exclusive one for writing.
            channel = shared ? FileChannel.open(file, StandardOpenOption.READ)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long pause = 20;
            FileLock lock;
            while ((lock = channel.tryLock(0, Long.MAX_VALUE, shared)) == null) {
                if (System.nanoTime() > deadline) {
                    channel.close();
                    local.unlock();
                    return Optional.empty();
                }
                Thread.sleep(pause);
                pause = Math.min(250, pause * 2);
            }
            return Optional.of(new SharedLock(local, channel));
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // Closing releases whatever it held.
            }
            if (local.isHeldByCurrentThread()) {
                local.unlock();
            }
            throw PierException.failed("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Made once, by whichever side comes first: root (the collection) or pier's user (a push). Readable by all, so a
     * push as pier's user can share a file root made; root opens anything.
     */
    private static void create(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        try {
            Files.createFile(file);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (FileAlreadyExistsException e) {
            // The other side made it meanwhile.
        }
    }

    @Override
    public void close() {
        try {
            // Closing the channel releases its lock.
            channel.close();
        } catch (IOException e) {
            // The lock dies with the channel; nothing else to undo.
        } finally {
            local.unlock();
        }
    }
}
