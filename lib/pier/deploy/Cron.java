package pier.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import pier.access.Events;
import pier.apps.Apps;
import pier.apps.CronEntry;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Volumes;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.Container;
import pier.engine.ContainerSpec;
import pier.engine.ContainerState;
import pier.engine.Labels;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.state.AtomicFile;
import pier.state.ConfigSnapshot;
import pier.state.PierHome;
import pier.state.Resources;

/**
 * The app.json {@code cron} entries of each app's live release, run with no pier process resident: the host's own
 * scheduler (a systemd timer, or cron) runs {@code pier cron:tick} every minute, and each tick starts, as one-off
 * containers of the live release (its config, network and volumes), the entries due in that minute. A run of an
 * entry whose previous run still goes is skipped unless the entry allows overlap. A tick also records the runs that
 * ended since the last one (exit code and duration, in the event log) and keeps each entry's last runs for
 * {@code logs APP --process cron}. Suspended entries are listed in {@code apps/APP/cron-suspended}.
 */
public final class Cron {
    /** The process label and one-off kind of a cron run. */
    public static final String PROCESS = "cron";
    /** How many ended runs of each entry are kept for their logs. */
    static final int KEEP = 3;
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMddHHmm");

    private final PierHome home;
    private final Scheduler scheduler;

    public Cron(PierHome home, Scheduler scheduler) {
        this.home = home;
        this.scheduler = scheduler;
    }

    /** An entry as {@code cron:list} shows it. */
    public record Listed(String id, CronEntry entry, boolean suspended, Optional<LocalDateTime> next, String last) {
    }

    public List<Listed> list(AppName app, LocalDateTime now) {
        Set<String> suspended = suspended(app);
        List<Container> runs = runs(app);
        List<Listed> listed = new ArrayList<>();
        for (CronEntry entry : entries(app)) {
            String id = entry.id();
            String last = runs.stream().filter(c -> id.equals(c.labels().get(Labels.CRON)))
                    .max(Comparator.comparing(c -> c.labels().getOrDefault(Labels.CRON_MINUTE, "")))
                    .map(c -> c.labels().getOrDefault(Labels.CRON_MINUTE, "?") + " " + c.status()).orElse("never");
            listed.add(new Listed(id, entry, suspended.contains(id), suspended.contains(id) ? Optional.empty()
                    : entry.schedule().next(now), last));
        }
        return listed;
    }

    /** Stops ({@code true}) or lets again ({@code false}) the entry's scheduled runs; {@code cron:run} still runs it. */
    public void suspend(AppName app, String id, boolean suspend) {
        entry(app, id);
        Set<String> ids = suspended(app);
        if (suspend ? ids.add(id) : ids.remove(id)) {
            AtomicFile.write(suspendedFile(app), ids.isEmpty() ? "" : String.join("\n", ids) + "\n", "rw-r--r--");
        }
    }

    /** Runs the entry now, in the foreground, its output to {@code log}; its exit code. */
    public int run(AppName app, String id, Progress progress) {
        CronEntry entry = entry(app, id);
        Release live = live(app).orElseThrow();
        progress.step("Running cron " + id + " of " + app + " " + live.tag() + ": " + entry.command());
        Instant began = Instant.now();
        // To the second, so two runs of one entry in a minute get names of their own.
        String stamp = "run-" + DateTimeFormatter.ofPattern("yyyyMMddHHmmss").format(LocalDateTime.now());
        int code = scheduler.runLogged(spec(app, live, entry, stamp), Duration.ofHours(24), progress::detail);
        record(app, id, code, Duration.between(began, Instant.now()));
        return code;
    }

    /**
     * One minute's work for every app: record the runs that ended, start the entries due in the minute of
     * {@code now}. An app that fails is reported and the others go on; returns what it did, one line each.
     */
    public List<String> tick(LocalDateTime now, Progress progress) {
        List<String> done = new ArrayList<>();
        // One Docker query a minute for every app's runs, however many apps there are.
        Map<String, List<Container>> runs = new HashMap<>();
        scheduler.containers(Map.of(Labels.ONEOFF, PROCESS))
                .forEach(c -> runs.computeIfAbsent(c.labels().getOrDefault(Labels.APP, ""), a -> new ArrayList<>()).add(c));
        for (AppName app : new Apps(home).list()) {
            try {
                done.addAll(tick(app, now.truncatedTo(ChronoUnit.MINUTES), runs.getOrDefault(app.value(), List.of())));
            } catch (RuntimeException e) {
                progress.warn(app + ": " + Shown.firstLine(e.getMessage()));
            }
        }
        return done;
    }

