package pier.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import pier.base.PierException;
import pier.engine.Nginx;
import pier.names.AppName;
import pier.state.AtomicFile;
import pier.state.ConfigSnapshot;
import pier.state.Damaged;
import pier.state.PierHome;
import pier.state.PropertiesText;

/**
 * An app's releases, one readable properties file each ({@code releases/v3.properties}) beside the config it ran
 * with ({@code releases/v3.env}, root and pier only); the newest is live.
 */
public final class Releases {
    private final PierHome home;
    private final AppName app;
    private final Path dir;

    public Releases(PierHome home, AppName app) {
        this.home = home;
        this.app = app;
        this.dir = home.releases(app);
    }

    /** The app's readable releases, oldest first; a damaged release file is reported on stderr and skipped. */
    public List<Release> list() {
        Scan scan = scan();
        scan.damaged().forEach(Damaged::report);
        return scan.releases();
    }

    /** What {@link #list} reads: the readable releases, and the release files it skips as damaged. */
    public record Scan(List<Release> releases, List<Damaged> damaged) {
    }

    /**
     * Every release file, each parsed on its own: an empty or unparsable one (say, left by a power loss) is damaged,
     * not absent, and is skipped, so the app's current release is its newest readable one and the others still work.
     */
    public Scan scan() {
        if (!Files.isDirectory(dir)) {
            return new Scan(List.of(), List.of());
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Release> releases = new ArrayList<>();
            List<Damaged> damaged = new ArrayList<>();
            files.filter(f -> f.getFileName().toString().matches("v\\d+\\.properties")).sorted().forEach(f -> {
                String problem = parse(f, releases);
                if (problem != null) {
                    damaged.add(new Damaged(f, problem, "the app's current release is its newest readable one; restore the"
                            + " file from a backup, or remove it to stop this warning (pier releases " + app + ")"));
                }
            });
            releases.sort(Comparator.comparingInt(Release::id));
            return new Scan(List.copyOf(releases), List.copyOf(damaged));
        } catch (IOException e) {
            throw PierException.failed("cannot read releases in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Adds the release in {@code file} to {@code into}; returns why it cannot, or null. */
    private static String parse(Path file, List<Release> into) {
        String text = AtomicFile.read(file).orElse("");
        Optional<String> empty = Damaged.emptiness(text);
        if (empty.isPresent()) {
            return empty.get();
        }
        Release release;
        try {
            release = Release.from(PropertiesText.parse(text));
        } catch (RuntimeException e) {
            return Damaged.unparsable(e);
        }
        String name = file.getFileName().toString();
        if (!name.equals(release.tag() + ".properties")) {
            return "it holds release " + release.tag() + ", not " + name.substring(0, name.indexOf('.'));
        }
        into.add(release);
        return null;
    }

    public Optional<Release> current() {
        List<Release> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    public Optional<Release> get(int id) {
        return list().stream().filter(r -> r.id() == id).findFirst();
    }

    /**
     * The id the next deploy will take: one more than any id ever taken, recorded or not. An install from before
     * {@code releases/last-id} existed counts its newest release file (a damaged one too), so old state needs no
     * conversion.
     */
    public int nextId() {
        Scan scan = scan();
        // A damaged release file still holds its id: a new release must not overwrite it while its containers run.
        int recorded = java.util.stream.Stream.concat(scan.releases().stream().map(Release::id),
                        scan.damaged().stream().map(d -> idOf(d.file()))).max(Integer::compare).orElse(0);
        int taken = AtomicFile.read(dir.resolve(LAST_ID)).map(String::strip).filter(s -> s.matches("\\d{1,9}"))
                .map(Integer::parseInt).orElse(0);
        return Math.max(recorded, taken) + 1;
    }

    /**
     * Takes the next id for a deploy, written to {@code releases/last-id} before anything is built or started for
     * it: a deploy that fails or is killed keeps its id used, so no later release shares its containers' labels.
     */
    public int reserveId() {
        int id = nextId();
        AtomicFile.write(dir.resolve(LAST_ID), id + "\n", "rw-r--r--");
        return id;
    }

    private static int idOf(Path releaseFile) {
        String name = releaseFile.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf('.')));
    }

    private static final String LAST_ID = "last-id";
    private static final String PENDING = "pending.properties";

    /**
     * A release between its start and its record: the containers it started and where Nginx reaches its web ones.
     * Written ahead of the switch, so a deploy killed half-way leaves a note of what it left behind.
     */
    public record Pending(Release release, List<String> containers, List<Nginx.Upstream> upstreams) {
        public Pending {
            containers = List.copyOf(containers);
            upstreams = List.copyOf(upstreams);
        }
    }

    /** Writes {@code pending} ahead, with its config (so finishing it needs nothing else). */
    public void pending(Pending pending, ConfigSnapshot config) {
        config.write(home, app, pending.release().id());
        Properties p = pending.release().toProperties();
        p.setProperty("pending.containers", String.join(",", pending.containers()));
        p.setProperty("pending.upstreams", String.join(",", pending.upstreams().stream()
                .map(u -> u.host() + ":" + u.port()).toList()));
        AtomicFile.write(dir.resolve(PENDING), PropertiesText.of(p, "release v" + pending.release().id()
                + " started, not recorded yet"), "rw-r--r--");
    }

    /** The release a deploy started and did not record or undo (it was killed); empty normally. */
    public Optional<Pending> pending() {
        Path file = dir.resolve(PENDING);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return AtomicFile.read(file).map(text -> {
            Properties p = PropertiesText.parse(text);
            List<String> containers = split(p.getProperty("pending.containers", ""));
            List<Nginx.Upstream> upstreams = new ArrayList<>();
            split(p.getProperty("pending.upstreams", "")).forEach(u -> upstreams.add(new Nginx.Upstream(
                    u.substring(0, u.lastIndexOf(':')), Integer.parseInt(u.substring(u.lastIndexOf(':') + 1)))));
            // Written by a pier that routed to local ports.
            split(p.getProperty("pending.ports", "")).forEach(port -> upstreams.add(
                    new Nginx.Upstream("127.0.0.1", Integer.parseInt(port))));
            p.remove("pending.containers");
            p.remove("pending.upstreams");
            p.remove("pending.ports");
            return new Pending(Release.from(p), containers, upstreams);
        });
    }

    private static List<String> split(String list) {
        return list.isBlank() ? List.of() : List.of(list.strip().split(","));
    }

    /** The pending release is recorded or undone: its note goes. */
    public void clearPending() {
        try {
            Files.deleteIfExists(dir.resolve(PENDING));
        } catch (IOException e) {
            throw PierException.failed("cannot remove " + dir.resolve(PENDING) + ": " + e.getMessage(), e);
        }
    }

    /** An undone pending release never ran: its config snapshot goes with its note (its id stays used). */
    public void dropPending(int id) {
        try {
            Files.deleteIfExists(dir.resolve("v" + id + ".env"));
        } catch (IOException e) {
            throw PierException.failed("cannot remove the config of v" + id + ": " + e.getMessage(), e);
        }
        clearPending();
    }

    /** The config {@code release} ran with; empty for a release made before pier kept it. */
    public Optional<ConfigSnapshot> config(Release release) {
        return ConfigSnapshot.read(home, app, release.id());
    }

    public void record(Release release) {
        AtomicFile.write(dir.resolve(release.tag() + ".properties"),
                PropertiesText.of(release.toProperties(), "release " + release.tag()), "rw-r--r--");
    }

    /** Records {@code release} with its config; the config first, so a recorded release always has it. */
    public void record(Release release, ConfigSnapshot config) {
        config.write(home, app, release.id());
        record(release);
    }

    /**
     * The images to keep: those of the newest releases, newest first, until {@code keep} different images are
     * counted. Releases that reuse an image (config changes, restarts, scaling) do not push an older one out.
     */
    public static Set<String> imagesToKeep(List<Release> releases, int keep) {
        Set<String> kept = new LinkedHashSet<>();
        releases.stream().sorted(Comparator.comparingInt(Release::id).reversed()).map(Release::image)
                .forEach(image -> {
                    if (kept.size() < keep) {
                        kept.add(image);
                    }
                });
        return kept;
    }
}
