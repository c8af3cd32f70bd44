package pier.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import pier.access.Events;
import pier.apps.CronSchedule;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.Container;
import pier.engine.Labels;
import pier.engine.Launcher;
import pier.engine.Scheduler;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * Backups of services, each counted only once verified: the dump is restored into a throwaway container of the same
 * image, and the kind's figures of the copy (each table's rows, or each database's keys) must match the live
 * service's. A backup that fails either way is kept, listed as failed with its reason, logged as an event and
 * reported with a non-zero exit. Scheduled backups start from the host's minute tick (cron:tick), detached.
 */
public final class ServiceBackups {
    /** Settings key: where backups go, one directory per service under it ({@code KIND/NAME/}). */
    public static final String DIR = "services.backups.dir";
    /** In a service's state directory: its schedule ("CRON" and keep=N). */
    static final String SCHEDULE = "backup-schedule";
    private static final String DUMP = ".dump";
    private static final String RESULT = ".result";
    private static final String VERIFIED = "verified";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final String EVENT_KEY = "backup";

    private final PierHome home;
    private final Services services;
    private final Scheduler scheduler;
    private final BiConsumer<Path, List<String>> detach;

    public ServiceBackups(PierHome home, Services services, Scheduler scheduler) {
        this(home, services, scheduler, Launcher::detach);
    }

    /** {@code detach} starts a pier command in the background, its output to a log; a test's records it instead. */
    ServiceBackups(PierHome home, Services services, Scheduler scheduler, BiConsumer<Path, List<String>> detach) {
        this.home = home;
        this.services = services;
        this.scheduler = scheduler;
        this.detach = detach;
    }

    /** One backup as listed: its file, size, time and result ({@code verified}, {@code failed: ...}, or unfinished). */
    public record Backup(Path file, long size, Instant time, String result) {
        public boolean verified() {
            return result.equals(VERIFIED);
        }
    }

    /** A schedule of backups: when, and how many verified ones to keep (empty: all). */
    public record Schedule(CronSchedule cron, OptionalInt keep) {
    }

    public Path dir(Service service) {
        Path root = new Settings(home).get(DIR).map(String::strip).filter(s -> !s.isEmpty()).map(Path::of)
                .orElse(home.root().resolve("backups"));
        if (!root.isAbsolute()) {
            throw PierException.failed(DIR + " in " + home.settings() + " must be an absolute path, not " + Shown.quote(root.toString()));
        }
        return root.resolve(service.kind().name()).resolve(service.name().value());
    }

    /**
     * Dumps the service to a new file, restores it into a throwaway container and compares the figures; keeps the
     * {@code keep} newest verified backups (and drops failed ones older than those). The backup, or a failure after
     * its result was recorded.
     */
    public Backup backup(Service service, OptionalInt keep, Progress progress) {
        // One at a time per service, and never beside a destroy, a restart or an import.
        try (Lock ignored = services.lock(service)) {
            return backupLocked(service, keep, progress);
        }
    }

    private Backup backupLocked(Service service, OptionalInt keep, Progress progress) {
        Path dir = dir(service);
        AtomicFile.directory(dir);
        String stamp = STAMP.format(LocalDateTime.now(ZoneOffset.UTC));
        Path file = dir.resolve(service.name() + "-" + stamp + DUMP);
        progress.step("Backing up " + service + " to " + file);
        // The file is there from the start, so a backup that fails before its dump is listed (as failed) too.
        AtomicFile.write(file, new byte[0], "rw-------");
        String result;
        try {
            result = dumpAndVerify(service, file, progress);
        } catch (RuntimeException e) {
            result = "failed: " + Shown.firstLine(e.getMessage());
        }
        AtomicFile.write(resultFile(file), result + "\n", "rw-------");
        Backup backup = read(file).orElseThrow();
        new Events(home).record(EVENT_KEY, Optional.empty(), backup.verified() ? "ok" : "failed",
                service.kind().name() + ":backup " + service.name() + " " + file.getFileName() + " " + result, List.of());
        if (!backup.verified()) {
            throw PierException.failed("the backup of " + service + " " + result + " (kept as " + file + ", listed as failed)");
        }
        progress.detail("verified: restored into a throwaway container, and every figure matched " + service);
        keep.ifPresent(n -> prune(service, n, progress));
        return backup;
    }

