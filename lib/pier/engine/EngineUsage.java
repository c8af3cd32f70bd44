package pier.engine;

import java.util.List;
import java.util.Map;

/**
 * What the engine holds on disk, as Docker itself counts it ({@code GET /system/df}, the figures of
 * {@code docker system df -v}): each image with its size and the part shared with other images, each container
 * with the bytes it wrote.
 */
public record EngineUsage(List<Image> images, List<Container> containers) {
    /** An image: {@code size} is all its layers, {@code shared} those another image has too (-1: not told). */
    public record Image(String id, List<String> tags, Map<String, String> labels, long size, long shared) {
        /** What only this image holds: Docker's UNIQUE SIZE. */
        public long unique() {
            return size - Math.max(0, shared);
        }
    }

    /** A container: the bytes it wrote on top of its image (-1: not told). */
    public record Container(String id, Map<String, String> labels, long written) {
    }
}
