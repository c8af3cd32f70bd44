package pier.engine;

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
import com.github.dockerjava.api.model.ContainerPort;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Volume;
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
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;
import pier.base.Shown;
import pier.state.Resources;
import pier.state.Settings;

/**
 * Everything pier asks of the Docker engine, through docker-java. The API version is negotiated with the
 * daemon, never pinned. Every container and image pier makes carries the {@code pier.*} labels, and pier
 * finds its containers by those labels only.
 * <p>
 * It is long because it is the one adapter: every engine call pier makes is a short translation here, so no other
 * package sees a docker-java type (LayeringTest holds that). What it offers is named by {@link Scheduler} and
 * {@link Images}; read those first.
 */
public final class Docker implements Scheduler, Images, AutoCloseable {

    private final DockerClient client;
    /** The transport under {@link #client}, for the few API calls docker-java has no command for (system df). */
    private final DockerHttpClient http;
    private final java.net.URI host;

    private Docker(DockerClient client, DockerHttpClient http, java.net.URI host) {
        this.client = client;
        this.http = http;
        this.host = host;
    }

    public static Docker connect() {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        return new Docker(DockerClientImpl.getInstance(config, http), http, config.getDockerHost());
    }

    /** This engine as a swarm's manager: the nodes pier adds. */
    public Swarm swarm() {
        return new Swarm(client);
    }

    /** The swarm services this manager runs: an app's processes across the nodes. */
    public SwarmServices swarmServices() {
        return new SwarmServices(http);
    }

    @Override
    public List<Nginx.Upstream> swarmUpstreams(String service) {
        // A host that left its swarm has no tasks to route to; the app then has nothing running, like a stopped one.
        if (!swarm().managing()) {
            return List.of();
        }
        return SwarmServices.upstreams(swarmServices().tasks(service), swarm().addressesById());
    }