    private String dumpAndVerify(Service service, Path file, Progress progress) {
        Container live = services.container(service).filter(Container::running)
                .orElseThrow(() -> PierException.failed(service + " is not running"));
        List<String> before = services.figures(service, live.id());
        Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
        try (OutputStream out = newPrivateFile(partial)) {
            ByteArrayTail err = new ByteArrayTail();
            try {
                services.export(service, out, err);
            } catch (PierException e) {
                throw PierException.failed(e.getMessage() + err.lastLine().map(line -> ": " + line).orElse(""), e);
            }
        } catch (IOException e) {
            throw PierException.failed("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                if (Files.exists(partial)) {
                    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                // The result line below says what failed; the partial file stays for a look.
            }
        }
        List<String> after = services.figures(service, live.id());
        progress.detail("dumped " + size(file) + " bytes; restoring it into a throwaway container to check it");
        List<String> restored = restore(service, file, progress);
        return compare(before, after, restored).map(reason -> "failed: " + reason).orElse(VERIFIED);
    }

    /** Restores {@code file} into a new container and volume of the service's image; its figures. Both are removed after. */
    private List<String> restore(Service service, Path file, Progress progress) {
        String name = service.dockerName() + "_check";
        Map<String, String> labels = new TreeMap<>(service.labels());
        labels.put(Labels.SERVICE_CHECK, file.getFileName().toString());
        // What an earlier check that was killed left.
        scheduler.containers(service.labels()).stream().filter(c -> c.labels().containsKey(Labels.SERVICE_CHECK))
                .forEach(c -> scheduler.remove(c.id()));
        scheduler.removeVolume(name);
        scheduler.createVolume(name, labels);
        String id = null;
        try {
            id = services.start(service, services.image(service, progress), name, name, labels);
            services.awaitReady(service, id, Progress.silent());
            services.setUp(service, id);
            try (InputStream in = Files.newInputStream(file)) {
                ByteArrayTail err = new ByteArrayTail();
                try {
                    services.importInto(service, id, in, err, Progress.silent());
                } catch (PierException e) {
                    throw PierException.failed("its restore failed: " + err.lastLine().orElse(e.getMessage()), e);
                }
            } catch (IOException e) {
                throw PierException.failed("cannot read " + file + ": " + e.getMessage(), e);
            }
            return services.figures(service, id);
        } finally {
            if (id != null) {
                scheduler.remove(id);
            }
            scheduler.removeVolume(name);
        }
    }

    /**
     * Why the restored figures do not match the live ones; empty when they do. When the service changed during the
     * dump, each count must lie between its values before and after, and the tables must be those of either.
     */
    static Optional<String> compare(List<String> before, List<String> after, List<String> restored) {
        Map<String, Long> b = parse(before);
        Map<String, Long> a = parse(after);
        Map<String, Long> r = parse(restored);
        if (b.isEmpty() && a.isEmpty() && r.isEmpty()) {
            return Optional.empty();
        }
        if (!r.keySet().equals(b.keySet()) && !r.keySet().equals(a.keySet())) {
            List<String> missing = new ArrayList<>(a.keySet());
            missing.removeAll(r.keySet());
            List<String> extra = new ArrayList<>(r.keySet());
            extra.removeAll(a.keySet());
            return Optional.of("the restored copy " + (missing.isEmpty() ? "" : "lacks " + String.join(", ", missing))
                    + (missing.isEmpty() || extra.isEmpty() ? "" : " and ") + (extra.isEmpty() ? "" : "has " + String.join(", ", extra)
                    + " the service has not"));
        }
        for (Map.Entry<String, Long> e : r.entrySet()) {
            long low = Math.min(b.getOrDefault(e.getKey(), a.getOrDefault(e.getKey(), 0L)), a.getOrDefault(e.getKey(), 0L));
            long high = Math.max(b.getOrDefault(e.getKey(), 0L), a.getOrDefault(e.getKey(), 0L));
            if (e.getValue() < low || e.getValue() > high) {
                return Optional.of("the restored " + e.getKey() + " has " + e.getValue() + " where the service has "
                        + (low == high ? Long.toString(low) : low + " to " + high));
            }
        }
        return Optional.empty();
    }

    private static Map<String, Long> parse(List<String> figures) {
        Map<String, Long> out = new TreeMap<>();
        for (String line : figures) {
            int space = line.lastIndexOf(' ');
            try {
                if (space < 1) {
                    throw new NumberFormatException();
                }
                out.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
            } catch (NumberFormatException e) {
                // A line without a count must not pass as a name: it would compare as text, not as a count.
                throw PierException.failed("the kind's figures gave " + Shown.quote(line) + ", not NAME COUNT");
            }
        }
        return out;
    }

