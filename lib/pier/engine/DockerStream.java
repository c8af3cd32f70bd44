package pier.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;

/**
 * A container's (or an exec's) stdin and stdout joined to ours, over the Docker API's upgraded connection on the
 * engine's unix socket. docker-java's own attach never closes its side of the connection when our stdin ends,
 * so a container waiting for end of input (StdinOnce) would wait forever; here the end of our stdin half-closes
 * the socket, which the engine passes on to the container as end of input, as {@code docker run -i} does.
 */
final class DockerStream {
    private DockerStream() {
    }

    /** Where pier's Docker engine listens; only a unix socket is supported for attached streams. */
    static Path socket(URI dockerHost) {
        if (!"unix".equals(dockerHost.getScheme())) {
            throw PierException.failed("attaching to a container needs the Docker engine on a unix socket, not " + dockerHost);
        }
        return Path.of(dockerHost.getPath());
    }

    /**
     * Sends {@code request} (an upgrading POST with its body), then copies {@code in} to the engine and the engine's
     * output to {@code out} and {@code err} until the engine closes the stream. With {@code tty} the output is raw;
     * without, it is Docker's multiplexed frames (stream type, size, payload), split to out and err.
     * {@code attached} runs once the engine has accepted the stream, before any byte is copied: a caller that must
     * not lose the first output starts the container there.
     */
    static void pump(Path socket, String method, String path, @Nullable String jsonBody, @Nullable InputStream in,
                     OutputStream out, OutputStream err, boolean tty, Runnable attached) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                    + (jsonBody == null ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + body.length + "\r\n\r\n";
            writeFully(channel, head.getBytes(StandardCharsets.US_ASCII));
            writeFully(channel, body);
            InputStream fromEngine = Channels.newInputStream(channel);
            String status = readHead(fromEngine);
            if (!status.startsWith("HTTP/1.1 101") && !status.startsWith("HTTP/1.1 200")) {
                throw PierException.failed("the Docker engine refused to attach: " + status);
            }
            attached.run();
            Thread feeder = null;
            if (in != null) {
                feeder = new Thread(() -> feed(in, channel), "pier-stdin");
                feeder.setDaemon(true);
                feeder.start();
            } else {
                channel.shutdownOutput();
            }
            if (tty) {
                copy(fromEngine, out);
            } else {
                demultiplex(fromEngine, out, err);
            }
        } catch (IOException e) {
            throw PierException.failed("lost the stream of the container: " + e.getMessage(), e);
        }
    }

    private static void feed(InputStream in, SocketChannel channel) {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    writeFully(channel, java.util.Arrays.copyOf(buffer, n));
                }
            }
            channel.shutdownOutput();
        } catch (IOException e) {
            // The container ended (the engine closed the stream) or our stdin broke: either way input is over.
        }
    }

    private static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads the response head up to its blank line; returns the status line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        String status = null;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the Docker engine closed the connection before answering");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII).strip();
                line.reset();
                if (status == null) {
                    status = text;
                } else if (text.isEmpty()) {
                    return status;
                }
            } else {
                line.write(b);
            }
        }
    }

    private static void copy(InputStream from, OutputStream to) throws IOException {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = from.read(buffer)) >= 0) {
            to.write(buffer, 0, n);
            to.flush();
        }
    }

    /** Docker's multiplexed stream: 8-byte headers (1 stdout, 2 stderr; size big-endian) before each payload. */
    static void demultiplex(InputStream from, OutputStream out, OutputStream err) throws IOException {
        frames(from, (stream, payload) -> {
            OutputStream to = stream == 2 ? err : out;
            to.write(payload);
            to.flush();
        });
    }

    /** What one frame of a multiplexed stream is handed to: its stream (0 stdin, 1 stdout, 2 stderr, 3 the engine's own error) and payload. */
    interface FrameConsumer {
        void accept(int stream, byte[] payload) throws IOException;
    }

    /**
     * Reads a multiplexed stream frame by frame until it ends. A log stream writes one message per frame, so a frame is
     * also where one log line ends, even when the line itself has no newline.
     */
    static void frames(InputStream from, FrameConsumer frame) throws IOException {
        byte[] header = new byte[8];
        while (readFully(from, header)) {
            int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
            byte[] payload = new byte[size];
            if (!readFully(from, payload)) {
                return;
            }
            frame.accept(header[0], payload);
        }
    }

    private static boolean readFully(InputStream in, byte[] into) throws IOException {
        int read = 0;
        while (read < into.length) {
            int n = in.read(into, read, into.length - read);
            if (n < 0) {
                return false;
            }
            read += n;
        }
        return true;
    }
}
