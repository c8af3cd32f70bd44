package pier.apps;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Container;
import pier.engine.Labels;
import pier.engine.Scheduler;
import pier.names.ContainerPath;
import pier.names.VolumeName;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * The engine's volumes that hold a pier volume's data, one per container path, named {@code pier-NAME-N} and found
 * by their labels ({@code pier.volume}, {@code pier.volume.path}) only.
 */
final class BackingVolumes {
    private final PierHome home;
    private final Scheduler docker;

    BackingVolumes(PierHome home, Scheduler docker) {
        this.home = home;
        this.docker = docker;
    }

    /** The Docker volumes labelled as this volume's, by the container path they hold. */
    Map<ContainerPath, String> byPath(VolumeName name) {
        Map<ContainerPath, String> byPath = new TreeMap<>();
        docker.volumes(Labels.VOLUME + "=" + name.value()).forEach(v -> {
            String path = v.labels().get(Labels.VOLUME_PATH);
            try {
                byPath.putIfAbsent(ContainerPath.of(path), v.name());
            } catch (PierException notOurs) {
                // A volume carrying the label without a valid path label was not made by pier; it is not mounted.
            }
        });
        return byPath;
    }

    String create(VolumeName name, int index, ContainerPath path, boolean fresh) {
        String dockerName = "pier-" + name.value() + "-" + index;
        if (fresh) {
            if (docker.volumeExists(dockerName)) {
                throw PierException.failed("a Docker volume named " + dockerName + " already exists and is not labelled as "
                        + name + "'s: remove it with docker volume rm " + dockerName + ", or choose another name");
            }
        }
        return docker.createVolume(dockerName, Map.of(Labels.VOLUME, name.value(), Labels.VOLUME_PATH, path.value()));
    }

    /**
     * Waits until no container mounts the volume. After an unlink the previous release keeps it mounted until it
     * is retired in the background; any container that is not pier's, or that outlives the wait, is an error.
     */
    void awaitUnmounted(VolumeName name, List<String> dockerNames, Progress progress) {
        if (dockerNames.isEmpty()) {
            return;
        }
        Duration patience = new Settings(home).retireWait().plusSeconds(30);
        long deadline = System.nanoTime() + patience.toNanos();
        boolean told = false;
        while (true) {
            List<Container> users = docker.containersMounting(dockerNames);
            users.stream().filter(Container::endedSwarmTask).forEach(c -> docker.remove(c.id()));
            users = users.stream().filter(c -> !c.endedSwarmTask()).toList();
            if (users.isEmpty()) {
                return;
            }
            List<String> foreign = users.stream().filter(c -> !c.pierMade()).map(BackingVolumes::shown).toList();
            if (!foreign.isEmpty()) {
                throw PierException.failed("volume " + name + " is mounted by containers pier did not start: "
                        + String.join(", ", foreign) + "; remove them first (docker rm)");
            }
            List<String> retiring = users.stream().map(c -> shown(c) + " of " + c.app()).toList();
            if (System.nanoTime() > deadline) {
                throw PierException.failed("volume " + name + " is still mounted by " + String.join(", ", retiring)
                        + " after " + patience.toSeconds() + "s; once they are gone (docker rm), run volume:destroy again");
            }
            if (!told) {
                progress.detail("waiting for " + String.join(", ", retiring) + " to be retired");
                told = true;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PierException.failed("interrupted while waiting for the containers of volume " + name);
            }
        }
    }

    private static String shown(Container c) {
        return c.name().isEmpty() ? c.shortId() : c.name();
    }
}
