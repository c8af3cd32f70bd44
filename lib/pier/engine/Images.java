package pier.engine;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Where release images are built and kept; the local Docker engine today ({@link Docker}). */
public interface Images {
    /**
     * Builds {@code dir}'s Dockerfile as {@code tag}, streaming each output line to {@code log}; returns the image id.
     * Its steps run on {@code network} with at most {@code memory} bytes (0: no limit), stopped at {@code deadline}.
     */
    String build(File dir, String tag, Map<String, String> labels, String network, long memory, Duration deadline,
                 Consumer<String> log);

    /** Whether the engine has {@code image} locally. */
    boolean imageExists(String image);

    /** The TCP ports the image declares with EXPOSE, lowest first. */
    List<Integer> exposedTcpPorts(String image);

    /** The ids of the images carrying {@code labels}. */
    List<String> images(Map<String, String> labels);

    /** The tags (repo:tag) of the images carrying {@code labels}. */
    List<String> imageTags(Map<String, String> labels);

    /** The ids of the untagged images carrying {@code labels}: builds whose tag went to a newer build. */
    List<String> danglingImages(Map<String, String> labels);

    /** Removes a tag or an untagged image unless a container uses it; true when it went. */
    boolean removeImageIfUnused(String image);

    /** Removes an image, forced; one that is gone or still used is left for the next cleanup. */
    void removeImage(String image);
}
