package pier.engine;

import java.util.Map;
import java.util.Optional;

/**
 * A container as the engine reports it, in pier's words: what its labels say it is and whether it runs. The
 * engine's own types stay in this package; everything above it sees these.
 */
public record Container(String id, String name, Map<String, String> labels, String state, String status,
                        Optional<Integer> publicPort) {
    /** On every container Swarm runs for a service's task. */
    static final String SWARM_TASK = "com.docker.swarm.task.id";

    public Container {
        labels = Map.copyOf(labels);
    }

    public String shortId() {
        return id.substring(0, Math.min(12, id.length()));
    }

    public String app() {
        return labels.getOrDefault(Labels.APP, "");
    }

    /** The release number, or 0 when the label is missing or not a number. */
    public int release() {
        try {
            return Integer.parseInt(labels.getOrDefault(Labels.RELEASE, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public String process() {
        return labels.getOrDefault(Labels.PROCESS, "?");
    }

    /** {@code web.1}; a container without the instance label is shown by its process type. */
    public String instance() {
        return labels.getOrDefault(Labels.INSTANCE, process());
    }

    /** A release command or a {@code pier run}: never part of a formation, never retired by a switch. */
    public boolean oneOff() {
        return labels.containsKey(Labels.ONEOFF);
    }

    /** What a one-off is ({@code release}, {@code run}), or empty for a process container. */
    public Optional<String> oneOffKind() {
        return Optional.ofNullable(labels.get(Labels.ONEOFF));
    }

    /** Its fixed address on its app's network ({@link Labels#ADDRESS}); empty for one made without (workers, older pier). */
    public Optional<String> address() {
        return Optional.ofNullable(labels.get(Labels.ADDRESS));
    }

    /** Stopped after exiting 0 on its own: a worker that did its work and finished. */
    public boolean finished() {
        return "exited".equals(state) && status.startsWith("Exited (0)");
    }

    /** Run by Swarm for a service's task: Swarm, not pier, starts and stops it. */
    public boolean swarmTask() {
        return labels.containsKey(SWARM_TASK);
    }

    /**
     * A task Swarm ended and keeps as its history ({@code docker service ps} shows it): nothing runs in it, and only
     * removing it lets go of the volumes it mounted.
     */
    public boolean endedSwarmTask() {
        return swarmTask() && !alive() && !"created".equals(state);
    }

    public boolean pierMade() {
        return labels.containsKey(Labels.APP);
    }

    public boolean running() {
        return "running".equals(state);
    }

    /** Running, or being restarted by the engine after a crash: either way something to stop. */
    public boolean alive() {
        return running() || "restarting".equals(state);
    }
}
