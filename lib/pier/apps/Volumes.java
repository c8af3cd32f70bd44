package pier.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.ContainerSpec;
import pier.engine.Labels;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.names.ContainerPath;
import pier.names.VolumeName;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.PropertiesText;
import pier.state.Undo;

/**
 * Named volumes and the apps they are linked to. A volume holds data for one or more container paths; each
 * path is one Docker volume ({@code pier-NAME-1}, {@code pier-NAME-2} …) labelled {@code pier.volume=NAME} and
 * {@code pier.volume.path=PATH}, and pier finds them by those labels only. Its metadata is
 * {@code volumes/NAME.properties}; the volumes an app links are the lines of {@code apps/APP/volumes}. A link
 * mounts every path of the volume in each container the app starts from then on, so the data outlives
 * containers, releases, restarts and the Docker engine itself.
 * <p>
 * A volume's record, its links and the mounts they make stay in one class because they change together under
 * the volume's and the app's locks, and the rules between them (a linked volume is not destroyed, a link names a
 * volume that exists, a mount finds or remakes its backing volume) read best side by side. The engine's volumes
 * behind a pier volume are {@link BackingVolumes}'.
 */
public final class Volumes {

    /** One path of a volume and the Docker volume behind it; size in bytes when the engine reports it. */
    public record Mount(ContainerPath path, Optional<String> dockerVolume, OptionalLong size) {
    }

    /** What {@code volume:info} reports. */
    public record Info(VolumeName name, Instant created, List<ContainerPath> paths, List<AppName> apps,
                       List<Mount> mounts) {
        /** The sum of every mount's size, unknown when any of them is. */
        public OptionalLong size() {
            long total = 0;
            for (Mount m : mounts) {
                if (m.size().isEmpty()) {
                    return OptionalLong.empty();
                }
                total += m.size().getAsLong();
            }
            return OptionalLong.of(total);
        }
    }

    private final PierHome home;
    private final Scheduler docker;

    private final BackingVolumes backing;

    public Volumes(PierHome home, Scheduler docker) {
        this.home = home;
        this.docker = docker;
        this.backing = new BackingVolumes(home, docker);
    }

    public boolean exists(VolumeName name) {
        return Files.isRegularFile(file(name));
    }

    public VolumeName require(VolumeName name) {
        if (!exists(name)) {
            throw PierException.failed("volume " + name + " does not exist: create it with pier volume:create "
                    + name + " PATH...");
        }
        return name;
    }

