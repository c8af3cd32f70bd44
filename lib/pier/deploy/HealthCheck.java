package pier.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import pier.apps.Checks;
import pier.base.PierException;
import pier.base.Shown;
import pier.engine.ContainerState;
import pier.engine.Scheduler;

/**
 * The checks before a switch. By default: the new container answers HTTP below 500 on its port within the
 * timeout, polled every 100 ms, never slept for a fixed time, giving up at once if the container exits and
 * quoting the last lines it wrote. A release that declares checks (app.json or CHECKS) runs those instead, once
 * its port accepts connections.
 */
public record HealthCheck(String path, Duration timeout) {
    private static final long POLL_MILLIS = 100;
    private static final int MAX_BODY = 1 << 20;

    public static HealthCheck root(Duration timeout) {
        return new HealthCheck("/", timeout);
    }

    /** Returns the first status below 500; throws with the reason when the app never answered so. */
    public int await(Scheduler engine, String containerId, int hostPort) {
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
            requireRunning(engine, containerId, "answering HTTP");
            sleep(Duration.ofMillis(POLL_MILLIS));
        }
        throw PierException.failed("the app did not answer HTTP below 500 on its port within " + timeout.toSeconds()
                + "s (" + last + "); does it listen on $PORT?");
    }

    /**
     * Runs {@code checks} against one web container published on {@code hostPort}: the default, or the declared ones
     * after the port accepts connections (within {@code startTimeout}). {@code host} is the Host header of a path
     * check that names none. Returns what passed, for the deploy output; throws with the first failure.
     */
    public static String run(Checks checks, Scheduler engine, String containerId, int hostPort, String host,
                             Duration startTimeout) {
        if (checks.isDefault()) {
            int status = root(startTimeout).await(engine, containerId, hostPort);
            return "HTTP " + status + " from 127.0.0.1:" + hostPort;
        }
        if (checks.list().stream().anyMatch(c -> c.kind() == Checks.Kind.http)) {
            awaitPort(engine, containerId, hostPort, startTimeout);
        }
        for (Checks.Check check : checks.list()) {
            runOne(check, engine, containerId, hostPort, host);
        }
        return checks.list().size() + (checks.list().size() == 1 ? " check" : " checks") + " from " + checks.source()
                + " passed on 127.0.0.1:" + hostPort;
    }

    private static void runOne(Checks.Check check, Scheduler engine, String containerId, int hostPort, String host) {
        sleep(check.initialDelay());
        String last = "";
        for (int attempt = 1; attempt <= check.attempts(); attempt++) {
            requireRunning(engine, containerId, "passing the check " + check.describe());
            last = switch (check.kind()) {
                case http -> http(check, hostPort, host);
                case command -> command(check, engine, containerId);
                case uptime -> uptime(check, engine, containerId);
            };
            if (last == null) {
                return;
            }
            if (attempt < check.attempts()) {
                sleep(check.interval());
            }
        }
        throw PierException.failed("the check " + check.describe() + " failed " + check.attempts()
                + (check.attempts() == 1 ? " time" : " times") + "; last: " + last);
    }

    /** Null when the answer passes; else why not. */
    private static @Nullable String http(Checks.Check check, int hostPort, String host) {
        try {
            Answer answer = get(hostPort, check.path(), check.host().isEmpty() ? host : check.host(), check.timeout());
            if (answer.status() >= 400 || answer.status() < 100) {
                return "HTTP " + answer.status();
            }
            if (!check.content().isEmpty() && !answer.body().contains(check.content())) {
                return "HTTP " + answer.status() + " without " + Shown.quote(check.content()) + " in the body";
            }
            return null;
        } catch (IOException e) {
            return "no answer (" + e.getMessage() + ")";
        }
    }

    private static @Nullable String command(Checks.Check check, Scheduler engine, String containerId) {
        Scheduler.ExecResult result = engine.exec(containerId, check.command(), check.timeout());
        if (result.exitCode() != 0) {
            return "exit code " + result.exitCode() + (result.output().isBlank() ? "" : ": " + Shown.firstLine(result.output()));
        }
        if (!check.content().isEmpty() && !result.output().contains(check.content())) {
            return "its output lacks " + Shown.quote(check.content());
        }
        return null;
    }

    private static @Nullable String uptime(Checks.Check check, Scheduler engine, String containerId) {
        String started = engine.state(containerId).startedAt();
        Instant since = started.isEmpty() ? Instant.now() : Instant.parse(started);
        Instant until = since.plusSeconds(check.uptime());
        while (Instant.now().isBefore(until)) {
            requireRunning(engine, containerId, "staying up " + check.uptime() + "s");
            sleep(Duration.ofMillis(POLL_MILLIS));
        }
        requireRunning(engine, containerId, "staying up " + check.uptime() + "s");
        return null;
    }

    /** Waits until something accepts TCP connections on the port: a declared check then has a listener to talk to. */
    private static void awaitPort(Scheduler engine, String containerId, int hostPort, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", hostPort), 1000);
                // Docker's proxy accepts before the app listens; a request tells the two apart.
                socket.setSoTimeout(1000);
                socket.getOutputStream().write("HEAD / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (socket.getInputStream().read() >= 0) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            requireRunning(engine, containerId, "listening on its port");
            sleep(Duration.ofMillis(POLL_MILLIS));
        }
        throw PierException.failed("the app did not accept connections on its port within " + timeout.toSeconds()
                + "s; does it listen on $PORT?");
    }

    public record Answer(int status, String body) {
    }

    /** One HTTP/1.0 GET with a Host header, the whole answer read within {@code timeout}. */
    public static Answer get(int port, String path, String host, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Math.max(1, timeout.toMillis()));
            socket.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: pier-check\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (raw.size() < MAX_BODY) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new IOException("no complete answer within " + timeout.toSeconds() + "s");
                }
                socket.setSoTimeout((int) left);
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                raw.write(buffer, 0, n);
            }
            String text = raw.toString(StandardCharsets.UTF_8);
            if (!text.startsWith("HTTP/") || text.length() < 12) {
                throw new IOException("not an HTTP answer");
            }
            int status;
            try {
                status = Integer.parseInt(text.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP answer");
            }
            return new Answer(status, body(text));
        }
    }

    /** What follows the head's blank line; CGI scripts end their headers with bare newlines, so both kinds count. */
    static String body(String response) {
        int crlf = response.indexOf("\r\n\r\n");
        int lf = response.indexOf("\n\n");
        if (crlf < 0 && lf < 0) {
            return "";
        }
        return crlf >= 0 && (lf < 0 || crlf < lf) ? response.substring(crlf + 4) : response.substring(lf + 2);
    }

    /**
     * Throws when the container stopped (or was restarted by its restart policy, which counts as an exit), quoting
     * the first line of its output that looks like the error, else its last lines; {@code before} says what it had
     * not done yet.
     */
    static void requireRunning(Scheduler engine, String containerId, String before) {
        ContainerState state = engine.state(containerId);
        if (!state.running() || state.restarting() || state.restartCount() > 0) {
            CrashOutput output = CrashOutput.of(engine.tail(containerId, CrashOutput.READ));
            List<String> tail = output.last().subList(Math.max(0, output.last().size() - 5), output.last().size());
            String oom = state.oomKilled() ? ", killed for using more memory than its limit"
                    + " (pier resource:limit APP memory=SIZE raises it)" : "";
            throw PierException.failed("the app exited with code " + state.exitCode() + oom + " before " + before
                    + (output.cause().isPresent() ? "; its error: " + output.cause().get()
                    : tail.isEmpty() ? "" : "; its last output: " + String.join(" | ", tail)));
        }
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

    private static void sleep(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted while waiting for the app to answer");
        }
    }
}
