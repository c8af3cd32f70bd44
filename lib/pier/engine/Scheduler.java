package pier.engine;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where an app's containers run and its volumes live: the seam between the deploy steps and the engine. The local
 * Docker engine ({@link Docker}) is the one implementation today; a multi-host engine is a second one, and the
 * deploy's failure paths are tested against a fake. Containers are found by their {@link Labels} only.
 */
public interface Scheduler {
    /** What a command run in a container ended with: its exit code and its output (stdout and stderr). */
    record ExecResult(long exitCode, String output) {
    }

    /** One line a container wrote, with the engine's timestamp (RFC 3339, nanoseconds). */
    record LogLine(String timestamp, String text) {
    }

    /** A volume and its labels. */
    record VolumeInfo(String name, Map<String, String> labels) {
    }

    /** Creates and starts a long-running container with no restart policy yet; returns its id. */
    String start(ContainerSpec spec);

    /** Starts a stopped container again as it was made (its port, env and policy); one that runs already is fine. */
    void resume(String id);

    /** The host port the container is published on, running or not (a stopped one keeps its claim); empty: none. */
    Optional<Integer> hostPort(String id);

    /**
     * The IPv4 subnet ({@code 172.30.4.0/24}) of {@code app}'s network {@code network}, made when missing. Fixed
     * container addresses ({@link Labels#ADDRESS}) are chosen from its upper half; the engine hands out the lower.
     */
    String subnet(String network, String app);

    /**
     * Joins a running container to {@code app}'s network {@code network} (made when missing), where the app's
     * containers reach it as {@code alias}; joined already is fine. True when it joined now.
     */
    boolean connect(String id, String network, String app, String alias);

    /**
     * Joins a running container of this host to {@code app}'s attachable swarm overlay {@code network} (made when
     * missing), where the app's tasks on every node reach it as {@code alias}; joined already is fine. True when it
     * joined now. An engine that runs no swarm has none to join.
     */
    default boolean connectOverlay(String id, String network, String app, String alias) {
        throw new UnsupportedOperationException("this engine runs no swarm");
    }

    /** Takes a container off a network; one not on it, or gone, is fine. */
    void disconnect(String id, String network);

    /** Removes the network {@code name}; one that is gone already is fine. */
    void removeNetwork(String name);

    /** From now on the engine restarts the container after a crash, a reboot or a restart of the engine. */
    void keepRunning(String id);

    /**
     * The opposite of {@link #keepRunning}: the engine no longer restarts the container, so one a lost retire left
     * behind does not come back after a reboot or an engine restart. A container that is gone already is fine.
     */
    void letStop(String id);

    ContainerState state(String id);

    /** The last {@code lines} lines the container wrote, for an error message; empty when they cannot be read. */
    List<String> tail(String id, int lines);

    /** Containers carrying all of {@code labels}, running or not, oldest first. */
    List<Container> containers(Map<String, String> labels);

    /** Containers (pier's or not) that mount any of {@code volumes}, running or not. */
    List<Container> containersMounting(List<String> volumes);

    /** Runs a one-off container to its end joined to our streams (no tty), then removes it; its exit code. */
    int runAttached(ContainerSpec spec, InputStream in, OutputStream out, OutputStream err);

    /** Runs a one-off container to its end, each output line to {@code log}, stopped at {@code deadline}; its exit code. */
    int runLogged(ContainerSpec spec, Duration deadline, Consumer<String> log);

    /** Runs {@code argv} in a running container within {@code timeout}; exit code -1 when it timed out. */
    ExecResult exec(String containerId, List<String> argv, Duration timeout);

    /** Runs {@code argv} in a running container joined to our streams, with a terminal of {@code size} when {@code tty}. */
    int execAttached(String containerId, List<String> argv, boolean tty, int @Nullable [] size, InputStream in,
                     OutputStream out, OutputStream err);

    /** The container's last {@code tail} lines (-1: all, 0: none), then, with {@code follow}, new ones as they come. */
    void logs(String id, int tail, boolean follow, Consumer<LogLine> line);

    /** True when {@code image} has {@code path}, looked up in a container that never starts. */
    boolean hasFile(String image, String path, Map<String, String> labels);

    /** Stops gracefully (SIGTERM, SIGKILL after {@code grace}) and keeps the container. */
    void stop(String id, Duration grace);

    /** Stops (and with {@code remove}, removes) all of {@code ids} at once; one line per container that failed. */
    List<String> stopAll(List<String> ids, Duration grace, boolean remove);

    /** Stops gracefully and removes; a container that is gone already is fine. */
    void stopAndRemove(String id, Duration grace);

    /** Removes at once, running or not; a container that is gone already is fine. */
    void remove(String id);

    /** The volumes matching a label filter: {@code KEY} or {@code KEY=VALUE}, by name. */
    List<VolumeInfo> volumes(String labelFilter);

    boolean volumeExists(String name);

    /** Creates the volume {@code name} with {@code labels}; returns its name. */
    String createVolume(String name, Map<String, String> labels);

    /** Removes a volume; one that is gone already is fine. */
    void removeVolume(String name);

    /**
     * Where a proxy reaches the running tasks of the swarm service {@code service} (an app placed on the cluster): each
     * task's node address and published port. An engine that runs no swarm has none to give.
     */
    default List<Nginx.Upstream> swarmUpstreams(String service) {
        throw new UnsupportedOperationException("this engine runs no swarm");
    }

    /** The size on disk of each volume the engine measures, by name; a volume it cannot measure is absent. */
    Map<String, Long> volumeSizes();
}
