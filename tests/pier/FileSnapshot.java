package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every file and directory under a root with its mode and content: what a test compares to say "nothing changed". */
final class FileSnapshot {
    private FileSnapshot() {
    }

    static Map<String, String> of(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                files.put(root.relativize(p).toString(), mode + (Files.isRegularFile(p) ? " " + Files.readString(p) : "/"));
            }
        }
        return files;
    }
}
