package pier.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import pier.base.PierException;

/**
 * A directory with an owner and mode; with {@code recursive}, everything below it gets that owner too.
 * Undoing it removes the directory and all below it.
 */
record DirectoryStep(Path dir, String owner, String mode, boolean recursive) implements UndoableStep {
    public String describe() {
        return "directory " + dir + " (" + owner + ", " + mode + (recursive ? ", owns all below" : "") + ")";
    }

    public boolean satisfied() {
        return Files.isDirectory(dir) && HostSteps.hasMode(dir, mode) && notOwned() == 0;
    }

    public String plan() {
        if (!Files.isDirectory(dir)) {
            return "create it";
        }
        List<String> changes = new ArrayList<>();
        if (!HostSteps.hasMode(dir, mode)) {
            changes.add("mode " + HostSteps.mode(dir) + " -> " + mode);
        }
        long others = notOwned();
        if (others > 0) {
            changes.add("give " + others + " path(s) to " + owner);
        }
        return String.join(", ", changes);
    }

    public void apply() {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
            try (Stream<Path> all = recursive ? Files.walk(dir) : Stream.of(dir)) {
                for (Path p : all.toList()) {
                    HostSteps.chown(p, owner);
                }
            }
        } catch (IOException e) {
            throw PierException.failed("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    public boolean present() {
        return Files.exists(dir);
    }

    public void undo() {
        HostSteps.remove(dir);
    }

    private long notOwned() {
        try (Stream<Path> all = recursive ? Files.walk(dir) : Stream.of(dir)) {
            return all.filter(p -> !HostSteps.ownedBy(p, owner)).count();
        } catch (IOException | UncheckedIOException e) {
            return 1;
        }
    }
}