    /** The app's minute, {@code runs} being its cron containers as the tick began. */
    private List<String> tick(AppName app, LocalDateTime minute, List<Container> runs) {
        List<String> done = new ArrayList<>(collect(app, runs));
        Optional<Release> live = live(app);
        if (live.isEmpty() || live.get().cron().isEmpty() || new Apps(home).stopped(app)) {
            return done;
        }
        Set<String> suspended = suspended(app);
        String stamp = MINUTE.format(minute);
        for (CronEntry entry : live.get().cron()) {
            String id = entry.id();
            if (suspended.contains(id) || !entry.schedule().matches(minute)) {
                continue;
            }
            List<Container> ofEntry = runs.stream().filter(c -> id.equals(c.labels().get(Labels.CRON))).toList();
            if (ofEntry.stream().anyMatch(c -> stamp.equals(c.labels().get(Labels.CRON_MINUTE)))) {
                continue;
            }
            if (!entry.overlap() && ofEntry.stream().anyMatch(Container::alive)) {
                new Events(home).record(PROCESS, Optional.of(app), "skipped", "cron " + id
                        + " the previous run still runs (concurrency_policy forbid)", List.of());
                done.add(app + " cron " + id + " skipped: the previous run still runs");
                continue;
            }
            String container = scheduler.start(spec(app, live.get(), entry, stamp));
            new Events(home).record(PROCESS, Optional.of(app), "started", "cron " + id, List.of());
            done.add(app + " cron " + id + " started (" + container.substring(0, 12) + ")");
        }
        return done;
    }

    /** Records every run that ended and was not recorded yet, then removes each entry's runs beyond the last few. */
    private List<String> collect(AppName app, List<Container> runs) {
        Set<String> recorded = recorded(app);
        List<String> done = new ArrayList<>();
        Set<String> keep = new LinkedHashSet<>();
        for (Container run : runs) {
            if (run.alive()) {
                keep.add(run.id());
                continue;
            }
            if (!recorded.contains(run.id())) {
                ContainerState state = scheduler.state(run.id());
                Duration took = duration(state.startedAt(), state.finishedAt());
                record(app, run.labels().getOrDefault(Labels.CRON, "?"), (int) state.exitCode(), took);
                done.add(app + " cron " + run.labels().get(Labels.CRON) + " exited " + state.exitCode());
            }
        }
        Map<String, List<Container>> byEntry = new LinkedHashMap<>();
        runs.stream().filter(c -> !c.alive())
                .sorted(Comparator.comparing((Container c) -> c.labels().getOrDefault(Labels.CRON_MINUTE, "")).reversed())
                .forEach(c -> byEntry.computeIfAbsent(c.labels().getOrDefault(Labels.CRON, ""), k -> new ArrayList<>()).add(c));
        byEntry.values().forEach(ended -> {
            ended.stream().limit(KEEP).forEach(c -> keep.add(c.id()));
            ended.stream().skip(KEEP).forEach(c -> scheduler.remove(c.id()));
        });
        // Only what still exists needs remembering.
        Set<String> now = new LinkedHashSet<>();
        runs.stream().filter(c -> !c.alive() && keep.contains(c.id())).forEach(c -> now.add(c.id()));
        if (!now.equals(recorded)) {
            AtomicFile.write(recordedFile(app), now.isEmpty() ? "" : String.join("\n", now) + "\n", "rw-r--r--");
        }
        return done;
    }

    private void record(AppName app, String id, int code, Duration took) {
        new Events(home).record(PROCESS, Optional.of(app), code == 0 ? "ok" : "failed", "cron " + id + " exit " + code
                + " after " + took.toMillis() / 1000.0 + "s", List.of());
    }

    private static Duration duration(String startedAt, String finishedAt) {
        try {
            return Duration.between(Instant.parse(startedAt), Instant.parse(finishedAt));
        } catch (RuntimeException e) {
            return Duration.ZERO;
        }
    }

    private ContainerSpec spec(AppName app, Release live, CronEntry entry, String stamp) {
        Map<String, String> env = ContainerSpecs.env(new Releases(home, app).config(live)
                .orElseGet(() -> ConfigSnapshot.current(home, app)));
        return ContainerSpecs.cron(app, live, entry, stamp, env, new Volumes(home, scheduler).mountsFor(app),
                new Resources(home).confinement(app, PROCESS));
    }

    /** Every cron run of the app that still exists, running or ended. */
    private List<Container> runs(AppName app) {
        return scheduler.containers(Map.of(Labels.APP, app.value(), Labels.ONEOFF, PROCESS));
    }

    private Optional<Release> live(AppName app) {
        return new Releases(home, app).current();
    }

    private List<CronEntry> entries(AppName app) {
        new Apps(home).require(app);
        return live(app).map(Release::cron).orElse(List.of());
    }

    private CronEntry entry(AppName app, String id) {
        List<CronEntry> entries = entries(app);
        return entries.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow(() -> PierException.failed(
                app + " has no cron entry " + Shown.quote(id) + (entries.isEmpty() ? ": its app.json declares none"
                        : "; its entries: " + String.join(", ", entries.stream().map(CronEntry::id).toList())
                        + " (pier cron:list " + app + ")")));
    }

    private Set<String> suspended(AppName app) {
        return lines(suspendedFile(app));
    }

    private Set<String> recorded(AppName app) {
        return lines(recordedFile(app));
    }

    private static Set<String> lines(Path file) {
        Set<String> ids = new LinkedHashSet<>();
        AtomicFile.read(file).ifPresent(text -> text.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(ids::add));
        return ids;
    }

    private Path suspendedFile(AppName app) {
        return home.app(app).resolve("cron-suspended");
    }

    private Path recordedFile(AppName app) {
        return home.app(app).resolve("cron-recorded");
    }
}