    public List<VolumeName> list() {
        if (!Files.isDirectory(home.volumes())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(home.volumes())) {
            List<VolumeName> names = new ArrayList<>();
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".properties")).sorted().forEach(f -> {
                try {
                    names.add(VolumeName.of(f.substring(0, f.length() - ".properties".length())));
                } catch (PierException notAVolume) {
                    // Only files with a valid name are volumes; anything else there is not pier's.
                }
            });
            return names;
        } catch (IOException e) {
            throw PierException.failed("cannot list " + home.volumes() + ": " + e.getMessage(), e);
        }
    }

    /** The container paths of the volume, in the order they were given at creation. */
    public List<ContainerPath> paths(VolumeName name) {
        return stored(require(name)).paths();
    }

    /**
     * Creates the volume: one labelled Docker volume per path, then its metadata. Refuses a name in use, by pier
     * or by Docker volumes still carrying its label; if Docker fails half-way, what was created is removed.
     */
    public void create(VolumeName name, List<ContainerPath> paths, Progress progress) {
        if (paths.isEmpty()) {
            throw PierException.usage("give at least one container PATH: pier volume:create " + name + " /data");
        }
        if (new LinkedHashSet<>(paths).size() != paths.size()) {
            throw PierException.usage("a container path is given twice: each PATH of a volume is mounted once");
        }
        try (Lock ignored = lock(name)) {
            if (exists(name)) {
                throw PierException.failed("volume " + name + " already exists: see pier volume:info " + name);
            }
            Map<ContainerPath, String> leftovers = backing.byPath(name);
            if (!leftovers.isEmpty()) {
                throw PierException.failed("Docker still holds volumes labelled " + Labels.VOLUME + "=" + name + " ("
                        + String.join(", ", leftovers.values()) + "): remove them with docker volume rm, or choose another name");
            }
            progress.step("Creating volume " + name);
            List<String> created = new ArrayList<>();
            try {
                for (int i = 0; i < paths.size(); i++) {
                    created.add(backing.create(name, i + 1, paths.get(i), true));
                    progress.detail(paths.get(i) + " is Docker volume " + created.get(i));
                }
            } catch (RuntimeException e) {
                created.forEach(docker::removeVolume);
                throw e instanceof PierException p ? p
                        : PierException.failed("cannot create the Docker volumes of " + name + ": " + Shown.firstLine(e.getMessage()), e);
            }
            Properties props = new Properties();
            props.setProperty("created", Instant.now().toString());
            for (int i = 0; i < paths.size(); i++) {
                props.setProperty("path." + (i + 1), paths.get(i).value());
            }
            AtomicFile.write(file(name), PropertiesText.of(props, "volume " + name
                    + " (pier volume:create); path.N is Docker volume " + Labels.VOLUME + "=" + name + " with " + Labels.VOLUME_PATH + "=PATH"),
                    "rw-r--r--");
            progress.detail("link it to an app with: pier volume:link APP " + name);
        }
    }

    public Info info(VolumeName name) {
        Stored stored = stored(require(name));
        Map<ContainerPath, String> dockerVolumes = backing.byPath(name);
        Map<String, Long> sizes = docker.volumeSizes();
        List<Mount> mounts = stored.paths().stream().map(p -> {
            Optional<String> dockerName = Optional.ofNullable(dockerVolumes.get(p));
            Long size = dockerName.map(sizes::get).orElse(null);
            return new Mount(p, dockerName, size == null ? OptionalLong.empty() : OptionalLong.of(size));
        }).toList();
        return new Info(name, stored.created(), stored.paths(), linkedApps(name), mounts);
    }

    /**
     * Removes the volume's Docker volumes and data, then its metadata. Refused while an app links it. Containers
     * of a previous release still being retired after an unlink are waited for; any other container using it
     * makes the destroy fail with its name, and nothing is removed.
     */
    public void destroy(VolumeName name, Progress progress) {
        try (Lock ignored = lock(name)) {
            require(name);
            List<AppName> apps = linkedApps(name);
            if (!apps.isEmpty()) {
                throw PierException.failed("volume " + name + " is linked to " + String.join(", ", apps.stream()
                        .map(AppName::value).toList()) + ": unlink it first with pier volume:unlink APP " + name);
            }
            progress.step("Destroying volume " + name);
            List<String> dockerNames = List.copyOf(backing.byPath(name).values());
            backing.awaitUnmounted(name, dockerNames, progress);
            for (String dockerName : dockerNames) {
                docker.removeVolume(dockerName);
                progress.detail("removed Docker volume " + dockerName + " and its data");
            }
            try {
                Files.deleteIfExists(file(name));
            } catch (IOException e) {
                throw PierException.failed("cannot remove " + file(name) + ": " + e.getMessage(), e);
            }
        }
    }

    /** The volumes {@code app} links, in the order they were linked. */
    public List<VolumeName> links(AppName app) {
        Path file = linksFile(app);
        List<VolumeName> names = new ArrayList<>();
        for (String line : AtomicFile.read(file).orElse("").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                names.add(VolumeName.of(line.strip()));
            } catch (PierException e) {
                throw PierException.failed("cannot read " + file + ": " + e.getMessage());
            }
        }
        return names;
    }

    /** The apps that link the volume, by name. */
    public List<AppName> linkedApps(VolumeName name) {
        return new Apps(home).list().stream().filter(app -> links(app).contains(name)).toList();
    }

    /**
     * Links the volume to the app under the app's lock, then runs {@code restart} (pier's zero-downtime restart,
     * which mounts it); if that fails, the link is taken back. Returns false when it was linked already.
     */
    public boolean link(AppName app, VolumeName name, Runnable restart) {
        try (Lock ignored = Lock.app(home, app)) {
            new Apps(home).require(app);
            List<VolumeName> before = links(app);
            if (before.contains(name)) {
                return false;
            }
            // The volume's lock covers the check and the write, so a volume:destroy sees this link or no volume.
            try (Lock volume = lock(name)) {
                List<ContainerPath> paths = paths(name);
                for (VolumeName other : before) {
                    if (exists(other)) {
                        for (ContainerPath path : paths(other)) {
                            if (paths.contains(path)) {
                                throw PierException.failed("volume " + other + ", linked to " + app + ", already mounts "
                                        + path + ": a path holds one volume; unlink " + other + " first");
                            }
                        }
                    }
                }
                List<VolumeName> after = new ArrayList<>(before);
                after.add(name);
                writeLinks(app, after);
            }
            restartOrUndo(app, before, restart);
            return true;
        }
    }

    /** Unlinks the volume from the app under the app's lock, then restarts it without; false when it was not linked. */
    public boolean unlink(AppName app, VolumeName name, Runnable restart) {
        try (Lock ignored = Lock.app(home, app)) {
            new Apps(home).require(app);
            List<VolumeName> before = links(app);
            if (!before.contains(name)) {
                require(name);
                return false;
            }
            List<VolumeName> after = new ArrayList<>(before);
            after.remove(name);
            writeLinks(app, after);
            restartOrUndo(app, before, restart);
            return true;
        }
    }

    private void restartOrUndo(AppName app, List<VolumeName> before, Runnable restart) {
        Undo.restartOrUndo(restart, () -> writeLinks(app, before), "the volumes of " + app, true);
    }

    /** Replaces the app's links (the caller holds the app's lock); none removes the file. */
    void writeLinks(AppName app, List<VolumeName> names) {
        Path file = linksFile(app);
        if (names.isEmpty()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw PierException.failed("cannot remove " + file + ": " + e.getMessage(), e);
            }
            return;
        }
        StringBuilder text = new StringBuilder();
        names.forEach(n -> text.append(n.value()).append('\n'));
        AtomicFile.write(file, text.toString(), "rw-r--r--");
    }

    /**
     * The mounts an app's containers get: one per path of every volume linked to it. A Docker volume that went
     * missing (e.g. {@code docker volume prune} while nothing used it) is created again, empty and labelled, so
     * the app still starts with every path it was promised.
     */
    public List<ContainerSpec.Mount> mountsFor(AppName app) {
        List<ContainerSpec.Mount> mounts = new ArrayList<>();
        for (VolumeName name : links(app)) {
            if (!exists(name)) {
                throw PierException.failed(app + " links volume " + name + ", which does not exist: pier volume:unlink "
                        + app + " " + name);
            }
            List<ContainerPath> paths = paths(name);
            Map<ContainerPath, String> dockerVolumes = backing.byPath(name);
            for (int i = 0; i < paths.size(); i++) {
                ContainerPath path = paths.get(i);
                String dockerName = dockerVolumes.get(path);
                if (dockerName == null) {
                    dockerName = backing.create(name, i + 1, path, false);
                }
                mounts.add(new ContainerSpec.Mount(dockerName, path.value()));
            }
        }
        return mounts;
    }

    private record Stored(Instant created, List<ContainerPath> paths) {
    }

    private Stored stored(VolumeName name) {
        Properties props = PropertiesText.parse(AtomicFile.read(file(name)).orElse(""));
        Map<Integer, ContainerPath> paths = new TreeMap<>();
        try {
            for (String key : props.stringPropertyNames()) {
                if (key.matches("path\\.[1-9][0-9]{0,3}")) {
                    paths.put(Integer.parseInt(key.substring(5)), ContainerPath.of(props.getProperty(key)));
                }
            }
        } catch (PierException e) {
            throw PierException.failed("cannot read " + file(name) + ": " + e.getMessage());
        }
        if (paths.isEmpty()) {
            throw PierException.failed(file(name) + " names no path.1: it is not a volume pier wrote");
        }
        Instant created;
        try {
            created = Instant.parse(props.getProperty("created", Instant.EPOCH.toString()));
        } catch (RuntimeException e) {
            created = Instant.EPOCH;
        }
        return new Stored(created, List.copyOf(paths.values()));
    }

    private Path file(VolumeName name) {
        return home.volumes().resolve(name.value() + ".properties");
    }

    private Path linksFile(AppName app) {
        return home.app(app).resolve("volumes");
    }

    private Lock lock(VolumeName name) {
        return Lock.global(home, "volume-" + name.value());
    }
}
