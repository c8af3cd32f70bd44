package pier.deploy;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;
import pier.engine.Container;
import pier.engine.ContainerSpec;
import pier.engine.ContainerState;
import pier.engine.Images;
import pier.engine.Nginx;
import pier.engine.Proxy;
import pier.engine.Scheduler;
import pier.names.AppName;

/**
 * An engine and a proxy in memory, for the deploy's failure paths: each step can be made to fail the way the real
 * one does (a build error, a container that cannot start or exits at once, a release command's exit code, a site
 * Nginx refuses). A web container it starts answers HTTP 200 on its host port for real, so the default check
 * passes through the same code as on a server.
 */
final class FakeEngine implements Scheduler, Images, Proxy {
    /** What each step does next; a test sets these before the step it wants to fail. */
    @Nullable String failBuild;
    int failStartAt = -1;
    boolean crashOnStart;
    /** Containers of this process type exit at once, with {@link #crashExit}. */
    @Nullable String crashType;
    int crashExit = 3;
    int releaseCommandExit;
    @Nullable String failProxy;
    /** The deploying process "dies" (an Error no catch of the deploy handles, like a kill -9) at these points. */
    boolean killAfterStart;
    boolean killAfterSwitch;

    /** What a kill -9 looks like to the code under test: it stops where it is, and nothing of it cleans up. */
    static final class Killed extends Error {
        Killed(String where) {
            super("killed " + where);
        }
    }

    private final Map<String, Container> containers = new LinkedHashMap<>();
    private final Map<String, HttpServer> listeners = new HashMap<>();
    private final Map<AppName, Nginx.Vhost> sites = new HashMap<>();
    private final List<String> oneOffs = new ArrayList<>();
    private final java.util.Set<String> letStop = new java.util.HashSet<>();
    /** Which container is on which network as what: "ID NETWORK ALIAS". */
    private final java.util.Set<String> networks = new java.util.TreeSet<>();
    private int starts;
    private int ids;

    // ---- what a test reads ----

    /** The containers that exist now, by instance name (web.1) and release. */
    List<String> existing() {
        return containers.values().stream().map(c -> "v" + c.release() + " " + c.instance()).sorted().toList();
    }

    /** What a kill -9 of dockerd leaves: every container exited, nothing listening. */
    void crashAll() {
        containers.replaceAll((id, c) -> new Container(id, c.name(), c.labels(), "exited", "Exited (137)", c.publicPort()));
        listeners.values().forEach(s -> s.stop(0));
        listeners.clear();
    }

    /** The containers that exist now with their state: "v1 web.1 running". */
    List<String> states() {
        return containers.values().stream().map(c -> "v" + c.release() + " " + c.instance() + " " + c.state()).sorted().toList();
    }

    Optional<Nginx.Vhost> site(AppName app) {
        return Optional.ofNullable(sites.get(app));
    }

    /** The ids of the containers the engine would no longer restart ({@link #letStop}). */
    java.util.Set<String> letStopped() {
        return letStop;
    }

    /** Every container there is, with its labels and state. */
    List<Container> all() {
        return List.copyOf(containers.values());
    }

    /** Which container is on which network as what: "ID NETWORK ALIAS", sorted. */
    List<String> networks() {
        return List.copyOf(networks);
    }

    int starts() {
        return starts;
    }

    List<String> oneOffs() {
        return oneOffs;
    }

    // ---- Images ----

    public Built build(File dir, String tag, Map<String, String> labels, String network, long memory, Duration deadline,
                       Consumer<String> log) {
        if (failBuild != null) {
            throw PierException.failed("docker build failed: " + failBuild);
        }
        log.accept("Successfully built " + tag);
        return new Built("sha256:" + Integer.toHexString(tag.hashCode()), List.of());
    }

    public long ownSize(String image) {
        return -1;
    }

    public boolean removeUntaggedIfUnused(String image) {
        return true;
    }

    public boolean imageExists(String image) {
        return true;
    }

    public List<Integer> exposedTcpPorts(String image) {
        return List.of();
    }

    public List<String> images(Map<String, String> labels) {
        return List.of();
    }

    public List<String> imageTags(Map<String, String> labels) {
        return List.of();
    }

    public List<String> danglingImages(Map<String, String> labels) {
        return List.of();
    }

    public boolean removeImageIfUnused(String image) {
        return true;
    }

    public void removeImage(String image) {
    }

    // ---- Scheduler ----

    public String start(ContainerSpec spec) {
        starts++;
        if (starts == failStartAt) {
            throw PierException.failed("cannot start container: port is already allocated");
        }
        String id = String.format("%064x", ++ids);
        boolean crashes = crashOnStart || spec.labels().getOrDefault("pier.process", "").equals(crashType);
        containers.put(id, new Container(id, spec.name(), spec.labels(), crashes ? "exited" : "running",
                crashes ? "Exited (" + crashExit + ")" : "",
                spec.hostPort() > 0 ? Optional.of(spec.hostPort()) : Optional.empty()));
        if (spec.hostPort() > 0 && !crashes) {
            listen(id, spec.hostPort());
        }
        if (killAfterStart) {
            throw new Killed("after the start");
        }
        return id;
    }

