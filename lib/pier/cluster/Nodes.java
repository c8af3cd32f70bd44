package pier.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.Docker;
import pier.engine.Labels;
import pier.engine.Registry;
import pier.engine.Swarm;
import pier.engine.Templates;
import pier.install.ManagerPlan;
import pier.names.NodeHost;
import pier.remote.Remote;
import pier.state.AtomicFile;

/**
 * The hosts of a cluster. This host is its one manager (Nginx, pier's state and the registry stay here); each node pier
 * adds joins its swarm as a worker and needs only Docker. A node is found by the name it was added by (a node label)
 * or by its address, since cloned hosts often share a hostname.
 */
public final class Nodes {
    /** How long a joined node may take to report ready. */
    static final Duration SETTLE = Duration.ofSeconds(30);

    private final Docker docker;
    private final Templates templates;

    public Nodes(Docker docker, Templates templates) {
        this.docker = docker;
        this.templates = templates;
    }

    /** What one {@code nodes:add} made of a host. */
    public record Added(Swarm.Node node, boolean joinedNow) {
    }

    /**
     * Makes this host the manager (on {@code address}, or the one the swarm has, or the one this host reaches
     * {@code host} from), then joins {@code host} over {@code shell}: its engine trusts the registry's certificate and
     * joins as a worker. A node of this swarm already is fine; one of another swarm is refused.
     */
    public Added add(NodeHost host, @Nullable String address, NodeShell shell, Progress progress) {
        // Asked first: a host pier cannot reach, or whose Docker cannot join, leaves this host as it was.
        NodeEngine engine = NodeEngine.read(host, shell);
        String manager = manage(host, address, progress);
        progress.step("Joining " + host + " to the cluster");
        Registry registry = new Registry(manager);
        trust(host, shell, registry);
        boolean joinedNow = false;
        String nodeId = engine.nodeId();
        if (engine.state().equals("active")) {
            if (find(n -> n.id().equals(engine.nodeId())).isEmpty()) {
                throw PierException.failed(host + "'s Docker is in another swarm: run docker swarm leave there, then nodes:add again");
            }
            progress.detail(host + " is a node of this cluster already");
        } else {
            Remote.Captured joined = shell.run(List.of("docker", "swarm", "join", "--token", docker.swarm().workerToken(),
                    registry.address() + ":" + Swarm.MANAGER_PORT), "");
            if (!joined.ok()) {
                throw PierException.failed(host + " could not join the swarm: " + Shown.firstLine(joined.lastLine())
                        + " (is " + registry.address() + ":" + Swarm.MANAGER_PORT + " reachable from " + host + "?)");
            }
            nodeId = NodeEngine.read(host, shell).nodeId();
            joinedNow = true;
        }
        String id = nodeId;
        Swarm.Node node = await(() -> find(n -> n.id().equals(id) && n.ready()), SETTLE)
                .orElseThrow(() -> PierException.failed(host + " joined but did not report ready within " + SETTLE.toSeconds()
                        + " s: see docker node ls here and the Docker log there"));
        docker.swarm().label(node.id(), Labels.NODE, host.value());
        progress.detail(host + " is a worker: node " + node.id().substring(0, 12) + ", Docker " + node.engine());
        return new Added(node, joinedNow);
    }

    /**
     * For a node pier cannot reach over SSH: makes this host the manager, then gives the commands to run as root on
     * {@code host}. They hold the join token, a secret: the admin asked for them.
     */
    public List<String> joinCommands(NodeHost host, @Nullable String address, Progress progress) {
        Registry registry = new Registry(manage(host, address, progress));
        List<String> lines = new ArrayList<>();
        lines.add("mkdir -p " + registry.trustedCa().getParent());
        lines.add("cat > " + registry.trustedCa() + " <<'EOF'");
        AtomicFile.read(Registry.CERTIFICATE).orElseThrow().lines().forEach(lines::add);
        lines.add("EOF");
        lines.add("docker swarm join --token " + docker.swarm().workerToken() + " " + registry.address() + ":" + Swarm.MANAGER_PORT);
        return lines;
    }

    /** Every node, this manager first. */
    public List<Swarm.Node> list() {
        if (!docker.swarm().managing()) {
            return List.of();
        }
        return docker.swarm().nodes();
    }

