package pier.install;

import java.util.List;
import pier.base.PierException;
import pier.base.Shown;
import pier.engine.Docker;
import pier.engine.Labels;

/**
 * What deploys and volumes leave in Docker: containers and images labelled {@code pier.app}, volumes labelled
 * {@code pier.volume}, found by those labels only. The installer makes none of them, so installing has nothing
 * to do; undoing removes them all (running containers included), which only a purge asks for.
 */
record DockerObjects() implements UndoableStep {
    public String describe() {
        return "pier's Docker containers, images (label " + Labels.APP + ") and volumes (label " + Labels.VOLUME + "), and the apps' networks";
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
            return !docker.containersLabelled(Labels.APP).isEmpty() || !docker.imagesLabelled(Labels.APP).isEmpty()
                    || !docker.volumes(Labels.VOLUME).isEmpty();
        } catch (RuntimeException e) {
            return true;
        }
    }

    public void undo() {
        try (Docker docker = Docker.connect()) {
            docker.containersLabelled(Labels.APP).forEach(c -> docker.remove(c.id()));
            docker.imagesLabelled(Labels.APP).forEach(docker::removeImage);
            docker.volumes(Labels.VOLUME).forEach(v -> docker.removeVolume(v.name()));
            docker.removeNetworks(Labels.APP);
        } catch (PierException e) {
            throw e;
        } catch (RuntimeException e) {
            throw PierException.failed("cannot remove pier's Docker objects: " + Shown.firstLine(e.getMessage())
                    + " (is dockerd running?)", e);
        }
    }
}
