package pier.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;
import pier.engine.Container;
import pier.engine.Docker;
import pier.engine.Labels;
import pier.engine.Swarm;
import pier.engine.SwarmServices;
import pier.names.AppName;
import pier.names.ProcessType;

/**
 * What {@code ps}, {@code logs} and {@code enter} see of an app placed on the swarm: its services' tasks on every node
 * (where each runs, its state, the release it runs), their logs as the manager gathers them from the nodes, and the
 * one task on this host a shell can enter. The tasks are Swarm's: nothing here changes them.
 */
public final class SwarmProcesses {
    /**
     * How long {@code logs} waits for Swarm to finish sending the last lines: Swarm keeps a service's log stream open
     * while a node that ran one of its tasks does not answer, and a command that prints the last lines must end.
     */
    static final Duration LOGS_WITHIN = Duration.ofSeconds(15);
    /** The states a task ends in with a reason worth showing: what keeps a slot from running. */
    private static final Set<String> FAILED = Set.of("failed", "rejected");

    private static final String LIVE = "live";
    private static final String RUNNING = "running";
    private final @Nullable Supplier<Docker> docker;

    public SwarmProcesses(Supplier<Docker> docker) {
        this.docker = docker;
    }

    private SwarmProcesses() {
        this.docker = null;
    }

    /** For an engine that is no Docker (a test's): no swarm, so an app on it has no tasks to see. */
    public static SwarmProcesses none() {
        return new SwarmProcesses();
    }

    /** This host's engine when it manages a swarm; empty otherwise (an app placed there then has nothing running). */
    private Optional<Docker> managing() {
        if (docker == null) {
            return Optional.empty();
        }
        Docker d = docker.get();
        return d.swarm().managing() ? Optional.of(d) : Optional.empty();
    }

    /** The app's tasks as {@code ps} shows them, one tasks query per service. */
    public List<Processes.Instance> instances(AppName app) {
        Optional<Docker> d = managing();
        if (d.isEmpty()) {
            return List.of();
        }
        Map<String, Swarm.Node> nodes = d.get().swarm().nodesById();
        List<Processes.Instance> all = new ArrayList<>();
        for (SwarmServices.Service service : d.get().swarmServices().described(Labels.APP, app.value())) {
            all.addAll(rows(service, d.get().swarmServices().history(service.name()), nodes));
        }
        return all;
    }

    /** How many of the app's tasks run the live spec: what {@code ps:start} counts to say it runs already. */
    public long runningLive(AppName app) {
        return instances(app).stream().filter(i -> i.role().equals(LIVE) && i.state().equals(RUNNING)).count();
    }

    /**
     * One service's tasks as {@code ps} rows: those Swarm keeps running ({@code live} when they run the service's spec,
     * {@code retiring} when an update is replacing them) and, for a slot that runs nothing, its last failed task
     * ({@code replaced}), whose message says why. Each row names its node as {@code nodes:list} does, and the release
     * is the one whose spec the task runs (0 when neither the service's spec nor the one before it is).
     */
    static List<Processes.Instance> rows(SwarmServices.Service service, List<SwarmServices.Task> history,
                                         Map<String, Swarm.Node> nodes) {
        String type = service.spec().labels().getOrDefault(Labels.PROCESS, service.name());
        List<SwarmServices.Task> current = history.stream().filter(t -> t.desiredState().equals("running")).toList();
        List<SwarmServices.Task> shown = new ArrayList<>(current);
        history.stream().filter(t -> !t.desiredState().equals("running")).filter(t -> FAILED.contains(t.state()))
                .filter(t -> current.stream().noneMatch(c -> c.slot() == t.slot() && c.state().equals("running")))
                .collect(java.util.stream.Collectors.groupingBy(SwarmServices.Task::slot,
                        java.util.stream.Collectors.maxBy(Comparator.comparing(SwarmServices.Task::since))))
                .values().forEach(last -> last.ifPresent(shown::add));
        return shown.stream().map(t -> {
            Optional<Swarm.Node> node = Optional.ofNullable(nodes.get(t.nodeId()));
            boolean live = t.spec().equals(service.spec().tasks());
            int release = live ? release(service.spec()) : service.previous().filter(p -> p.tasks().equals(t.spec()))
                    .map(SwarmProcesses::release).orElse(0);
            String role = !t.desiredState().equals(RUNNING) ? "replaced" : live ? LIVE : "retiring";
            return new Processes.Instance(t.id().substring(0, Math.min(12, t.id().length())), type + "." + t.slot(), type,
                    release, t.state(), t.state().equals("running") ? "" : t.message(),
                    t.publishedPort() > 0 && node.isPresent() ? Optional.of(t.publishedPort()) : Optional.empty(), role,
                    node.map(Swarm.Node::shown).orElse("-"), node.map(Swarm.Node::address).orElse(""));
        }).toList();
    }