    /** The service's backups, newest first. */
    public List<Backup> list(Service service) {
        Path dir = dir(service);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(DUMP) && !f.getFileName().toString().startsWith("."))
                    .map(this::read).flatMap(Optional::stream)
                    .sorted(Comparator.comparing(Backup::time).thenComparing(b -> b.file().toString()).reversed()).toList();
        } catch (IOException e) {
            throw PierException.failed("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private Optional<Backup> read(Path file) {
        try {
            String result = AtomicFile.read(resultFile(file)).map(String::strip)
                    .orElse("unverified: its check did not finish");
            return Optional.of(new Backup(file, Files.size(file), Files.getLastModifiedTime(file).toInstant(), result));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void prune(Service service, int keep, Progress progress) {
        List<Backup> all = list(service);
        List<Backup> verified = all.stream().filter(Backup::verified).toList();
        if (verified.size() <= keep) {
            return;
        }
        Instant oldestKept = verified.get(keep - 1).time();
        for (Backup b : all) {
            if ((b.verified() && verified.indexOf(b) >= keep) || (!b.verified() && b.time().isBefore(oldestKept))) {
                AtomicFile.delete(b.file());
                AtomicFile.delete(resultFile(b.file()));
                progress.detail("removed " + b.file().getFileName() + " (keeping " + keep + ")");
            }
        }
    }

    public void schedule(Service service, Optional<Schedule> schedule) {
        Path file = service.dir(home).resolve(SCHEDULE);
        if (schedule.isEmpty()) {
            AtomicFile.delete(file);
            return;
        }
        AtomicFile.write(file, schedule.get().cron().text() + "\n" + schedule.get().keep().stream()
                .mapToObj(n -> "keep=" + n + "\n").findFirst().orElse(""), "rw-r--r--");
    }

    public Optional<Schedule> schedule(Service service) {
        return schedule(service.state(home));
    }

    private static Optional<Schedule> schedule(ServiceState state) {
        return AtomicFile.read(state.dir().resolve(SCHEDULE)).map(text -> {
            List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            OptionalInt keep = lines.stream().filter(l -> l.startsWith("keep=")).mapToInt(l -> Integer.parseInt(l.substring(5)))
                    .findFirst();
            return new Schedule(CronSchedule.parse(lines.get(0)), keep);
        });
    }

    /**
     * The minute tick's part: starts, detached, the backup of every service whose schedule matches {@code now}; one
     * line each. A backup already running for a service (its lock held) is left to finish. The schedules are read from
     * the state directories: a minute that starts nothing reads no template.
     */
    public List<String> tick(LocalDateTime now, Progress progress) {
        List<String> started = new ArrayList<>();
        LocalDateTime minute = now.truncatedTo(ChronoUnit.MINUTES);
        for (ServiceState state : ServiceState.all(home)) {
            try {
                Optional<Schedule> schedule = schedule(state);
                if (schedule.isPresent() && schedule.get().cron().matches(minute)) {
                    started.add(start(state, schedule.get()));
                }
            } catch (RuntimeException e) {
                progress.warn(state + ": " + Shown.firstLine(e.getMessage()));
            }
        }
        return started;
    }

    /** Starts a due backup; its kind is read first, so one an admin broke is named here, not in the backup's log. */
    private String start(ServiceState state, Schedule schedule) {
        Service service = services.service(state.kind(), state.name());
        List<String> args = new ArrayList<>(List.of(state.kind() + ":backup", state.name().value()));
        schedule.keep().ifPresent(n -> args.addAll(List.of("--keep", Integer.toString(n))));
        detach.accept(home.root().resolve("backup.log"), args);
        return service + " backup started";
    }

    /** A new file only its owner may read, from its creation: the dump is the service's data. */
    private static OutputStream newPrivateFile(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        return Files.newOutputStream(file);
    }

    private static Path resultFile(Path dump) {
        return dump.resolveSibling(dump.getFileName() + RESULT);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** What a command wrote to stderr, kept for its last line. */
    static final class ByteArrayTail extends java.io.ByteArrayOutputStream {
        Optional<String> lastLine() {
            List<String> lines = toString(java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(lines.size() - 1).strip());
        }
    }
}
