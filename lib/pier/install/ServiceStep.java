package pier.install;

import java.util.List;
import java.util.function.BooleanSupplier;
import pier.base.PierException;
import pier.engine.Host;

/**
 * A service that must be running; started with systemd where it runs, else with the distro's init script.
 * Never undone: stopping Docker, Nginx or sshd would stop more than pier.
 */
record ServiceStep(String name, BooleanSupplier running) implements InstallStep {
    public String describe() {
        return "service " + name + " running";
    }

    public boolean satisfied() {
        return running.getAsBoolean();
    }

    public String plan() {
        return "start it (" + String.join(" ", start()) + ")";
    }

    public void apply() {
        Host.Result r = Host.run(start());
        if (!r.ok() || !HostSteps.waitFor(running)) {
            throw PierException.failed("could not start " + name + ": " + r.lastLine()
                    + "; start it by hand and run the installer again");
        }
    }

    private List<String> start() {
        return HostSteps.systemd() ? List.of("systemctl", "enable", "--now", name) : List.of("service", name, "start");
    }
}
