package pier.install;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pier.engine.Host;
import pier.engine.Launcher;
import pier.engine.Templates;
import pier.state.AtomicFile;

/**
 * What the host runs for pier with no pier process resident. Once at boot: {@code pier install --boot}, which starts
 * the daemons pier needs when the init system did not (on a host without systemd nothing may start dockerd) and
 * then reconciles every app ({@code ps:reconcile --all}). Every minute: {@code pier cron:tick}, which starts the
 * apps' app.json cron entries that are due (and later certificate renewals and backups). Where systemd runs, a
 * oneshot unit {@code pier-boot.service} after Docker and Nginx, enabled, and the timer {@code pier-cron.timer},
 * enabled and started; elsewhere an {@code @reboot} line and a minute line in {@code /etc/cron.d/pier}, with cron
 * installed and running. Daily, the same way: {@code pier letsencrypt:renew} and, as root, {@code pier registry:gc}
 * (which says there is no cluster and exits on a host that manages none). Every run of the installer checks that
 * they are there.
 */
final class HostSchedule {
    static final String UNIT = "pier-boot.service";
    static final String TICK = "pier-cron.service";
    static final String TIMER = "pier-cron.timer";
    static final Path UNITS = Path.of("/etc/systemd/system");
    static final Path UNIT_FILE = UNITS.resolve(UNIT);
    static final Path CRON_FILE = Path.of("/etc/cron.d/pier");
    /** Where the boot run's and the ticks' output go on a host without systemd (under systemd: the journal). */
    static final Path LOG = ServiceStep.LOG_DIR.resolve("boot.log");
    static final Path TICK_LOG = ServiceStep.LOG_DIR.resolve("cron.log");
    static final String RENEW = "pier-renew.service";
    static final String RENEW_TIMER = "pier-renew.timer";
    static final Path RENEW_LOG = ServiceStep.LOG_DIR.resolve("renew.log");
    static final String GC = "pier-registry-gc.service";
    static final String GC_TIMER = "pier-registry-gc.timer";
    static final Path GC_LOG = ServiceStep.LOG_DIR.resolve("registry-gc.log");

    private HostSchedule() {
    }

    static List<InstallStep> steps(Templates t, boolean systemd) {
        Map<String, String> model = model();
        if (systemd) {
            Runnable reload = () -> HostSteps.check(Host.run(List.of("systemctl", "daemon-reload")), "systemctl daemon-reload");
            return List.of(
                    HostSteps.file(UNIT_FILE, () -> t.render("systemd/pier-boot.service.ftl", model), "root", "rw-r--r--",
                            List.of(), reload).removedOn(Removal.UNINSTALL),
                    new UnitEnabled(UNIT, false).removedOn(Removal.UNINSTALL),
                    HostSteps.file(UNITS.resolve(TICK), () -> t.render("systemd/pier-cron.service.ftl", model), "root",
                            "rw-r--r--", List.of(), reload).removedOn(Removal.UNINSTALL),
                    HostSteps.file(UNITS.resolve(TIMER), () -> t.render("systemd/pier-cron.timer.ftl", model), "root",
                            "rw-r--r--", List.of(), reload).removedOn(Removal.UNINSTALL),
                    new UnitEnabled(TIMER, true).removedOn(Removal.UNINSTALL),
                    HostSteps.file(UNITS.resolve(RENEW), () -> t.render("systemd/pier-renew.service.ftl", model), "root",
                            "rw-r--r--", List.of(), reload).removedOn(Removal.UNINSTALL),
                    HostSteps.file(UNITS.resolve(RENEW_TIMER), () -> t.render("systemd/pier-renew.timer.ftl", model), "root",
                            "rw-r--r--", List.of(), reload).removedOn(Removal.UNINSTALL),
                    new UnitEnabled(RENEW_TIMER, true).removedOn(Removal.UNINSTALL),
                    HostSteps.file(UNITS.resolve(GC), () -> t.render("systemd/pier-registry-gc.service.ftl", model), "root",
                            "rw-r--r--", List.of(), reload).removedOn(Removal.UNINSTALL),
                    HostSteps.file(UNITS.resolve(GC_TIMER), () -> t.render("systemd/pier-registry-gc.timer.ftl", model), "root",
                            "rw-r--r--", List.of(), reload).removedOn(Removal.UNINSTALL),
                    new UnitEnabled(GC_TIMER, true).removedOn(Removal.UNINSTALL));
        }
        return List.of(
                HostSteps.packages("cron"),
                HostSteps.service("cron", HostSteps::cronRunning, "cron"),
                // cron reads /etc/cron.d on its own each minute: no reload.
                HostSteps.file(CRON_FILE, () -> t.render("cron/pier.ftl", model), "root", "rw-r--r--", List.of(), () -> {
                }).removedOn(Removal.UNINSTALL));
    }

    /** What the schedule's templates are rendered with: the launcher, and where each run's output goes without systemd. */
    static Map<String, String> model() {
        return Map.of("launcher", Launcher.PATH.toString(), "log", LOG.toString(), "tickLog", TICK_LOG.toString(),
                "renewLog", RENEW_LOG.toString(), "gcLog", GC_LOG.toString());
    }

    /**
     * Why certificates would not be renewed on this host, when they would not: the daily trigger that runs
     * {@code pier letsencrypt:renew} is missing (the installer puts it back). Empty when it is in place.
     */
    static Optional<String> renewalMissing(boolean systemd) {
        if (systemd) {
            return Host.run(List.of("systemctl", "is-enabled", "--quiet", RENEW_TIMER)).ok() ? Optional.empty()
                    : Optional.of("the systemd timer " + RENEW_TIMER + " is not enabled");
        }
        boolean line = AtomicFile.read(CRON_FILE).map(text -> text.lines().anyMatch(l -> !l.startsWith("#")
                && l.contains("letsencrypt:renew"))).orElse(false);
        return line ? Optional.empty() : Optional.of(CRON_FILE + " has no letsencrypt:renew line");
    }

    /** A systemd unit enabled at boot, and with {@code now} running now (a timer); undone by disabling it. */
    record UnitEnabled(String unit, boolean now) implements UndoableStep {
        public String describe() {
            return "systemd unit " + unit + " enabled" + (now ? " and started" : "");
        }

        public boolean satisfied() {
            return present() && (!now || Host.run(List.of("systemctl", "is-active", "--quiet", unit)).ok());
        }

        public String plan() {
            return "systemctl enable " + (now ? "--now " : "") + unit;
        }

        public void apply() {
            List<String> argv = now ? List.of("systemctl", "enable", "--now", unit) : List.of("systemctl", "enable", unit);
            HostSteps.check(Host.run(argv), String.join(" ", argv));
        }

        public boolean present() {
            return Host.run(List.of("systemctl", "is-enabled", "--quiet", unit)).ok();
        }

        public void undo() {
            List<String> argv = now ? List.of("systemctl", "disable", "--now", unit) : List.of("systemctl", "disable", unit);
            HostSteps.check(Host.run(argv), String.join(" ", argv));
        }
    }
}