    private static int release(SwarmServices.Spec spec) {
        try {
            return Integer.parseInt(spec.labels().getOrDefault(Labels.RELEASE, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** One service's logs as {@code logs} reads them: which instance ({@code web.1}) each of its tasks was. */
    public record LogSource(SwarmServices.Service service, String type, Map<String, String> instances) {
        public LogSource {
            instances = Map.copyOf(instances);
        }

        /** The instance that wrote a line; a task Swarm no longer keeps, or the engine's own complaint, by its type. */
        public String instance(String taskId) {
            return instances.getOrDefault(taskId, type);
        }
    }

    /** The app's services (of {@code type} only, when given) as log sources; none when this host manages no swarm. */
    public List<LogSource> logSources(AppName app, Optional<ProcessType> type) {
        Optional<Docker> d = managing();
        if (d.isEmpty()) {
            return List.of();
        }
        List<LogSource> sources = new ArrayList<>();
        for (SwarmServices.Service service : d.get().swarmServices().described(Labels.APP, app.value())) {
            String process = service.spec().labels().getOrDefault(Labels.PROCESS, service.name());
            if (type.isPresent() && !type.get().value().equals(process)) {
                continue;
            }
            sources.add(logSource(service, d.get().swarmServices().history(service.name())));
        }
        return sources;
    }

    static LogSource logSource(SwarmServices.Service service, List<SwarmServices.Task> history) {
        String type = service.spec().labels().getOrDefault(Labels.PROCESS, service.name());
        Map<String, String> instances = new HashMap<>();
        history.forEach(t -> instances.put(t.id(), type + "." + t.slot()));
        return new LogSource(service, type, instances);
    }

    /** One line of a swarm app's log, by instance. */
    public record Line(String timestamp, String instance, String text) {
    }

    /** What {@link #lastLines} read: the lines, and the services Swarm did not finish sending within the wait. */
    public record LastLines(List<Line> lines, List<String> unfinished) {
    }

    /**
     * The last {@code lines} lines of each task of {@code sources}, read at once and waited on for at most
     * {@link #LOGS_WITHIN}; a service that did not finish by then is named, with the lines it sent so far.
     */
    public LastLines lastLines(List<LogSource> sources, int lines) {
        Docker d = managing().orElseThrow(() -> PierException.failed("this host manages no swarm any more: pier ps shows"
                + " what runs"));
        List<Line> read = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        Map<Thread, String> readers = new java.util.LinkedHashMap<>();
        for (LogSource source : sources) {
            // A daemon: a reader Swarm never answers to the end is left behind at the deadline and ends with this process.
            Thread t = new Thread(() -> {
                try {
                    d.swarmServices().logs(source.service(), lines, false, l -> {
                        synchronized (read) {
                            read.add(new Line(l.timestamp(), source.instance(l.taskId()), l.text()));
                        }
                    });
                } catch (RuntimeException e) {
                    synchronized (read) {
                        failures.add(e);
                    }
                }
            }, "pier-logs-" + source.service().name());
            t.setDaemon(true);
            t.start();
            readers.put(t, source.service().name());
        }
        Instant end = Instant.now().plus(LOGS_WITHIN);
        List<String> unfinished = new ArrayList<>();
        for (Map.Entry<Thread, String> reader : readers.entrySet()) {
            try {
                reader.getKey().join(Math.max(1, Duration.between(Instant.now(), end).toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PierException.failed("interrupted while reading the logs");
            }
            if (reader.getKey().isAlive()) {
                unfinished.add(reader.getValue());
            }
        }
        synchronized (read) {
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            return new LastLines(List.copyOf(read), unfinished);
        }
    }

    /** Follows {@code source}'s new lines (also from tasks started later) in the background until its stream ends. */
    public void follow(LogSource source, int tail, Consumer<Line> line) {
        Docker d = managing().orElseThrow(() -> PierException.failed("this host manages no swarm any more"));
        Thread t = new Thread(() -> {
            try {
                d.swarmServices().logs(source.service(), tail, true,
                        l -> line.accept(new Line(l.timestamp(), source.instance(l.taskId()), l.text())));
            } catch (PierException e) {
                // The service went (a scale to 0, a move back to this host): its lines are over.
            }
        }, "pier-logs-" + source.service().name());
        t.setDaemon(true);
        t.start();
    }

    /**
     * The container on this host of a running task of {@code app}'s {@code type} ({@code slot} only, when given), for
     * {@code enter}; a failure naming the nodes they run on when none runs here, since a node's engine is not pier's to
     * reach.
     */
    public String enterable(AppName app, ProcessType type, OptionalInt slot) {
        String wanted = type.value() + (slot.isPresent() ? "." + slot.getAsInt() : "");
        Docker d = managing().orElseThrow(() -> PierException.failed("no running " + wanted + " task of " + app
                + ": this host manages no swarm; pier ps " + app + " shows what runs"));
        SwarmServices.Task task = enterTarget(app, type, slot,
                d.swarmServices().tasks(Labels.swarmService(app.value(), type.value())), d.swarm().nodesById());
        return d.taskContainer(task.id()).filter(Container::running).map(Container::id)
                .orElseThrow(() -> PierException.failed("the " + wanted + " task of " + app + " has no running container on"
                        + " this host (Swarm is moving it?): pier ps " + app + " shows what runs"));
    }

    /**
     * Which task {@code enter} goes into: a running one of {@code type} ({@code slot} only, when given) on this host,
     * the lowest slot first. None running is a failure; running only on other nodes is one that names them and what to
     * do, because enter reaches this host's engine only.
     */
    static SwarmServices.Task enterTarget(AppName app, ProcessType type, OptionalInt slot, List<SwarmServices.Task> tasks,
                                          Map<String, Swarm.Node> nodes) {
        String wanted = type.value() + (slot.isPresent() ? "." + slot.getAsInt() : "");
        List<SwarmServices.Task> running = tasks.stream().filter(SwarmServices.Task::running)
                .filter(t -> slot.isEmpty() || t.slot() == slot.getAsInt())
                .sorted(Comparator.comparingInt(SwarmServices.Task::slot)).toList();
        if (running.isEmpty()) {
            throw PierException.failed("no running " + wanted + " task of " + app + ": pier ps " + app + " shows what runs");
        }
        Optional<SwarmServices.Task> here = running.stream()
                .filter(t -> Optional.ofNullable(nodes.get(t.nodeId())).map(Swarm.Node::manager).orElse(false)).findFirst();
        if (here.isPresent()) {
            return here.get();
        }
        Set<String> where = new LinkedHashSet<>();
        running.forEach(t -> where.add(Optional.ofNullable(nodes.get(t.nodeId())).map(Swarm.Node::shown).orElse(t.nodeId())));
        throw PierException.failed(app + "'s " + wanted + (running.size() == 1 ? " task runs on " : " tasks run on ")
                + String.join(", ", where) + "; enter reaches tasks on this host only: pier scheduler:set " + app
                + " constraint node.role==manager, or ssh to " + (where.size() == 1 ? "that node" : "one of those nodes"));
    }
}
