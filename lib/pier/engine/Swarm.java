package pier.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.LocalNodeState;
import com.github.dockerjava.api.model.SwarmInfo;
import com.github.dockerjava.api.model.SwarmNode;
import com.github.dockerjava.api.model.SwarmNodeAvailability;
import com.github.dockerjava.api.model.SwarmNodeRole;
import com.github.dockerjava.api.model.SwarmNodeSpec;
import com.github.dockerjava.api.model.SwarmSpec;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pier.base.PierException;

/**
 * The local Docker engine as a Swarm manager: the cluster pier's nodes form. This host is the only manager (Nginx and
 * pier's state live here); every node pier adds joins as a worker. Nodes are told apart by their address, since
 * hosts cloned from one image often share a hostname.
 */
public final class Swarm {
    /** The port managers listen on for nodes joining and for the cluster's control traffic. */
    public static final int MANAGER_PORT = 2377;

    /** One node as the manager sees it. {@code state}: ready, down, unknown; {@code availability}: active, pause, drain. */
    public record Node(String id, String hostname, String address, boolean manager, String state, String availability,
                       String engine, Map<String, String> labels) {
        public boolean ready() {
            return state.equals("ready");
        }

        /**
         * The node as pier names it to people: the manager is this host; a node by the name it was added as (its
         * {@link Labels#NODE} label), else by its address, which {@code nodes:*} commands take too.
         */
        public String shown() {
            return manager ? THIS_HOST : labels.getOrDefault(Labels.NODE, address);
        }
    }

    /** How the manager, where pier runs, is named in lists of nodes and tasks. */
    public static final String THIS_HOST = "(this host)";

    private final DockerClient client;

    Swarm(DockerClient client) {
        this.client = client;
    }

    /** This engine's place in a swarm: inactive, pending, active, error or locked. */
    public String localState() {
        SwarmInfo info = info();
        LocalNodeState state = info == null ? null : info.getLocalNodeState();
        return state == null ? "inactive" : state.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** True when this engine manages a swarm (a worker of someone else's swarm is not). */
    public boolean managing() {
        SwarmInfo info = info();
        return info != null && info.getLocalNodeState() == LocalNodeState.ACTIVE && Boolean.TRUE.equals(info.getControlAvailable());
    }

    /** The address nodes reach this manager on, as the swarm was made with; empty when it manages none. */
    public Optional<String> managerAddress() {
        SwarmInfo info = info();
        return managing() && info != null ? Optional.ofNullable(info.getNodeAddr()) : Optional.empty();
    }

    /** This engine's node id in the swarm it manages: what pins a task to this host; empty when it manages none. */
    public Optional<String> localNodeId() {
        SwarmInfo info = info();
        return managing() && info != null ? Optional.ofNullable(info.getNodeID()) : Optional.empty();
    }

    /** This engine's swarm cluster id, to tell a node of this swarm from one of another; empty when it manages none. */
    public Optional<String> clusterId() {
        if (!managing()) {
            return Optional.empty();
        }
        return Optional.ofNullable(client.inspectSwarmCmd().exec().getId());
    }

    /**
     * Makes this engine a swarm's manager, listening and advertising on {@code address} only (the cluster's private
     * address), so the control port is not offered on the public one.
     */
    public void init(String address) {
        try {
            client.initializeSwarmCmd(new SwarmSpec()).withListenAddr(address + ":" + MANAGER_PORT)
                    .withAdvertiseAddr(address).exec();
        } catch (DockerException e) {
            throw PierException.failed("Docker could not start a swarm on " + address + ": " + pier.base.Shown.firstLine(e.getMessage()), e);
        }
    }

    /** The token a worker joins with; a secret: it is shown only in a join command the admin asked for. */
    public String workerToken() {
        return client.inspectSwarmCmd().exec().getJoinTokens().getWorker();
    }

    /** Every node, the manager first, then by address. */
    public List<Node> nodes() {
        return client.listSwarmNodesCmd().exec().stream().map(Swarm::node)
                .sorted(Comparator.comparing((Node n) -> !n.manager()).thenComparing(Node::address)).toList();
    }

    /** Every node by its id, as tasks name their node. */
    public Map<String, Node> nodesById() {
        Map<String, Node> byId = new HashMap<>();
        nodes().forEach(n -> byId.put(n.id(), n));
        return byId;
    }

    /** Where each node is reached, by its id: what routing to a task needs of its node. */
    public Map<String, String> addressesById() {
        Map<String, String> addresses = new HashMap<>();
        nodesById().forEach((id, n) -> addresses.put(id, n.address()));
        return addresses;
    }

    /** Sets a node's availability: {@code active}, {@code pause} or {@code drain}. */
    public void setAvailability(String id, String availability) {
        update(id, spec -> spec.withAvailability(SwarmNodeAvailability.valueOf(availability.toUpperCase(java.util.Locale.ROOT))));
    }

    /** Sets (or, with a null value, removes) a node label. */
    public void label(String id, String key, String value) {
        update(id, spec -> {
            Map<String, String> labels = new HashMap<>(spec.getLabels() == null ? Map.of() : spec.getLabels());
            if (value == null) {
                labels.remove(key);
            } else {
                labels.put(key, value);
            }
            return spec.withLabels(labels);
        });
    }

    /** Takes a node out of the swarm's list; with {@code force} also one that is still up. */
    public void remove(String id, boolean force) {
        try {
            client.removeSwarmNodeCmd(id).withForce(force).exec();
        } catch (DockerException e) {
            throw PierException.failed("Docker could not remove node " + id + ": " + pier.base.Shown.firstLine(e.getMessage()), e);
        }
    }

    private void update(String id, java.util.function.UnaryOperator<SwarmNodeSpec> change) {
        SwarmNode node = client.listSwarmNodesCmd().withIdFilter(List.of(id)).exec().stream().findFirst()
                .orElseThrow(() -> PierException.failed("the swarm has no node " + id));
        client.updateSwarmNodeCmd().withSwarmNodeId(id).withVersion(node.getVersion().getIndex())
                .withSwarmNodeSpec(change.apply(node.getSpec())).exec();
    }

    private SwarmInfo info() {
        return client.infoCmd().exec().getSwarm();
    }

    private static Node node(SwarmNode n) {
        SwarmNodeSpec spec = n.getSpec();
        String hostname = n.getDescription() == null ? "" : n.getDescription().getHostname();
        String engine = n.getDescription() == null || n.getDescription().getEngine() == null ? ""
                : n.getDescription().getEngine().getEngineVersion();
        String address = n.getStatus() == null ? "" : n.getStatus().getAddress();
        return new Node(n.getId(), hostname, address, spec.getRole() == SwarmNodeRole.MANAGER,
                n.getStatus() == null || n.getStatus().getState() == null ? "unknown"
                        : n.getStatus().getState().name().toLowerCase(java.util.Locale.ROOT),
                spec.getAvailability() == null ? "active" : spec.getAvailability().name().toLowerCase(java.util.Locale.ROOT),
                engine, spec.getLabels() == null ? Map.of() : Map.copyOf(spec.getLabels()));
    }
}