    /**
     * Tags the local {@code image} as {@code repository:tag} in {@code registry} and pushes it there as pier's account;
     * returns the pushed name. Layers the registry has already are not sent again.
     */
    public String push(String image, Registry registry, String repository, String tag, String password) {
        String remote = registry.host() + "/" + repository;
        try {
            client.tagImageCmd(image, remote, tag).withForce().exec();
            com.github.dockerjava.api.model.AuthConfig auth = new com.github.dockerjava.api.model.AuthConfig()
                    .withUsername(Registry.USER).withPassword(password).withRegistryAddress(registry.host());
            client.pushImageCmd(remote).withTag(tag).withAuthConfig(auth)
                    .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.PushResponseItem>() {
                        @Override
                        public void onNext(com.github.dockerjava.api.model.PushResponseItem item) {
                            if (item.isErrorIndicated()) {
                                throw new IllegalStateException(item.getErrorDetail() != null ? item.getErrorDetail().getMessage()
                                        : String.valueOf(item.getError()));
                            }
                        }
                    }).awaitCompletion();
            return remote + ":" + tag;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted while pushing " + image + " to " + registry.host());
        } catch (RuntimeException e) {
            throw PierException.failed("cannot push " + image + " to the cluster's registry " + registry.host() + ": "
                    + Shown.firstLine(String.valueOf(e.getMessage())), e);
        }
    }

    public boolean ping() {
        try {
            client.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Builds {@code dir}'s Dockerfile, streaming each output line to {@code log}. Its RUN steps run on {@code network}
     * (the app's own, so a build reaches no other app) with at most {@code memory} bytes (0: no limit), and a build
     * still running at {@code deadline} is stopped: closing the connection makes the engine cancel it. {@code labels}
     * reach the final image only (the legacy builder appends them as a last LABEL step), so the images a build made
     * are told by the ids its output reported ({@link BuildSteps}): a failed build's are removed here.
     */
    public Built build(File dir, String tag, Map<String, String> labels, String network, long memory, Duration deadline,
                       Consumer<String> log) {
        BuildSteps steps = new BuildSteps();
        java.time.Instant began = java.time.Instant.now();
        BuildImageResultCallback callback = new BuildImageResultCallback() {
            @Override
            public void onNext(BuildResponseItem item) {
                if (item.getStream() != null) {
                    item.getStream().lines().forEach(steps::line);
                    item.getStream().lines().filter(l -> !l.isBlank()).forEach(log);
                }
                if (item.isErrorIndicated() && item.getErrorDetail() != null) {
                    log.accept(item.getErrorDetail().getMessage());
                }
                super.onNext(item);
            }
        };
        try {
            var cmd = client.buildImageCmd(dir).withTags(Set.of(tag)).withLabels(labels).withPull(false)
                    .withNetworkMode(network(network, labels.get(Labels.APP))).withForcerm(true);
            if (memory > 0) {
                cmd.withMemory(memory).withMemswap(memory);
            }
            cmd.exec(callback);
            boolean done;
            try {
                done = callback.awaitCompletion(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                try {
                    callback.close();
                } catch (IOException e) {
                    // The connection is going away either way.
                }
                throw PierException.failed("the build did not finish within " + deadline.toSeconds() + "s and was stopped"
                        + " (the setting " + Settings.BUILD_TIMEOUT + " sets that deadline)");
            }
            String id = callback.awaitImageId();
            return new Built(id, aside(id, madeSince(steps.images(), began)));
        } catch (PierException e) {
            removeBuilt(steps, began);
            throw e;
        } catch (RuntimeException e) {
            removeBuilt(steps, began);
            throw PierException.failed("docker build failed: " + Shown.firstLine(e.getMessage()), e);
        }
    }

    /**
     * Removes what a failed build made: the containers its steps ran in (the engine removes them itself, forcerm,
     * unless the build was cut off), then its images, newest first. The ids come from the build's output, which the
     * app's own steps also write to, so an id is trusted only for something made since the build began, and an image
     * only when untagged: never the base image, another app's release or an admin's image. Removal is not forced,
     * so an image another build already stands on stays.
     */
    private void removeBuilt(BuildSteps steps, java.time.Instant began) {
        for (String c : steps.containers()) {
            try {
                var inspect = client.inspectContainerCmd(c).exec();
                Map<String, String> labels = inspect.getConfig() == null || inspect.getConfig().getLabels() == null
                        ? Map.of() : inspect.getConfig().getLabels();
                if (!labels.containsKey(Labels.APP) && since(inspect.getCreated(), began)) {
                    remove(c);
                }
            } catch (RuntimeException e) {
                // Gone already, or the engine holds it: not worth hiding the build's own error.
            }
        }
        List<String> made = new ArrayList<>(madeSince(steps.images(), began));
        java.util.Collections.reverse(made);
        made.forEach(this::removeUntaggedIfUnused);
    }

    /** Of {@code ids}, the untagged images created since {@code began}. */
    private List<String> madeSince(List<String> ids, java.time.Instant began) {
        List<String> made = new ArrayList<>();
        for (String id : ids) {
            try {
                var inspect = client.inspectImageCmd(id).exec();
                boolean tagged = inspect.getRepoTags() != null && !inspect.getRepoTags().isEmpty();
                if (!tagged && since(inspect.getCreated(), began)) {
                    made.add(id);
                }
            } catch (RuntimeException e) {
                // Gone already.
            }
        }
        return made;
    }

    private static boolean since(@Nullable String created, java.time.Instant began) {
        try {
            // A second's slack: the engine's clock stamps, ours began; both are this host's clock.
            return created != null && !java.time.Instant.parse(created).isBefore(began.minusSeconds(1));
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** Of the images a build made, those {@code id} does not stand on (other stages' steps), oldest first. */
    private List<String> aside(String id, List<String> made) {
        Set<String> chain = new java.util.HashSet<>();
        String at = id;
        try {
            while (at != null && !at.isEmpty() && chain.size() < 1000) {
                var image = client.inspectImageCmd(at).exec();
                chain.add(shortId(image.getId()));
                at = image.getParent();
            }
        } catch (NotFoundException e) {
            // The chain ends at an image the engine no longer has.
        }
        return made.stream().filter(m -> !chain.contains(shortId(m))).toList();
    }

    private static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    /** The bytes {@code image} adds to its parent (its own layer), or -1 when the engine no longer has it. */
    public long ownSize(String image) {
        try {
            var inspect = client.inspectImageCmd(image).exec();
            long size = inspect.getSize() == null ? 0 : inspect.getSize();
            String parent = inspect.getParent();
            if (parent == null || parent.isEmpty()) {
                return size;
            }
            Long parentSize = client.inspectImageCmd(parent).exec().getSize();
            return Math.max(0, size - (parentSize == null ? 0 : parentSize));
        } catch (NotFoundException e) {
            return -1;
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

    /** Creates and starts a long-running container (restart policy unless-stopped); returns its id. */
    public String start(ContainerSpec spec) {
        HostConfig host = confined(spec)
                // No restart until it has proved healthy: a crash during the check must show its real exit code.
                .withRestartPolicy(RestartPolicy.noRestart());
        var create = client.createContainerCmd(spec.image())
                .withName(spec.name())
                .withEnv(spec.env())
                .withLabels(spec.labels());
        if (spec.hostPort() > 0) {
            ExposedPort port = ExposedPort.tcp(spec.containerPort());
            host.withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", spec.hostPort()), port));
            create.withExposedPorts(port);
        }
        if (spec.cmd() != null) {
            create.withCmd(spec.cmd());
        }
        String address = spec.labels().get(Labels.ADDRESS);
        if (address != null) {
            create.withIpv4Address(address);
        }
        String id;
        try {
            id = create.withHostConfig(host).exec().getId();
        } catch (RuntimeException e) {
            throw PierException.failed("cannot create container " + spec.name() + ": " + Shown.firstLine(e.getMessage()), e);
        }
        try {
            client.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            remove(id);
            throw PierException.failed("cannot start container: " + Shown.firstLine(e.getMessage()), e);
        }
        return id;
    }

    /**
     * The host side of every container pier starts: its volumes, its app's network (no other app's container can
     * connect to it), its memory (no swap beyond it), CPU and process limits, and Docker's log of it rotated.
     */
    private HostConfig confined(ContainerSpec spec) {
        Resources.Confinement c = spec.confinement();
        HostConfig host = HostConfig.newHostConfig()
                .withBinds(spec.mounts().stream().map(m -> new Bind(m.volume(), new Volume(m.path()))).toList())
                .withNetworkMode(network(c.network(), spec.labels().get(Labels.APP)))
                .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE,
                        Map.of("max-size", c.logMaxSize(), "max-file", Integer.toString(c.logMaxFiles()))));
        Resources.Limits limits = c.limits();
        if (limits.memory() > 0) {
            host.withMemory(limits.memory()).withMemorySwap(limits.memory());
        }
        if (limits.cpus() > 0) {
            host.withNanoCPUs(Math.round(limits.cpus() * 1e9));
        }
        if (limits.pids() > 0) {
            host.withPidsLimit(limits.pids());
        }
        return host;
    }

    /**
     * The bridge network {@code name} (labelled for {@code app}), created when missing with a /24 of its own from
     * {@value #NETWORK_POOL}: Docker's default pools hold about thirty networks, far fewer than a server has apps.
     * Returns its name.
     */
    public String network(String name, @Nullable String app) {
        try {
            // The common case, one lookup by name: listing every app's network would make a start cost grow with apps.
            client.inspectNetworkCmd().withNetworkId(name).exec();
            return name;
        } catch (NotFoundException missing) {
            // Made below.
        }
        List<com.github.dockerjava.api.model.Network> all = client.listNetworksCmd().exec();
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (var n : all) {
            if (n.getIpam() != null && n.getIpam().getConfig() != null) {
                n.getIpam().getConfig().forEach(c -> taken.add(c.getSubnet()));
            }
        }
        for (int third = 0; third < 256; third++) {
            String subnet = NETWORK_POOL_PREFIX + third + ".0/24";
            if (taken.contains(subnet)) {
                continue;
            }
            try {
                client.createNetworkCmd().withName(name).withDriver("bridge")
                        .withLabels(app == null ? Map.of() : Map.of(Labels.APP, app))
                        .withIpam(new com.github.dockerjava.api.model.Network.Ipam().withConfig(
                                new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(subnet)
                                        // The engine's own picks (builds, one-offs) stay below the fixed addresses.
                                        .withIpRange(NETWORK_POOL_PREFIX + third + ".0/25")))
                        .exec();
                return name;
            } catch (ConflictException e) {
                // Another pier process made it meanwhile.
                return name;
            } catch (DockerException e) {
                // The subnet overlaps one Docker or the host uses: try the next.
                if (e.getMessage() == null || !e.getMessage().contains("overlap")) {
                    throw PierException.failed("cannot create the network " + name + ": " + Shown.firstLine(e.getMessage()), e);
                }
            }
        }
        throw PierException.failed("no free /24 left in " + NETWORK_POOL_PREFIX + "0.0/16 for the network " + name
                + ": remove apps you no longer need");
    }

    public String subnet(String network, String app) {
        network(network, app);
        var ipam = client.inspectNetworkCmd().withNetworkId(network).exec().getIpam();
        return (ipam == null || ipam.getConfig() == null ? List.<com.github.dockerjava.api.model.Network.Ipam.Config>of()
                : ipam.getConfig()).stream()
                .map(com.github.dockerjava.api.model.Network.Ipam.Config::getSubnet)
                .filter(sub -> sub != null && sub.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")).findFirst()
                .orElseThrow(() -> PierException.failed("the network " + network + " has no IPv4 subnet: remove it"
                        + " (docker network rm " + network + ") and deploy again"));
    }

    @Override
    public boolean connect(String id, String network, String app, String alias) {
        network(network, app);
        return join(id, network, alias);
    }

    @Override
    public boolean connectOverlay(String id, String network, String app, String alias) {
        SwarmServices services = swarmServices();
        Map<String, String> labels = Map.of(Labels.APP, app);
        try {
            services.overlay(network, labels);
        } catch (PierException e) {
            // A deploy of the app made it meanwhile (Docker refuses a second one of the name): the second look finds it.
            services.overlay(network, labels);
        }
        return join(id, network, alias);
    }

    /** Joins the container to the existing network; false when it is on it already. */
    private boolean join(String id, String network, String alias) {
        try {
            client.connectToNetworkCmd().withContainerId(id).withNetworkId(network)
                    .withContainerNetwork(new com.github.dockerjava.api.model.ContainerNetwork().withAliases(alias)).exec();
            return true;
        } catch (DockerException e) {
            // A bridge says its endpoint "already exists"; an attachable overlay, that the container "is already attached".
            if (e.getMessage() == null || !(e.getMessage().contains("already exists") || e.getMessage().contains("already attached"))) {
                throw PierException.failed("cannot join the network " + network + ": " + Shown.firstLine(e.getMessage()), e);
            }
            return false;
        }
    }

    @Override
    public void disconnect(String id, String network) {
        try {
            client.disconnectFromNetworkCmd().withContainerId(id).withNetworkId(network).exec();
        } catch (NotFoundException e) {
            // Gone already.
        } catch (DockerException e) {
            if (e.getMessage() == null || !e.getMessage().contains("is not connected")) {
                throw PierException.failed("cannot leave the network " + network + ": " + Shown.firstLine(e.getMessage()), e);
            }
        }
    }

    @Override
    public void removeNetwork(String name) {
        try {
            client.removeNetworkCmd(name).exec();
        } catch (NotFoundException e) {
            // Gone already.
        }
    }

    /** Where app networks take their /24 from: 256 apps. */
    static final String NETWORK_POOL = "172.30.0.0/16";
    private static final String NETWORK_POOL_PREFIX = "172.30.";

    /** Removes the networks matching {@code label} ({@code pier.app=blog}, or {@code pier.app} for all); one in use stays. */
    public void removeNetworks(String label) {
        for (var n : client.listNetworksCmd().withFilter("label", List.of(label)).exec()) {
            try {
                client.removeNetworkCmd(n.getId()).exec();
            } catch (NotFoundException e) {
                // Gone already.
            } catch (DockerException e) {
                // Still in use by a container being removed; the next destroy or purge takes it.
            }
        }
    }

    public void resume(String id) {
        try {
            client.startContainerCmd(id).exec();
        } catch (NotModifiedException e) {
            // Running already: the goal is reached.
        } catch (RuntimeException e) {
            throw PierException.failed("cannot start container " + id.substring(0, Math.min(12, id.length())) + ": "
                    + Shown.firstLine(e.getMessage()), e);
        }
    }

    public Optional<Integer> hostPort(String id) {
        HostConfig host = client.inspectContainerCmd(id).exec().getHostConfig();
        Ports ports = host == null ? null : host.getPortBindings();
        if (ports == null) {
            return Optional.empty();
        }
        return ports.getBindings().values().stream().filter(java.util.Objects::nonNull).flatMap(Arrays::stream)
                .map(Ports.Binding::getHostPortSpec).filter(p -> p != null && p.matches("\\d{1,5}"))
                .map(Integer::parseInt).findFirst();
    }

    /** From now on the engine restarts the container after a crash, a reboot or a restart of dockerd. */
    public void keepRunning(String id) {
        client.updateContainerCmd(id).withRestartPolicy(RestartPolicy.unlessStoppedRestart()).exec();
    }

    /**
     * The restart policy named "no". docker-java's {@code noRestart()} sends an empty name, which an update takes as
     * "leave the policy as it is"; its constructor with a name is private, so the policy is read from its JSON.
     */
    private static final RestartPolicy NO_RESTART = noRestart();

    private static RestartPolicy noRestart() {
        try {
            return new ObjectMapper().readValue("{\"Name\":\"no\",\"MaximumRetryCount\":0}", RestartPolicy.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void letStop(String id) {
        try {
            client.updateContainerCmd(id).withRestartPolicy(NO_RESTART).exec();
        } catch (NotFoundException e) {
            // Retired already: nothing left to come back.
        }
    }

    public ContainerState state(String id) {
        InspectContainerResponse inspect = client.inspectContainerCmd(id).exec();
        InspectContainerResponse.ContainerState state = inspect.getState();
        Integer restarts = inspect.getRestartCount();
        Long exit = state.getExitCodeLong();
        return new ContainerState(Boolean.TRUE.equals(state.getRunning()), Boolean.TRUE.equals(state.getRestarting()),
                exit == null ? 0 : exit, Boolean.TRUE.equals(state.getOOMKilled()), restarts == null ? 0 : restarts,
                state.getStartedAt() == null ? "" : state.getStartedAt(),
                state.getFinishedAt() == null ? "" : state.getFinishedAt());
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
        return ownOnly(seen(client.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec()));
    }

    /** Containers carrying the label {@code key}, whatever its value, running or not, oldest first. */
    public List<Container> containersLabelled(String key) {
        return ownOnly(seen(client.listContainersCmd().withShowAll(true).withLabelFilter(List.of(key)).exec()));
    }

    /**
     * The containers this engine runs for pier itself: a swarm task on this host carries the app's labels too, but
     * Swarm owns it, and a reconcile or retire that took it for a local process would stop it under Swarm's feet.
     */
    private static List<Container> ownOnly(List<Container> containers) {
        return containers.stream().filter(c -> !c.swarmTask()).toList();
    }

    static final String SWARM_TASK = Container.SWARM_TASK;

    /**
     * The container Swarm runs on this host for the task {@code taskId}, running or not; empty when the task runs on
     * another node (or has no container yet). The one way to a swarm task's container: {@link #containers} leaves them out.
     */
    public Optional<Container> taskContainer(String taskId) {
        return seen(client.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(SWARM_TASK, taskId)).exec()).stream()
                .findFirst();
    }

    /** Containers (pier's or not) that mount any of {@code volumes}, running or not. */
    public List<Container> containersMounting(List<String> volumes) {
        return seen(client.listContainersCmd().withShowAll(true).withVolumeFilter(volumes).exec());
    }

    private static List<Container> seen(List<com.github.dockerjava.api.model.Container> found) {
        return found.stream().sorted(Comparator.comparing(com.github.dockerjava.api.model.Container::getCreated))
                .map(c -> new Container(c.getId(),
                        c.getNames() != null && c.getNames().length > 0 ? c.getNames()[0].replaceFirst("^/", "") : "",
                        c.getLabels() == null ? Map.of() : c.getLabels(), c.getState() == null ? "" : c.getState(),
                        c.getStatus() == null ? "" : c.getStatus(),
                        Arrays.stream(c.getPorts() == null ? new ContainerPort[0] : c.getPorts())
                                .map(ContainerPort::getPublicPort).filter(java.util.Objects::nonNull).findFirst()))
                .toList();
    }

    /**
     * Runs a one-off container to its end with our stdin, stdout and stderr joined to it (no tty); returns its exit
     * code. It has no restart policy and is removed afterwards, also when this process is stopped.
     */
    public int runAttached(ContainerSpec spec, InputStream in, java.io.OutputStream out, java.io.OutputStream err) {
        String id = createOneOff(spec, true);
        Thread cleanup = new Thread(() -> remove(id));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            java.util.concurrent.CountDownLatch attached = new java.util.concurrent.CountDownLatch(1);
            RuntimeException[] failure = new RuntimeException[1];
            Thread pump = new Thread(() -> {
                try {
                    DockerStream.pump(DockerStream.socket(host), "POST", "/containers/" + id
                            + "/attach?stream=1&stdin=1&stdout=1&stderr=1", null, in, out, err, false, attached::countDown);
                } catch (RuntimeException e) {
                    failure[0] = e;
                    attached.countDown();
                }
            }, "pier-attach");
            pump.start();
            attached.await();
            if (failure[0] != null) {
                throw failure[0];
            }
            startOneOff(id);
            int code = client.waitContainerCmd(id).start().awaitStatusCode();
            pump.join(60_000);
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } finally {
            remove(id);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or ran: the container is gone either way.
            }
        }
    }

    /**
     * Runs a one-off container to its end, each line it writes to {@code log}; returns its exit code. One still
     * running at {@code deadline} is killed and reported. Removed after.
     */
    public int runLogged(ContainerSpec spec, Duration deadline, Consumer<String> log) {
        String id = createOneOff(spec, false);
        try {
            startOneOff(id);
            boolean ended = client.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            new String(frame.getPayload(), StandardCharsets.UTF_8).lines().forEach(log);
                        }
                    }).awaitCompletion(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (!ended) {
                throw PierException.failed(spec.name() + " did not end within " + deadline.toSeconds() + "s and was stopped");
            }
            return client.waitContainerCmd(id).start().awaitStatusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted while " + spec.name() + " ran");
        } finally {
            remove(id);
        }
    }

    private String createOneOff(ContainerSpec spec, boolean stdin) {
        var create = client.createContainerCmd(spec.image())
                .withName(spec.name())
                .withEnv(spec.env())
                .withLabels(spec.labels())
                .withAttachStdout(true).withAttachStderr(true)
                .withHostConfig(confined(spec));
        if (stdin) {
            create.withAttachStdin(true).withStdinOpen(true).withStdInOnce(true).withTty(false);
        }
        if (spec.cmd() != null) {
            create.withCmd(spec.cmd());
        }
        try {
            return create.exec().getId();
        } catch (RuntimeException e) {
            throw PierException.failed("cannot create container " + spec.name() + ": " + Shown.firstLine(e.getMessage()), e);
        }
    }

    private void startOneOff(String id) {
        try {
            client.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            throw PierException.failed("cannot start the command: " + Shown.firstLine(e.getMessage()), e);
        }
    }

    /** Runs {@code argv} in a running container within {@code timeout}; its exit code (-1 when it timed out) and output. */
    public ExecResult exec(String containerId, List<String> argv, Duration timeout) {
        StringBuilder out = new StringBuilder();
        try {
            String exec = client.execCreateCmd(containerId).withCmd(argv.toArray(String[]::new))
                    .withAttachStdout(true).withAttachStderr(true).exec().getId();
            boolean done = client.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (out) {
                        out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                }
            }).awaitCompletion(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (!done) {
                return new ExecResult(-1, "no result within " + timeout.toSeconds() + "s");
            }
            Long code = client.inspectExecCmd(exec).exec().getExitCodeLong();
            synchronized (out) {
                return new ExecResult(code == null ? -1 : code, out.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ExecResult(-1, "interrupted");
        } catch (RuntimeException e) {
            return new ExecResult(-1, Shown.firstLine(e.getMessage()));
        }
    }

    /**
     * Runs {@code argv} in a running container with our streams joined to it, in a terminal when {@code tty}; returns
     * its exit code. {@code size} (rows, columns) sizes the terminal.
     */
    public int execAttached(String containerId, List<String> argv, boolean tty, int @Nullable [] size, InputStream in,
                            java.io.OutputStream out, java.io.OutputStream err) {
        String exec;
        try {
            var create = client.execCreateCmd(containerId).withCmd(argv.toArray(String[]::new))
                    .withAttachStdin(true).withAttachStdout(true).withAttachStderr(true).withTty(tty);
            if (tty) {
                create.withEnv(List.of("TERM=" + java.util.Optional.ofNullable(System.getenv("TERM")).orElse("xterm")));
            }
            exec = create.exec().getId();
        } catch (RuntimeException e) {
            throw PierException.failed("cannot run " + argv + " in the container: " + Shown.firstLine(e.getMessage()), e);
        }
        Runnable resize = () -> {
            if (tty && size != null) {
                try {
                    client.resizeExecCmd(exec).withSize(size[0], size[1]).exec();
                } catch (RuntimeException e) {
                    // The terminal keeps Docker's default size.
                }
            }
        };
        DockerStream.pump(DockerStream.socket(host), "POST", "/exec/" + exec + "/start",
                "{\"Detach\":false,\"Tty\":" + tty + "}", in, out, err, tty, resize);
        Long code = client.inspectExecCmd(exec).exec().getExitCodeLong();
        return code == null ? 1 : code.intValue();
    }

    /**
     * The last {@code tail} lines of a container (all with a negative tail), each with its timestamp, to {@code line};
     * with {@code follow}, then every new line until the container stops or {@code line} throws.
     */
    public void logs(String id, int tail, boolean follow, Consumer<LogLine> line) {
        var cmd = client.logContainerCmd(id).withStdOut(true).withStdErr(true).withTimestamps(true).withFollowStream(follow);
        if (tail >= 0) {
            cmd.withTail(tail);
        } else {
            cmd.withTailAll();
        }
        StringBuilder partial = new StringBuilder();
        try {
            cmd.exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    partial.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        String text = partial.substring(0, nl);
                        partial.delete(0, nl + 1);
                        int space = text.indexOf(' ');
                        line.accept(space > 0 ? new LogLine(text.substring(0, space), text.substring(space + 1))
                                : new LogLine("", text));
                    }
                }
            }).awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (NotFoundException e) {
            // Removed meanwhile (a retired container): its lines are over.
        }
    }

    /** True when the image has {@code path} (e.g. /bin/sh): looked up in a container created, never started, from it. */
    public boolean hasFile(String image, String path, Map<String, String> labels) {
        String id = client.createContainerCmd(image).withCmd("/pier-never-runs").withLabels(labels)
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none")).exec().getId();
        try (InputStream in = client.copyArchiveFromContainerCmd(id, path).exec()) {
            in.readAllBytes();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (IOException e) {
            throw PierException.failed("cannot look into " + image + ": " + e.getMessage(), e);
        } finally {
            remove(id);
        }
    }

    /** Stops gracefully (SIGTERM, then SIGKILL after {@code grace}) and keeps the container; stopped already is fine. */
    public void stop(String id, Duration grace) {
        try {
            client.stopContainerCmd(id).withTimeout((int) Math.max(1, grace.toSeconds())).exec();
        } catch (NotFoundException | NotModifiedException e) {
            // Already stopped or gone: the goal is reached.
        }
    }

    /**
     * Stops (and with {@code remove}, removes) all of {@code ids} at once, since each may take its whole grace period,
     * each on its own so one failure does not keep the others running; returns what failed, as "id: reason".
     */
    public List<String> stopAll(List<String> ids, Duration grace, boolean remove) {
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> stopping = new ArrayList<>();
        for (String id : ids) {
            Thread t = new Thread(() -> {
                try {
                    if (remove) {
                        stopAndRemove(id, grace);
                    } else {
                        stop(id, grace);
                    }
                } catch (RuntimeException e) {
                    problems.add(id.substring(0, Math.min(12, id.length())) + ": " + Shown.firstLine(e.getMessage()));
                }
            }, "pier-stop-" + id);
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add("interrupted while stopping containers");
                break;
            }
        }
        return List.copyOf(problems);
    }

    /** Stops gracefully (SIGTERM, then SIGKILL after {@code grace}) and removes; gone already is fine. */
    public void stopAndRemove(String id, Duration grace) {
        try {
            client.stopContainerCmd(id).withTimeout((int) Math.max(1, grace.toSeconds())).exec();
        } catch (NotFoundException | NotModifiedException e) {
            // Already stopped or gone: the goal is reached.
        } catch (ConflictException e) {
            if (alreadyBeingRemoved(e)) {
                return;
            }
            throw e;
        }
        remove(id);
    }

    /** Another pier process (a second background retire) is removing it right now: the goal is reached. */
    private static boolean alreadyBeingRemoved(ConflictException e) {
        return e.getMessage() != null && e.getMessage().contains("already in progress");
    }

    public void remove(String id) {
        try {
            client.removeContainerCmd(id).withForce(true).exec();
        } catch (NotFoundException e) {
            // Gone already.
        } catch (ConflictException e) {
            // A background retire may be removing it right now; anything else is a real conflict.
            if (!alreadyBeingRemoved(e)) {
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

    /** The ids of the images carrying the label {@code key}, whatever its value. */
    public List<String> imagesLabelled(String key) {
        return client.listImagesCmd().withLabelFilter(key).exec().stream().map(i -> i.getId()).toList();
    }

    /** The Docker volumes matching a label filter: {@code KEY} or {@code KEY=VALUE}. */
    public List<VolumeInfo> volumes(String labelFilter) {
        var found = client.listVolumesCmd().withFilter("label", List.of(labelFilter)).exec().getVolumes();
        return found == null ? List.of() : found.stream()
                .map(v -> new VolumeInfo(v.getName(), v.getLabels() == null ? Map.of() : v.getLabels()))
                .sorted(Comparator.comparing(VolumeInfo::name)).toList();
    }

    public boolean volumeExists(String name) {
        try {
            client.inspectVolumeCmd(name).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Creates the Docker volume {@code name} with {@code labels}; returns its name. */
    public String createVolume(String name, Map<String, String> labels) {
        return client.createVolumeCmd().withName(name).withLabels(labels).exec().getName();
    }

    /** Removes a Docker volume; one that is gone already is fine. */
    public void removeVolume(String name) {
        try {
            client.removeVolumeCmd(name).exec();
        } catch (NotFoundException gone) {
            // Gone already: the goal is reached.
        } catch (RuntimeException e) {
            throw PierException.failed("cannot remove Docker volume " + name + ": " + Shown.firstLine(e.getMessage()), e);
        }
    }

    public List<String> images(Map<String, String> labels) {
        return client.listImagesCmd().withLabelFilter(labels).exec().stream().map(i -> i.getId()).toList();
    }

    /** The tags (repo:tag) of the images carrying {@code labels}. */
    public List<String> imageTags(Map<String, String> labels) {
        return client.listImagesCmd().withLabelFilter(labels).exec().stream()
                .flatMap(i -> i.getRepoTags() == null ? java.util.stream.Stream.empty() : Arrays.stream(i.getRepoTags()))
                .filter(t -> !t.equals("<none>:<none>")).distinct().sorted().toList();
    }

    /** The ids of the untagged images carrying {@code labels}: builds whose tag went to a newer build. */
    public List<String> danglingImages(Map<String, String> labels) {
        return client.listImagesCmd().withLabelFilter(labels).withDanglingFilter(true).exec().stream()
                .map(i -> i.getId()).toList();
    }

    /**
     * Removes a tag, or an untagged image by id, unless a container still uses it (then it stays for the next
     * cleanup); returns true when it went. An image with another tag only loses this one.
     */
    public boolean removeImageIfUnused(String image) {
        try {
            client.removeImageCmd(image).withForce(false).exec();
            return true;
        } catch (NotFoundException e) {
            return true;
        } catch (DockerException e) {
            return false;
        }
    }

    /** What the engine holds on disk, by its own figures ({@code GET /system/df}); empty when it does not answer. */
    public EngineUsage usage() {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET).path("/system/df").build();
        List<EngineUsage.Image> images = new ArrayList<>();
        List<EngineUsage.Container> containers = new ArrayList<>();
        try (DockerHttpClient.Response response = http.execute(request); InputStream body = response.getBody()) {
            if (response.getStatusCode() != 200) {
                return new EngineUsage(images, containers);
            }
            JsonNode df = new ObjectMapper().readTree(body);
            for (JsonNode i : df.path("Images")) {
                List<String> tags = new ArrayList<>();
                i.path("RepoTags").forEach(t -> {
                    if (!t.asText().equals("<none>:<none>")) {
                        tags.add(t.asText());
                    }
                });
                images.add(new EngineUsage.Image(i.path("Id").asText(), tags, labels(i.path("Labels")),
                        i.path("Size").asLong(-1), i.path("SharedSize").asLong(-1)));
            }
            for (JsonNode c : df.path("Containers")) {
                containers.add(new EngineUsage.Container(c.path("Id").asText(), labels(c.path("Labels")),
                        c.path("SizeRw").asLong(0)));
            }
        } catch (IOException | RuntimeException e) {
            // A report's courtesy: an engine that cannot tell shows nothing.
        }
        return new EngineUsage(images, containers);
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new HashMap<>();
        node.fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        return labels;
    }

    public boolean removeUntaggedIfUnused(String image) {
        try {
            List<String> tags = client.inspectImageCmd(image).exec().getRepoTags();
            if (tags != null && !tags.isEmpty()) {
                return false;
            }
        } catch (NotFoundException e) {
            return true;
        }
        return removeImageIfUnused(image);
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


    @Override
    public void close() {
        try {
            client.close();
        } catch (java.io.IOException e) {
            // Closing a unix socket client has nothing to recover.
        }
    }
}
