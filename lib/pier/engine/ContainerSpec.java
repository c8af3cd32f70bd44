package pier.engine;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import pier.state.Resources;

/**
 * What to start: one container of one process type of one release. {@code cmd} replaces the image's command
 * (its entrypoint stays), or is null for the image's own; {@code hostPort} 0 publishes no port.
 */
public record ContainerSpec(String name, String image, List<String> env, Map<String, String> labels, int hostPort,
                            int containerPort, List<Mount> mounts, @Nullable List<String> cmd,
                            Resources.Confinement confinement) {
    public ContainerSpec {
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        mounts = List.copyOf(mounts);
        cmd = cmd == null ? null : List.copyOf(cmd);
    }

    /** A volume mounted at a path in the container. */
    public record Mount(String volume, String path) {
    }
}
