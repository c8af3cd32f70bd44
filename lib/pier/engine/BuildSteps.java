package pier.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one build made, read from the legacy builder's output (the builder docker-java drives on docker.io 20.10):
 * each step that ran ({@code ---> Running in CONTAINER}) commits a new image ({@code ---> IMAGE}); a cached step
 * ({@code ---> Using cache}) and a {@code FROM} only name an image that existed before. Pier needs this because
 * the build's {@code labels} reach the final image only (the engine appends them as a last LABEL step): measured,
 * the images a build made before a failing step carry no label, so they are found by the ids the build reported.
 */
public final class BuildSteps {
    private static final Pattern RUNNING = Pattern.compile("^\\s*---> Running in ([0-9a-f]{12,64})\\s*$");
    private static final Pattern IMAGE = Pattern.compile("^\\s*---> ([0-9a-f]{12,64})\\s*$");

    private final List<String> images = new ArrayList<>();
    private final List<String> containers = new ArrayList<>();
    /** A step ran in a container, so the next image line is an image this build committed. */
    private boolean ran;

    /** One line of the build's output. */
    public synchronized void line(String line) {
        if (line.startsWith("Step ")) {
            ran = false;
            return;
        }
        Matcher running = RUNNING.matcher(line);
        if (running.matches()) {
            containers.add(running.group(1));
            ran = true;
            return;
        }
        Matcher image = IMAGE.matcher(line);
        if (image.matches() && ran) {
            images.add(image.group(1));
            ran = false;
        }
    }

    /** The images this build committed, in the order it made them (the last is the newest). */
    public synchronized List<String> images() {
        return List.copyOf(images);
    }

    /** The containers its steps ran in: the engine removes them (forcerm), unless the build was cut off. */
    public synchronized List<String> containers() {
        return List.copyOf(containers);
    }
}
