package pier.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import pier.engine.Images;
import pier.names.AppName;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * The build cache pier keeps: the images a successful build made that its release image does not stand on (the
 * steps of other stages of a multi-stage Dockerfile), which make the next build fast. The engine labels none of them
 * (build labels reach the final image only), so pier lists them in {@code build-cache} (one line each: image id,
 * when it was made, app). After each build, while their own layers add up to more than the budget
 * ({@code builds.cache.budget}), the oldest go; under it nothing is pruned. Steps a release image stands on are
 * no cache of this kind: they go with their release image (OldImages).
 */
public final class BuildCache {
    /** One cached image: its id, when its build ended (epoch ms), the app whose build made it. */
    public record Entry(String image, long madeAt, String app) {
        String line() {
            return image + " " + madeAt + " " + app;
        }

        static List<Entry> parse(String text) {
            List<Entry> entries = new ArrayList<>();
            for (String line : text.split("\n")) {
                String[] words = line.strip().split(" ");
                // A line this version cannot read is dropped: the image stays in Docker, only pier forgets it.
                if (words.length == 3 && words[0].matches("[0-9a-f]{12,64}") && words[1].matches("\\d{1,19}")) {
                    entries.add(new Entry(words[0], Long.parseLong(words[1]), words[2]));
                }
            }
            return entries;
        }
    }

    /** An entry with the bytes of its own layer. */
    public record Sized(Entry entry, long bytes) {
    }

    /** What a prune removed. */
    public record Pruned(int images, long bytes) {
    }

    private final PierHome home;
    private final Images images;

    public BuildCache(PierHome home, Images images) {
        this.home = home;
        this.images = images;
    }

    private Path file() {
        return home.root().resolve("build-cache");
    }

    /** Adds what {@code app}'s build just made aside of its image ({@code cache}, oldest first). */
    void record(AppName app, List<String> cache) {
        if (cache.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        try (Lock lock = Lock.global(home, "build-cache")) {
            List<Entry> entries = new ArrayList<>(read());
            // Newest step first, so a prune takes a stage's last image (and Docker its parents with it) first.
            for (int i = cache.size() - 1; i >= 0; i--) {
                entries.add(new Entry(cache.get(i), now, app.value()));
            }
            write(entries);
        }
    }

    /** The cached images the engine still has, each with its own size, oldest build first. */
    public List<Sized> sized() {
        List<Sized> sized = new ArrayList<>();
        for (Entry e : read()) {
            long bytes = images.ownSize(e.image());
            if (bytes >= 0) {
                sized.add(new Sized(e, bytes));
            }
        }
        return sized;
    }

    /**
     * The rule, once: nothing while the cache is within {@code budget}; over it, the oldest entries until what
     * stays is within it. {@code oldestFirst} is in ledger order.
     */
    public static List<Entry> overBudget(List<Sized> oldestFirst, long budget) {
        long total = oldestFirst.stream().mapToLong(Sized::bytes).sum();
        List<Entry> prune = new ArrayList<>();
        List<Sized> ordered = oldestFirst.stream().sorted(Comparator.comparingLong(s -> s.entry().madeAt())).toList();
        for (Sized s : ordered) {
            if (total <= budget) {
                break;
            }
            prune.add(s.entry());
            total -= s.bytes();
        }
        return prune;
    }

    /**
     * Prunes the oldest cached images while the cache is over {@code budget}; forgets those the engine no longer
     * has. An image another image stands on, a container uses or someone tagged stays (removal is never forced).
     */
    Pruned prune(long budget) {
        try (Lock lock = Lock.global(home, "build-cache")) {
            List<Sized> before = sized();
            long beforeBytes = before.stream().mapToLong(Sized::bytes).sum();
            List<Sized> now = before;
            int removed = 0;
            for (int round = 0; round < 100; round++) {
                List<Entry> prune = overBudget(now, budget);
                boolean progress = false;
                for (Entry e : prune) {
                    if (images.removeUntaggedIfUnused(e.image())) {
                        progress = true;
                    }
                }
                List<Sized> after = sized();
                removed += now.size() - after.size();
                now = after;
                if (!progress) {
                    break;
                }
            }
            write(now.stream().map(Sized::entry).toList());
            return new Pruned(removed, beforeBytes - now.stream().mapToLong(Sized::bytes).sum());
        }
    }

    private List<Entry> read() {
        return AtomicFile.read(file()).map(Entry::parse).orElse(List.of());
    }

    private void write(List<Entry> entries) {
        StringBuilder text = new StringBuilder();
        entries.forEach(e -> text.append(e.line()).append('\n'));
        AtomicFile.write(file(), text.toString(), "rw-r-----");
    }
}
