package pier.install;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import pier.engine.Host;
import pier.engine.Launcher;
import pier.engine.Templates;

/**
 * What runs once at boot: {@code pier install --boot}, which starts the daemons pier needs when the init system did
 * not (on a host without systemd nothing may start dockerd) and then reconciles every app ({@code ps:reconcile --all}).
 * Where systemd runs, a oneshot unit {@code pier-boot.service} after Docker and Nginx, enabled; elsewhere an
 * {@code @reboot} line in {@code /etc/cron.d/pier}, with cron installed and running. Nothing stays resident.
 */
final class BootHook {
    static final String UNIT = "pier-boot.service";
    static final Path UNIT_FILE = Path.of("/etc/systemd/system").resolve(UNIT);
    static final Path CRON_FILE = Path.of("/etc/cron.d/pier");
    /** Where the boot run's output goes on a host without systemd (under systemd: the journal). */
    static final Path LOG = ServiceStep.LOG_DIR.resolve("boot.log");

    private BootHook() {
    }

    static List<InstallStep> steps(Templates t, boolean systemd) {
        Map<String, String> model = Map.of("launcher", Launcher.PATH.toString(), "log", LOG.toString());
        if (systemd) {
            return List.of(
                    HostSteps.file(UNIT_FILE, () -> t.render("systemd/pier-boot.service.ftl", model), "root", "rw-r--r--",
                            List.of(), () -> HostSteps.check(Host.run(List.of("systemctl", "daemon-reload")), "systemctl daemon-reload"))
                            .removedOn(Removal.UNINSTALL),
                    new UnitEnabled(UNIT).removedOn(Removal.UNINSTALL));
        }
        return List.of(
                HostSteps.packages("cron"),
                HostSteps.service("cron", HostSteps::cronRunning, "cron"),
                // cron reads /etc/cron.d on its own each minute: no reload.
                HostSteps.file(CRON_FILE, () -> t.render("cron/pier.ftl", model), "root", "rw-r--r--", List.of(), () -> {
                }).removedOn(Removal.UNINSTALL));
    }

    /** A systemd unit enabled at boot; undone by disabling it. */
    record UnitEnabled(String unit) implements UndoableStep {
        public String describe() {
            return "systemd unit " + unit + " enabled";
        }

        public boolean satisfied() {
            return present();
        }

        public String plan() {
            return "systemctl enable " + unit;
        }

        public void apply() {
            HostSteps.check(Host.run(List.of("systemctl", "enable", unit)), "systemctl enable " + unit);
        }

        public boolean present() {
            return Host.run(List.of("systemctl", "is-enabled", "--quiet", unit)).ok();
        }

        public void undo() {
            HostSteps.check(Host.run(List.of("systemctl", "disable", unit)), "systemctl disable " + unit);
        }
    }
}