    private void listen(String id, int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            server.createContext("/", exchange -> {
                byte[] body = "ok\n".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            listeners.put(id, server);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void resume(String id) {
        Container c = containers.get(id);
        if (c != null && !c.running()) {
            containers.put(id, new Container(id, c.name(), c.labels(), "running", "", c.publicPort()));
            c.publicPort().ifPresent(port -> listen(id, port));
        }
    }

    public String subnet(String network, String app) {
        return "10.9.0.0/24";
    }

    public Optional<Integer> hostPort(String id) {
        return Optional.ofNullable(containers.get(id)).flatMap(Container::publicPort);
    }

    @Override
    public boolean connect(String id, String network, String app, String alias) {
        return networks.add(id + " " + network + " " + alias);
    }

    @Override
    public boolean connectOverlay(String id, String network, String app, String alias) {
        return networks.add(id + " " + network + " " + alias);
    }

    @Override
    public void disconnect(String id, String network) {
        networks.removeIf(n -> n.startsWith(id + " " + network + " "));
    }

    @Override
    public void removeNetwork(String name) {
        throw new UnsupportedOperationException("services are not part of the deploy's fake");
    }

    public void keepRunning(String id) {
        letStop.remove(id);
    }

    public void letStop(String id) {
        letStop.add(id);
    }

    public ContainerState state(String id) {
        Container c = containers.get(id);
        boolean running = c != null && c.running();
        return new ContainerState(running, false, running ? 0 : crashExit, false, 0, "");
    }

    public List<String> tail(String id, int lines) {
        return List.of("Error: cannot find module 'express'");
    }

    public List<Container> containers(Map<String, String> labels) {
        return containers.values().stream()
                .filter(c -> labels.entrySet().stream().allMatch(l -> l.getValue().equals(c.labels().get(l.getKey()))))
                .toList();
    }

    public List<Container> containersMounting(List<String> volumes) {
        return List.of();
    }

    public int runAttached(ContainerSpec spec, InputStream in, OutputStream out, OutputStream err) {
        throw new UnsupportedOperationException("not on a deploy's path");
    }

    public int runLogged(ContainerSpec spec, Duration deadline, Consumer<String> log) {
        // Like the real engine: the one-off runs to its end and is removed, whatever its exit code.
        oneOffs.add(spec.name());
        log.accept("migrating");
        return releaseCommandExit;
    }

    public ExecResult exec(String containerId, List<String> argv, Duration timeout) {
        return new ExecResult(0, "");
    }

    public int execAttached(String containerId, List<String> argv, boolean tty, int @Nullable [] size, InputStream in,
                            OutputStream out, OutputStream err) {
        throw new UnsupportedOperationException("not on a deploy's path");
    }

    public void logs(String id, int tail, boolean follow, Consumer<LogLine> line) {
    }

    public boolean hasFile(String image, String path, Map<String, String> labels) {
        return true;
    }

    public void stop(String id, Duration grace) {
        HttpServer server = listeners.remove(id);
        if (server != null) {
            server.stop(0);
        }
    }

    public List<String> stopAll(List<String> ids, Duration grace, boolean remove) {
        ids.forEach(id -> {
            if (remove) {
                stopAndRemove(id, grace);
            } else {
                stop(id, grace);
            }
        });
        return List.of();
    }

    public void stopAndRemove(String id, Duration grace) {
        stop(id, grace);
        containers.remove(id);
    }

    public void remove(String id) {
        stopAndRemove(id, Duration.ZERO);
    }

    public List<VolumeInfo> volumes(String labelFilter) {
        return List.of();
    }

    public boolean volumeExists(String name) {
        return false;
    }

    public String createVolume(String name, Map<String, String> labels) {
        return name;
    }

    public void removeVolume(String name) {
    }

    public Map<String, Long> volumeSizes() {
        return Map.of();
    }

    /** Where the web tasks of an app placed on the swarm answer. */
    List<Nginx.Upstream> swarmTasks = List.of();

    @Override
    public List<Nginx.Upstream> swarmUpstreams(String service) {
        return swarmTasks;
    }

    // ---- Proxy ----

    public void apply(Nginx.Vhost vhost) {
        if (failProxy != null) {
            throw PierException.failed("nginx -t refused the new site: " + failProxy + "; the previous site stays");
        }
        sites.put(vhost.app(), vhost);
        if (killAfterSwitch) {
            killAfterSwitch = false;
            throw new Killed("between the switch and the record");
        }
    }

    public void remove(AppName app) {
        sites.remove(app);
    }

    public List<Nginx.Upstream> routed(AppName app) {
        return site(app).map(Nginx.Vhost::upstreams).orElse(List.of());
    }

    /** Stops every listener: the end of a test. */
    void close() {
        listeners.values().forEach(s -> s.stop(0));
        listeners.clear();
    }
}
