package pier;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A named lock shared by every pier process on the host (a file lock) and every thread in this one.
 * Each app has one, so deploys and settings changes of an app run one at a time; Nginx has one, so
 * two apps never interleave a swap-test-reload.
 */
public final class Lock implements AutoCloseable {
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final @Nullable FileChannel channel;
    private final @Nullable FileLock fileLock;

    private Lock(ReentrantLock local, @Nullable FileChannel channel, @Nullable FileLock fileLock) {
        this.local = local;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    public static Lock app(PierHome home, AppName app) {
        return hold(home.locks().resolve("app-" + app.value() + ".lock"));
    }

    public static Lock nginx(PierHome home) {
        return hold(home.locks().resolve("nginx.lock"));
    }

    /** A lock for a server-wide setting, e.g. "config". */
    public static Lock global(PierHome home, String name) {
        return hold(home.locks().resolve(name + ".lock"));
    }

    public static Lock keys(PierHome home) {
        return hold(home.locks().resolve("keys.lock"));
    }

    private static Lock hold(Path file) {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(file.toAbsolutePath(), p -> new ReentrantLock());
        local.lock();
        if (local.getHoldCount() > 1) {
            // Nested in this thread: the outer hold has the file lock. A second channel would release it on close.
            return new Lock(local, null, null);
        }
        try {
            Files.createDirectories(file.getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new Lock(local, channel, channel.lock());
        } catch (IOException e) {
            local.unlock();
            throw PierException.failed("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (fileLock != null) {
                fileLock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // The lock dies with the channel; nothing else to undo.
        } finally {
            local.unlock();
        }
    }
}
