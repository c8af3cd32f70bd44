package pier;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The default check before a switch: the new container answers HTTP below 500 on its port within the
 * timeout. It is polled every 100 ms, never slept for a fixed time, and gives up at once if the
 * container exits, quoting the last lines it wrote.
 */
public record HealthCheck(String path, Duration timeout) {
    private static final long POLL_MILLIS = 100;

    public static HealthCheck root(Duration timeout) {
        return new HealthCheck("/", timeout);
    }

    /** Returns the first status below 500; throws with the reason when the app never answered so. */
    public int await(Docker docker, String containerId, int hostPort) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            int status = probe(hostPort);
            if (status > 0 && status < 500) {
                return status;
            }
            if (status >= 500) {
                last = "HTTP " + status;
            }
            InspectContainerResponse.ContainerState state = docker.inspect(containerId).getState();
            if (!Boolean.TRUE.equals(state.getRunning())) {
                List<String> tail = docker.tail(containerId, 5);
                throw PierException.failed("the app exited with code " + state.getExitCodeLong()
                        + " before answering HTTP" + (tail.isEmpty() ? "" : "; its last output: " + String.join(" | ", tail)));
            }
            sleep();
        }
        throw PierException.failed("the app did not answer HTTP below 500 on its port within " + timeout.toSeconds()
                + "s (" + last + "); does it listen on $PORT?");
    }

    private int probe(int hostPort) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + hostPort + path).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            c.setInstanceFollowRedirects(false);
            int status = c.getResponseCode();
            try (InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            return status;
        } catch (IOException e) {
            return -1;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted while waiting for the app to answer");
        }
    }
}
