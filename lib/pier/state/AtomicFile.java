package pier.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;
import pier.base.PierException;

/**
 * Every state file pier writes goes through here: a temp file beside the target, its mode set before
 * any byte lands, then a rename, so a reader sees the old file or the new one and never half of one.
 * The temp file's content is synced before the rename and the directory after it: without that, a power loss
 * can leave the rename on disk but not the bytes (a zero-length file, see {@link Damaged}), or lose the rename.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** Writes {@code content} with {@code mode} (e.g. "rw-r--r--"); returns false when the file already held exactly that. */
    public static boolean write(Path target, String content, String mode) {
        return write(target, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    public static boolean write(Path target, byte[] content, String mode) {
        try {
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), content)
                    && PosixFilePermissions.toString(Files.getPosixFilePermissions(target)).equals(mode)) {
                return false;
            }
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(mode));
                Files.write(temp, content);
                syncFile(temp);
                move(temp, target);
                syncDirectory(target.toAbsolutePath().getParent());
            } finally {
                Files.deleteIfExists(temp);
            }
            return true;
        } catch (IOException e) {
            throw PierException.failed("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Removes a state file if it is there; a file that cannot be removed is pier's failure, not the caller's. */
    public static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw PierException.failed("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    /** Creates a directory and its parents when missing, with pier's failure message. */
    public static void directory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw PierException.failed("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    public static Optional<String> read(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file)) : Optional.empty();
        } catch (IOException e) {
            throw PierException.failed("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void syncFile(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Makes the rename durable; a filesystem that cannot sync a directory (some refuse to open one) is left as it is. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Nothing more can be done there; the file itself is synced, and the rename is atomic either way.
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
