package pier.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;
import pier.names.AppName;

/**
 * A named lock shared by every pier process on the host (a file lock) and every thread in this one.
 * Each app has one, so deploys and settings changes of an app run one at a time; Nginx has one, so
 * two apps never interleave a swap-test-reload. No wait is endless: after {@link #waitLimit()} the waiter gives up
 * with who holds the lock (each holder writes that into the lock file).
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

    /**
     * What this process is doing, written into each lock it takes so that a command timing out on it can say who
     * holds it; the entry points set it once (e.g. "git push blog by alice"). A process does one thing, so one
     * volatile field is enough.
     */
    private static volatile String doing = "";

    public static void doing(String what) {
        doing = what.replaceAll("\\p{Cntrl}", "?");
    }

    /** How long a lock is waited for: {@code pier.lock.wait.seconds} (a system property, for tests), else ten minutes. */
    static Duration waitLimit() {
        try {
            return Duration.ofSeconds(Long.parseLong(System.getProperty("pier.lock.wait.seconds", "600")));
        } catch (NumberFormatException e) {
            return Duration.ofMinutes(10);
        }
    }

    private static Lock hold(Path file) {
        Duration limit = waitLimit();
        long deadline = System.nanoTime() + limit.toNanos();
        ReentrantLock local = IN_PROCESS.computeIfAbsent(file.toAbsolutePath(), p -> new ReentrantLock());
        try {
            if (!local.tryLock(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw timedOut(file, limit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted while waiting for the lock on " + subject(file));
        }
        if (local.getHoldCount() > 1) {
            // Nested in this thread: the outer hold has the file lock. A second channel would release it on close.
            return new Lock(local, null, null);
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            long pause = 20;
            FileLock lock;
            while ((lock = channel.tryLock()) == null) {
                if (System.nanoTime() > deadline) {
                    throw timedOut(file, limit);
                }
                Thread.sleep(pause);
                pause = Math.min(250, pause * 2);
            }
            describeHolder(channel);
            return new Lock(local, channel, lock);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(channel);
            local.unlock();
            if (e instanceof PierException p) {
                throw p;
            }
            throw PierException.failed("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    /** The lock file says who holds it: read only by someone timing out on it, so a failed write costs nothing. */
    private static void describeHolder(FileChannel channel) {
        String what = doing.isEmpty() ? ProcessHandle.current().info().commandLine().orElse("pier") : doing;
        String line = "pid " + ProcessHandle.current().pid() + ", since " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + ": " + (what.length() > 160 ? what.substring(0, 160) + "..." : what) + "\n";
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            // The lock holds either way.
        }
    }

    private static PierException timedOut(Path file, Duration limit) {
        String holder;
        try {
            holder = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            holder = "";
        }
        return PierException.failed("timed out after " + limit.toSeconds() + "s waiting for the lock on " + subject(file) + " (held by "
                + (holder.isEmpty() ? "another pier process" : holder) + "); try again once that has finished");
    }

    /** "blog" for app-blog.lock, "nginx" for nginx.lock. */
    private static String subject(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.lock$", "");
        return name.startsWith("app-") ? name.substring(4) : name;
    }

    private static void closeQuietly(@Nullable FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing releases whatever it held.
            }
        }
    }

    @Override
    public void close() {
        try {
            if (fileLock != null) {
                // A released lock names no holder, so a lock file's content never changes what an unchanged state is.
                channel.truncate(0);
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