    /** No new work on {@code host}, and what runs there moves to the other nodes. */
    public Swarm.Node drain(NodeHost host) {
        return setAvailability(host, "drain");
    }

    /** {@code host} takes work again after a drain. */
    public Swarm.Node activate(NodeHost host) {
        return setAvailability(host, "active");
    }

    /**
     * Drains {@code host}, has it leave the swarm over {@code shell}, then takes it out of the list. With no shell
     * (a dead host, {@code --force}) the manager forgets it without asking it.
     */
    public void remove(NodeHost host, @Nullable NodeShell shell, Progress progress) {
        Swarm.Node node = require(host);
        if (shell != null) {
            // Reached before anything changes: a host pier cannot ask is refused with nothing drained.
            NodeEngine.read(host, shell);
        }
        docker.swarm().setAvailability(node.id(), "drain");
        progress.detail("drained " + host + ": its work moves to the other nodes");
        if (shell != null) {
            Remote.Captured left = shell.run(List.of("docker", "swarm", "leave"), "");
            if (!left.ok() && !left.lastLine().contains("not part of a swarm")) {
                throw PierException.failed(host + " could not leave the swarm: " + Shown.firstLine(left.lastLine())
                        + "; nodes:remove --force forgets it without asking it");
            }
        }
        docker.swarm().remove(node.id(), true);
        progress.detail("removed " + host + " from the cluster");
    }

    /** The node added as {@code host}, or at that address; a usage error naming the nodes there are otherwise. */
    public Swarm.Node require(NodeHost host) {
        Optional<Swarm.Node> node = find(n -> host.value().equals(n.labels().get(Labels.NODE)) || n.address().equals(host.value()));
        if (node.isEmpty()) {
            throw PierException.usage("no node " + host + " in this cluster; nodes:list shows them");
        }
        if (node.get().manager()) {
            throw PierException.usage(host + " is this cluster's manager, where Nginx and pier's state live: it stays");
        }
        return node.get();
    }

    private Swarm.Node setAvailability(NodeHost host, String availability) {
        Swarm.Node node = require(host);
        docker.swarm().setAvailability(node.id(), availability);
        return find(n -> n.id().equals(node.id())).orElseThrow();
    }

    /** The manager's address, the swarm and the registry made on first use; the address once the swarm has one. */
    private String manage(NodeHost host, @Nullable String address, Progress progress) {
        Optional<String> managed = docker.swarm().managerAddress();
        String chosen = address != null ? address : managed.orElseGet(() -> sourceAddress(host));
        progress.step("This host as the cluster's manager on " + chosen);
        var outcome = ManagerPlan.of(templates, chosen).run(false, progress);
        if (outcome.changes() == 0) {
            progress.detail("nothing to change");
        }
        return chosen;
    }

    /** The local address this host reaches {@code host} from: the one the node will reach the manager on. */
    static String sourceAddress(NodeHost host) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(new InetSocketAddress(InetAddress.getByName(host.value()), Swarm.MANAGER_PORT));
            return socket.getLocalAddress().getHostAddress();
        } catch (IOException e) {
            throw PierException.failed("cannot find the address this host reaches " + host + " from (" + e.getMessage()
                    + "): give it with --address", e);
        }
    }

    private void trust(NodeHost host, NodeShell shell, Registry registry) {
        String certificate = AtomicFile.read(Registry.CERTIFICATE).orElseThrow(
                () -> PierException.failed("the registry has no certificate in " + Registry.CERTIFICATE + ": run nodes:add again"));
        for (List<String> argv : List.of(List.of("mkdir", "-p", registry.trustedCa().getParent().toString()),
                List.of("tee", registry.trustedCa().toString()))) {
            Remote.Captured r = shell.run(argv, argv.get(0).equals("tee") ? certificate : "");
            if (!r.ok()) {
                throw PierException.failed("cannot write " + registry.trustedCa() + " on " + host + ": " + Shown.firstLine(r.lastLine()));
            }
        }
    }

    private Optional<Swarm.Node> find(java.util.function.Predicate<Swarm.Node> which) {
        return list().stream().filter(which).findFirst();
    }

    private static <T> Optional<T> await(java.util.function.Supplier<Optional<T>> check, Duration within) {
        Instant end = Instant.now().plus(within);
        while (true) {
            Optional<T> found = check.get();
            if (found.isPresent() || Instant.now().isAfter(end)) {
                return found;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }
}
