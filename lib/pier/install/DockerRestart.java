package pier.install;

import java.time.Duration;
import java.util.List;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Host;

/**
 * dockerd restarted after its settings file changed, in the plan only when the admin agreed ({@code install
 * --restart-docker}): with live-restore the apps' containers keep running while it restarts. Stopped with SIGTERM
 * (a clean stop) and started the way {@code docker} starts it (systemd, the init script, or detached).
 */
record DockerRestart(ServiceStep docker) implements InstallStep {
    /** How long a clean stop may take: dockerd stops containers without live-restore, within their grace time. */
    static final Duration STOP_DEADLINE = Duration.ofSeconds(90);

    public String describe() {
        return "dockerd started after the last change of " + DockerDaemonSettings.FILE;
    }

    public boolean satisfied() {
        return !DockerDaemonSettings.restartDue();
    }

    public String plan() {
        return "restart it (--restart-docker; live-restore keeps the apps' containers running)";
    }

    public void apply() {
        apply(Progress.silent());
    }

    @Override
    public void apply(Progress progress) {
        if (HostSteps.systemd()) {
            HostSteps.check(Host.run(List.of("systemctl", "restart", "docker")), "systemctl restart docker");
        } else {
            ProcessHandle dockerd = DockerDaemonSettings.dockerdPid().flatMap(ProcessHandle::of)
                    .orElseThrow(() -> PierException.failed("cannot restart dockerd: " + DockerDaemonSettings.PID_FILE
                            + " names no running dockerd"));
            dockerd.destroy();
            if (!HostSteps.waitFor(() -> !dockerd.isAlive(), STOP_DEADLINE)) {
                throw PierException.failed("dockerd (pid " + dockerd.pid() + ") did not stop within "
                        + STOP_DEADLINE.toSeconds() + " s of SIGTERM; it still runs with its old settings");
            }
        }
        if (!docker.satisfied()) {
            docker.apply(progress);
        }
        if (!HostSteps.waitFor(docker.running(), docker.deadline())) {
            throw PierException.failed("dockerd did not answer within " + docker.deadline().toSeconds() + " s of its restart");
        }
    }
}
