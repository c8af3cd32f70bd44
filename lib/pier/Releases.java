package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** An app's releases, one readable properties file each ({@code releases/v3.properties}); the newest is live. */
public final class Releases {
    private final Path dir;

    public Releases(PierHome home, AppName app) {
        this.dir = home.releases(app);
    }

    public List<Release> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("v\\d+\\.properties"))
                    .map(f -> Release.from(PropertiesText.parse(AtomicFile.read(f).orElseThrow())))
                    .sorted(Comparator.comparingInt(Release::id)).toList();
        } catch (IOException e) {
            throw PierException.failed("cannot read releases in " + dir + ": " + e.getMessage(), e);
        }
    }

    public Optional<Release> current() {
        List<Release> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    public int nextId() {
        return current().map(r -> r.id() + 1).orElse(1);
    }

    public void record(Release release) {
        AtomicFile.write(dir.resolve(release.tag() + ".properties"),
                PropertiesText.of(release.toProperties(), "release " + release.tag()), "rw-r--r--");
    }
}
