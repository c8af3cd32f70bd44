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
    /** A step ran in a container, so its last image line is an image this build committed. */
    private boolean ran;
    /**
     * The last image line of the running step. The step's own output comes before the builder's line, so an app
     * printing such a line is overridden; a failing step's forged line is not, which is why {@link Docker} removes
     * only untagged images made since the build began.
     */
    private String pending;

    /** One line of the build's output. */
    public synchronized void line(String line) {
        if (line.startsWith("Step ")) {
            commit();
            return;
        }
        Matcher running = RUNNING.matcher(line);
        if (running.matches() && !ran) {
            containers.add(running.group(1));
            ran = true;
            return;
        }
        Matcher image = IMAGE.matcher(line);
        if (image.matches() && ran) {
            pending = image.group(1);
        }
    }

    private void commit() {
        if (pending != null) {
            images.add(pending);
        }
        pending = null;
        ran = false;
    }

    /** The images this build committed, in the order it made them (the last is the newest). */
    public synchronized List<String> images() {
        List<String> all = new ArrayList<>(images);
        if (pending != null) {
            all.add(pending);
        }
        return List.copyOf(all);
    }

    /** The containers its steps ran in: the engine removes them (forcerm), unless the build was cut off. */
    public synchronized List<String> containers() {
        return List.copyOf(containers);
    }
}
