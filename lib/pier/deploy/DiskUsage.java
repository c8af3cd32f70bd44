package pier.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import pier.apps.Apps;
import pier.apps.Volumes;
import pier.engine.Docker;
import pier.engine.EngineUsage;
import pier.engine.Labels;
import pier.names.AppName;
import pier.names.VolumeName;
import pier.state.PierHome;

/**
 * What pier holds on disk ({@code pier system:df}): per app its images (Docker's unique size: the bytes no other
 * image shares, so the base image is not counted once per app), its containers (what they wrote) and the volumes
 * it links; the build cache ({@link BuildCache}); pier's state directory; and the total, each volume counted once.
 * Docker's figures are the engine's own ({@code GET /system/df}), so they match {@code docker system df -v}.
 */
public final class DiskUsage {
    /** One app's share. */
    public record AppUse(String app, int images, long imageBytes, int containers, long containerBytes, int volumes,
                         long volumeBytes) {
    }

    /** A count and its bytes. */
    public record Part(int count, long bytes) {
    }

    /** The whole report; {@code total} counts each volume once, though several apps may link it. */
    public record Report(List<AppUse> apps, Part buildCache, Part volumes, long stateBytes, long total) {
    }

    private final PierHome home;
    private final Docker docker;
    private final Volumes volumes;

    public DiskUsage(PierHome home, Docker docker, Volumes volumes) {
        this.home = home;
        this.docker = docker;
        this.volumes = volumes;
    }

    public Report report() {
        EngineUsage engine = docker.usage();
        Map<VolumeName, Long> volumeBytes = new LinkedHashMap<>();
        for (VolumeName v : volumes.list()) {
            volumeBytes.put(v, volumes.info(v).size().orElse(0));
        }
        List<AppUse> apps = new ArrayList<>();
        for (AppName app : new Apps(home).list()) {
            List<EngineUsage.Image> images = engine.images().stream()
                    .filter(i -> app.value().equals(i.labels().get(Labels.APP))).toList();
            List<EngineUsage.Container> containers = engine.containers().stream()
                    .filter(c -> app.value().equals(c.labels().get(Labels.APP))).toList();
            List<VolumeName> linked = volumes.links(app);
            apps.add(new AppUse(app.value(), images.size(), images.stream().mapToLong(EngineUsage.Image::unique).sum(),
                    containers.size(), containers.stream().mapToLong(c -> Math.max(0, c.written())).sum(),
                    linked.size(), linked.stream().mapToLong(v -> volumeBytes.getOrDefault(v, 0L)).sum()));
        }
        List<BuildCache.Sized> cache = new BuildCache(home, docker).sized();
        Part buildCache = new Part(cache.size(), cache.stream().mapToLong(BuildCache.Sized::bytes).sum());
        Part allVolumes = new Part(volumeBytes.size(), volumeBytes.values().stream().mapToLong(Long::longValue).sum());
        long state = size(home.root());
        long total = apps.stream().mapToLong(a -> a.imageBytes() + a.containerBytes()).sum() + buildCache.bytes()
                + allVolumes.bytes() + state;
        return new Report(apps, buildCache, allVolumes, state, total);
    }

    /**
     * The bytes of the regular files under {@code dir} (links not followed); a file gone meanwhile counts 0, an absent
     * directory 0, one that cannot be read -1.
     */
    public static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }
}
