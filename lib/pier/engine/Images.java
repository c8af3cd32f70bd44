package pier.engine;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Where release images are built and kept; the local Docker engine today ({@link Docker}). */
public interface Images {
    /**
     * Builds {@code dir}'s Dockerfile as {@code tag}, streaming each output line to {@code log}. Its steps run on
     * {@code network} with at most {@code memory} bytes (0: no limit), stopped at {@code deadline}. {@code labels} go
     * on the final image only (the engine appends them as a last step). A build that fails leaves no image or
     * container it made behind.
     */
    Built build(File dir, String tag, Map<String, String> labels, String network, long memory, Duration deadline,
                Consumer<String> log);

    /**
     * What a build made: the image id, and the images it made that the image does not stand on (the steps of other
     * stages): build cache no tag keeps, oldest first.
     */
    record Built(String imageId, List<String> cache) {
    }

    /** The bytes {@code image} adds to its parent (its own layer), or -1 when the engine no longer has it. */
    long ownSize(String image);

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

    /**
     * Removes an untagged image by id unless another image stands on it or a container uses it; true when it went
     * (or was gone). A tagged image stays whatever: someone named it since a build made it.
     */
    boolean removeUntaggedIfUnused(String image);

    /** Removes an image, forced; one that is gone or still used is left for the next cleanup. */
    void removeImage(String image);
}
