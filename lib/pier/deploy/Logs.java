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
 * {@code TIME app[web.1]: text}, and with {@code --tail} the new lines of every container that goes live later.
 */
public final class Logs {
    private final PierHome home;
    private final Scheduler docker;

    public Logs(PierHome home, Scheduler docker) {
        this.home = home;
        this.docker = docker;
    }

    /**
     * Prints the last {@code lines} lines of the live release's containers (of {@code type} only, when given), oldest
     * first, as {@code TIME app[web.1]: text}. With {@code follow}, keeps printing new lines, also from the containers
     * of later releases as they go live, until {@code out} can no longer be written.
     */
    public void print(AppName app, int lines, boolean follow, Optional<ProcessType> type, PrintStream out) {
        new Apps(home).require(app);
        Release live = Processes.live(home, app);
        List<Container> containers = processes(docker, app, live.id(), type);
        record Line(Instant at, String timestamp, String instance, String text) {
        }
        List<Line> all = new ArrayList<>();
        for (Container c : containers) {
            docker.logs(c.id(), lines, false, l -> all.add(new Line(instant(l.timestamp()), l.timestamp(), c.instance(), l.text())));
        }
        all.sort(Comparator.comparing(Line::at));
        all.stream().skip(Math.max(0, all.size() - lines))
                .forEach(l -> out.println(l.timestamp() + " app[" + l.instance() + "]: " + l.text()));
        out.flush();
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
                out.println(l.timestamp() + " app[" + instance + "]: " + l.text());
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
