package pier.install;

import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import java.util.List;
import pier.base.Shown;
import pier.apps.Volumes;
import pier.base.PierException;
import pier.engine.Docker;

/**
 * What deploys and volumes leave in Docker: containers and images labelled {@code pier.app}, volumes labelled
 * {@code pier.volume}, found by those labels only. The installer makes none of them, so installing has nothing
 * to do; undoing removes them all (running containers included), which only a purge asks for.
 */
record DockerObjects() implements UndoableStep {
    public String describe() {
        return "pier's Docker containers, images (label " + Docker.APP + ") and volumes (label " + Volumes.VOLUME + "), and the apps' networks";
    }

    public boolean satisfied() {
        return true;
    }

    public void apply() {
        // Deploys and volume:create make these; the installer has nothing to add.
    }

    /** True when any exists, and when Docker cannot be asked: then undo says why it cannot remove them. */
    public boolean present() {
        try (Docker docker = Docker.connect()) {
            return !containers(docker).isEmpty() || !images(docker).isEmpty() || !volumes(docker).isEmpty();
        } catch (RuntimeException e) {
            return true;
        }
    }

    public void undo() {
        try (Docker docker = Docker.connect()) {
            for (Container c : containers(docker)) {
                docker.remove(c.getId());
            }
            for (Image i : images(docker)) {
                docker.removeImage(i.getId());
            }
            for (InspectVolumeResponse v : volumes(docker)) {
                docker.client().removeVolumeCmd(v.getName()).exec();
            }
            docker.removeNetworks(Docker.APP);
        } catch (PierException e) {
            throw e;
        } catch (RuntimeException e) {
            throw PierException.failed("cannot remove pier's Docker objects: " + Shown.firstLine(e.getMessage())
                    + " (is dockerd running?)", e);
        }
    }

    private static List<Container> containers(Docker docker) {
        return docker.client().listContainersCmd().withShowAll(true).withLabelFilter(List.of(Docker.APP)).exec();
    }

    private static List<Image> images(Docker docker) {
        return docker.client().listImagesCmd().withLabelFilter(Docker.APP).exec();
    }

    private static List<InspectVolumeResponse> volumes(Docker docker) {
        List<InspectVolumeResponse> found = docker.client().listVolumesCmd()
                .withFilter("label", List.of(Volumes.VOLUME)).exec().getVolumes();
        return found == null ? List.of() : found;
    }
}
