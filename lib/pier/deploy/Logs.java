package pier.deploy;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.apps.Release;
import pier.apps.Releases;
import pier.base.PierException;
import pier.engine.Container;
import pier.engine.Labels;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.PierHome;

/**
 * An app's logs: the last lines of the live release's process containers merged in time order, as
 * {@code TIME app[web.1]: text}, and with {@code --tail} the new lines of every container that goes live later. For an
 * app on the swarm, the same lines of its services' tasks on every node, read through the manager.
 */
public final class Logs {
    private final PierHome home;
    private final Scheduler docker;
    private final SwarmProcesses swarm;

    public Logs(PierHome home, Scheduler docker, SwarmProcesses swarm) {
        this.home = home;
        this.docker = docker;
        this.swarm = swarm;
    }

    /** One line as {@code logs} prints it, the same for a container here and a task on a node. */
    static String line(String timestamp, String instance, String text) {
        return timestamp + " app[" + instance + "]: " + text;
    }

    /** A line to merge by time. */
    private record Line(Instant at, String timestamp, String instance, String text) {
        Line(String timestamp, String instance, String text) {
            this(instant(timestamp), timestamp, instance, text);
        }
    }

    /**
     * Prints the last {@code lines} lines of the live release's containers (of {@code type} only, when given), oldest
     * first, as {@code TIME app[web.1]: text}. With {@code follow}, keeps printing new lines, also from the containers
     * of later releases as they go live, until {@code out} can no longer be written.
     */
    public void print(AppName app, int lines, boolean follow, Optional<ProcessType> type, PrintStream out) {
        new Apps(home).require(app);
        Release live = Processes.live(home, app);
        // cron runs start on this host whatever the app's placement: their kept containers are here.
        boolean cron = type.isPresent() && type.get().value().equals(Cron.PROCESS);
        if (!cron && Placement.read(home, app).swarm()) {
            printSwarm(app, lines, follow, type, out);
            return;
        }
        List<Container> containers = processes(docker, app, live.id(), type);
        List<Line> all = new ArrayList<>();
        for (Container c : containers) {
            docker.logs(c.id(), lines, false, l -> all.add(new Line(l.timestamp(), c.instance(), l.text())));
        }
        printLast(all, lines, out);
        if (!follow) {
            return;
        }
        Set<String> followed = new HashSet<>();
        containers.forEach(c -> followed.add(c.id()));
        containers.forEach(c -> follow(c, 0, out));
        while (!out.checkError() && new Apps(home).exists(app)) {
            sleep(Duration.ofSeconds(1));
            int now = new Releases(home, app).current().map(Release::id).orElse(live.id());
            for (Container c : processes(docker, app, now, type)) {
                if (followed.add(c.id())) {
                    follow(c, -1, out);
                }
            }
        }
    }

    /** The last {@code lines} of {@code all}, oldest first. */
    private static void printLast(List<Line> all, int lines, PrintStream out) {
        List<Line> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparing(Line::at));
        sorted.stream().skip(Math.max(0, sorted.size() - lines)).forEach(l -> out.println(line(l.timestamp(), l.instance(), l.text())));
        out.flush();
    }

    /**
     * {@link #print} for an app on the swarm: the last lines of each of its services' tasks (also those Swarm replaced
     * and still keeps, whose lines say why), merged in time order; with {@code follow}, the new lines of each service,
     * and of a service that appears later (a type scaled up from 0). Swarm sends the lines of tasks on every node; one
     * that does not finish sending within {@link SwarmProcesses#LOGS_WITHIN} (a node down) is named after the lines.
     */
    private void printSwarm(AppName app, int lines, boolean follow, Optional<ProcessType> type, PrintStream out) {
        List<SwarmProcesses.LogSource> sources = swarm.logSources(app, type);
        SwarmProcesses.LastLines last = sources.isEmpty() ? new SwarmProcesses.LastLines(List.of(), List.of())
                : swarm.lastLines(sources, lines);
        printLast(last.lines().stream().map(l -> new Line(l.timestamp(), l.instance(), l.text())).toList(), lines, out);
        if (!follow) {
            if (!last.unfinished().isEmpty()) {
                throw PierException.failed("Swarm did not finish sending the logs of " + String.join(", ", last.unfinished())
                        + " within " + SwarmProcesses.LOGS_WITHIN.toSeconds() + " s (is a node down? pier nodes:list): the"
                        + " lines above are what came");
            }
            return;
        }
        Set<String> followed = new HashSet<>();
        java.util.function.Consumer<SwarmProcesses.Line> print = l -> {
            synchronized (out) {
                out.println(line(l.timestamp(), l.instance(), l.text()));
                out.flush();
            }
        };
        sources.forEach(s -> followed.add(s.service().id()));
        sources.forEach(s -> swarm.follow(s, 0, print));
        while (!out.checkError() && new Apps(home).exists(app)) {
            sleep(Duration.ofSeconds(1));
            for (SwarmProcesses.LogSource s : swarm.logSources(app, type)) {
                if (followed.add(s.service().id())) {
                    swarm.follow(s, -1, print);
                }
            }
        }
    }

    /**
     * The process containers (no one-offs) of {@code release}, of {@code type} only when given; for {@code cron},
     * also the kept runs of the app.json cron entries, of any release.
     */
    static List<Container> processes(Scheduler docker, AppName app, int release, Optional<ProcessType> type) {
        if (type.isPresent() && type.get().value().equals(Cron.PROCESS)) {
            return docker.containers(Map.of(Labels.APP, app.value(), Labels.PROCESS, Cron.PROCESS)).stream()
                    .filter(c -> c.oneOffKind().equals(Optional.of(Cron.PROCESS)) || !c.oneOff() && c.release() == release)
                    .toList();
        }
        Map<String, String> labels = new LinkedHashMap<>(Map.of(Labels.APP, app.value(), Labels.RELEASE, Integer.toString(release)));
        type.ifPresent(t -> labels.put(Labels.PROCESS, t.value()));
        return docker.containers(labels).stream().filter(c -> !c.oneOff()).toList();
    }

    private void follow(Container c, int tail, PrintStream out) {
        String instance = c.instance();
        Thread t = new Thread(() -> docker.logs(c.id(), tail, true, l -> {
            synchronized (out) {
                out.println(line(l.timestamp(), instance, l.text()));
                out.flush();
            }
        }), "pier-logs-" + instance);
        t.setDaemon(true);
        t.start();
    }

    private static Instant instant(String timestamp) {
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted");
        }
    }
}
