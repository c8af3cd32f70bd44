package pier;

//DEPS com.github.docker-java:docker-java-core:3.7.1
//DEPS com.github.docker-java:docker-java-transport-zerodep:3.7.1
//DEPS org.slf4j:slf4j-api:2.0.20
//DEPS org.slf4j:slf4j-nop:2.0.20

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Everything pier asks of the Docker engine, through docker-java. The API version is negotiated with the
 * daemon, never pinned. Every container and image pier makes carries the {@code pier.*} labels, and pier
 * finds its containers by those labels only.
 */
public final class Docker implements AutoCloseable {
    public static final String APP = "pier.app";
    public static final String RELEASE = "pier.release";
    public static final String PROCESS = "pier.process";

    /** What to start: one container of one process type of one release. */
    public record ContainerSpec(String name, String image, List<String> env, Map<String, String> labels,
                                int hostPort, int containerPort, List<Bind> binds) {
    }

    private final DockerClient client;
    /** The transport under {@link #client}, for the few API calls docker-java has no command for (system df). */
    private final DockerHttpClient http;

    private Docker(DockerClient client, DockerHttpClient http) {
        this.client = client;
        this.http = http;
    }

    public static Docker connect() {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        return new Docker(DockerClientImpl.getInstance(config, http), http);
    }

    public DockerClient client() {
        return client;
    }

    public boolean ping() {
        try {
            client.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Builds {@code dir}'s Dockerfile, streaming each output line to {@code log}; returns the image id. */
    public String build(File dir, String tag, Map<String, String> labels, Consumer<String> log) {
        BuildImageResultCallback callback = new BuildImageResultCallback() {
            @Override
            public void onNext(BuildResponseItem item) {
                if (item.getStream() != null) {
                    item.getStream().lines().filter(l -> !l.isBlank()).forEach(log);
                }
                if (item.isErrorIndicated() && item.getErrorDetail() != null) {
                    log.accept(item.getErrorDetail().getMessage());
                }
                super.onNext(item);
            }
        };
        try {
            return client.buildImageCmd(dir).withTags(Set.of(tag)).withLabels(labels).withPull(false)
                    .exec(callback).awaitImageId();
        } catch (RuntimeException e) {
            throw PierException.failed("docker build failed: " + firstLine(e.getMessage()), e);
        }
    }

    /** Whether the engine has {@code image} locally: a build FROM one it lacks has to pull it. */
    public boolean imageExists(String image) {
        try {
            client.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** The TCP ports the image declares with EXPOSE, lowest first. */
    public List<Integer> exposedTcpPorts(String image) {
        ExposedPort[] ports = client.inspectImageCmd(image).exec().getConfig().getExposedPorts();
        return ports == null ? List.of() : Arrays.stream(ports)
                .filter(p -> p.getProtocol() == InternetProtocol.TCP)
                .map(ExposedPort::getPort).sorted().toList();
    }

    public String start(ContainerSpec spec) {
        ExposedPort port = ExposedPort.tcp(spec.containerPort());
        HostConfig host = HostConfig.newHostConfig()
                .withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", spec.hostPort()), port))
                // No restart until it has proved healthy: a crash during the check must show its real exit code.
                .withRestartPolicy(RestartPolicy.noRestart())
                .withBinds(spec.binds());
        String id = client.createContainerCmd(spec.image())
                .withName(spec.name())
                .withEnv(spec.env())
                .withLabels(spec.labels())
                .withExposedPorts(port)
                .withHostConfig(host)
                .exec().getId();
        try {
            client.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            remove(id);
            throw PierException.failed("cannot start container: " + firstLine(e.getMessage()), e);
        }
        return id;
    }

    /** From now on the engine restarts the container after a crash, a reboot or a restart of dockerd. */
    public void keepRunning(String id) {
        client.updateContainerCmd(id).withRestartPolicy(RestartPolicy.unlessStoppedRestart()).exec();
    }

    public InspectContainerResponse inspect(String id) {
        return client.inspectContainerCmd(id).exec();
    }

    /** The last {@code lines} lines the container wrote, for an error message. */
    public List<String> tail(String id, int lines) {
        List<String> out = new ArrayList<>();
        try {
            client.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(lines)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            new String(frame.getPayload(), StandardCharsets.UTF_8).lines().forEach(out::add);
                        }
                    }).awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // Logs are a courtesy in an error message; their absence must not hide the error itself.
        }
        return out;
    }

    /** Containers carrying all of {@code labels}, running or not, oldest first. */
    public List<Container> containers(Map<String, String> labels) {
        return client.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec().stream()
                .sorted(Comparator.comparing(Container::getCreated)).toList();
    }

    /** Stops gracefully (SIGTERM, then SIGKILL after {@code grace}) and removes; gone already is fine. */
    public void stopAndRemove(String id, Duration grace) {
        try {
            client.stopContainerCmd(id).withTimeout((int) Math.max(1, grace.toSeconds())).exec();
        } catch (NotFoundException | NotModifiedException e) {
            // Already stopped or gone: the goal is reached.
        }
        remove(id);
    }

    public void remove(String id) {
        try {
            client.removeContainerCmd(id).withForce(true).exec();
        } catch (NotFoundException e) {
            // Gone already.
        } catch (ConflictException e) {
            // A background retire may be removing it right now; anything else is a real conflict.
            if (e.getMessage() == null || !e.getMessage().contains("already in progress")) {
                throw e;
            }
        }
    }

    public void removeImage(String image) {
        try {
            client.removeImageCmd(image).withForce(true).exec();
        } catch (NotFoundException e) {
            // Gone already.
        } catch (DockerException e) {
            // An image still used by a container stays; the next cleanup takes it.
        }
    }

    public List<String> images(Map<String, String> labels) {
        return client.listImagesCmd().withLabelFilter(labels).exec().stream().map(i -> i.getId()).toList();
    }

    /**
     * The size on disk of every Docker volume whose size the engine reports (its {@code UsageData.Size} in
     * {@code GET /system/df}), by volume name. A volume the engine does not measure (size -1, or an engine that
     * does not answer) is absent: the caller shows it as unknown. pier cannot measure itself: /var/lib/docker is
     * root's.
     */
    public Map<String, Long> volumeSizes() {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET).path("/system/df?type=volume").build();
        Map<String, Long> sizes = new HashMap<>();
        try (DockerHttpClient.Response response = http.execute(request); InputStream body = response.getBody()) {
            if (response.getStatusCode() != 200) {
                return sizes;
            }
            JsonNode volumes = new ObjectMapper().readTree(body).path("Volumes");
            for (JsonNode volume : volumes) {
                JsonNode size = volume.path("UsageData").path("Size");
                if (volume.path("Name").isTextual() && size.canConvertToLong() && size.asLong() >= 0) {
                    sizes.put(volume.path("Name").asText(), size.asLong());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Size is a report's courtesy: an engine that cannot tell leaves it unknown.
        }
        return sizes;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String trimmed = message.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl);
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (java.io.IOException e) {
            // Closing a unix socket client has nothing to recover.
        }
    }
}
