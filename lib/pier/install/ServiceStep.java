package pier.install;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Host;

/**
 * A daemon that must be running (Docker, Nginx, sshd, cron). Started the host's way first: systemd where it runs,
 * else the distro's init script ({@code service NAME start}). On a host without systemd where that fails too (Debian's
 * {@code /etc/init.d/docker} in a container: "ulimit: error setting limit") the installer starts {@code daemon}
 * itself: in a session of its own ({@code setsid}), stdin from /dev/null, its output appended to
 * {@code /var/log/pier/NAME.log}, and says so. Nothing supervises a daemon started that way: the boot hook and the
 * next install start it again when it is gone. Not on a systemd host, where a daemon outside its unit would fight
 * systemd. Never undone: stopping Docker, Nginx or sshd would stop more than pier.
 *
 * @param daemon the daemon's command line (e.g. {@code dockerd}); empty: the init system is the only way
 * @param deadline how long a start may take before it counts as failed
 * @param logDir where a daemon the installer starts itself logs ({@link #LOG_DIR})
 * @param systemd whether systemd runs this host ({@link HostSteps#systemd}; a test says no, to start daemons itself)
 */
record ServiceStep(String name, BooleanSupplier running, List<String> daemon, Duration deadline, Path logDir,
        BooleanSupplier systemd) implements InstallStep {
    static final Path LOG_DIR = Path.of("/var/log/pier");
    /** The log lines a failed start quotes. */
    static final int QUOTED_LINES = 10;

    ServiceStep {
        daemon = List.copyOf(daemon);
    }

    ServiceStep(String name, BooleanSupplier running, List<String> daemon, Duration deadline, Path logDir) {
        this(name, running, daemon, deadline, logDir, HostSteps::systemd);
    }

    public String describe() {
        return "service " + name + " running";
    }

    public boolean satisfied() {
        return running.getAsBoolean();
    }

    public String plan() {
        String init = "start it (" + String.join(" ", initStart()) + ")";
        return systemd.getAsBoolean() || daemon.isEmpty() ? init
                : init + ", or else as " + String.join(" ", daemon) + " detached, logging to " + log();
    }

    public void apply() {
        apply(Progress.silent());
    }

    @Override
    public void apply(Progress progress) {
        Host.Result init = Host.run(initStart());
        if (init.ok()) {
            // The init system says it started: a second copy beside a slow one would fight it, so only wait.
            if (!HostSteps.waitFor(running, deadline)) {
                throw PierException.failed("could not start " + name + ": " + String.join(" ", initStart())
                        + " succeeded but " + name + " did not answer within " + deadline.toSeconds()
                        + " s; start it by hand and run the installer again");
            }
            return;
        }
        if (running.getAsBoolean()) {
            return;
        }
        if (systemd.getAsBoolean() || daemon.isEmpty()) {
            throw PierException.failed("could not start " + name + ": " + init.lastLine()
                    + "; start it by hand and run the installer again");
        }
        // One more try when the first exits: after a crash, dockerd can give up on the containerd its killed predecessor
        // left ("timeout waiting for containerd to start"), and the next start finds it gone and starts its own.
        try {
            startDetached(init, progress);
        } catch (PierException first) {
            if (running.getAsBoolean()) {
                return;
            }
            progress.warn(name + " did not start (" + first.getMessage() + "); trying once more");
            startDetached(init, progress);
        }
    }

    /** Runs {@code daemon} in a session of its own, then waits for it to answer, to exit or for the deadline. */
    private void startDetached(Host.Result init, Progress progress) {
        Path log = log();
        long logStart;
        Process process;
        List<String> command = new ArrayList<>(List.of("setsid"));
        command.addAll(daemon);
        try {
            Files.createDirectories(logDir);
            logStart = Files.exists(log) ? Files.size(log) : 0;
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw PierException.failed("could not start " + name + " as " + String.join(" ", daemon) + ": " + e.getMessage(), e);
        }
        // A daemon that forks (nginx, sshd) exits 0 at once and answers a moment later; one that exits otherwise failed.
        boolean up = HostSteps.waitFor(() -> running.getAsBoolean() || (!process.isAlive() && process.exitValue() != 0),
                deadline) && running.getAsBoolean();
        if (!up) {
            List<String> tail = lastLines(log, logStart);
            tail.forEach(line -> progress.warn(log.getFileName() + ": " + line));
            throw PierException.failed("could not start " + name + ": " + String.join(" ", initStart()) + " failed ("
                    + init.lastLine() + "), and " + String.join(" ", daemon) + (process.isAlive()
                    ? " did not answer within " + deadline.toSeconds() + " s" : " exited with " + process.exitValue())
                    + "; " + (tail.isEmpty() ? log + " is empty" : "the end of " + log + " is above")
                    + ": fix what it says, then run the installer again");
        }
        progress.detail("started " + name + " myself, since " + String.join(" ", initStart()) + " could not ("
                + init.lastLine() + "): " + String.join(" ", command) + ", detached, log " + log);
        progress.detail("nothing restarts it if it stops: the boot hook and the next install start it again");
    }

    Path log() {
        return logDir.resolve(name + ".log");
    }

    private List<String> initStart() {
        return systemd.getAsBoolean() ? List.of("systemctl", "enable", "--now", name) : List.of("service", name, "start");
    }

    /** The last lines written to {@code log} from byte {@code from} on: what this start wrote. */
    static List<String> lastLines(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            String written = new String(all, (int) Math.min(from, all.length), all.length - (int) Math.min(from, all.length),
                    StandardCharsets.UTF_8);
            List<String> lines = written.lines().filter(l -> !l.isBlank()).toList();
            return lines.subList(Math.max(0, lines.size() - QUOTED_LINES), lines.size());
        } catch (IOException e) {
            return List.of();
        }
    }
}
