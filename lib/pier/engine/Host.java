package pier.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;

/**
 * The few host programs pier runs (nginx, apt-get, useradd, service, visudo, sshd): argument lists
 * through ProcessBuilder, never a shell. Programs that need root go through {@code sudo -n} when pier
 * is not root, matching the sudoers rule the installer writes.
 */
public final class Host {
    private Host() {
    }

    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The last non-blank line of the output: what an error message quotes. */
        public String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }
    }

    public static Result run(List<String> command) {
        return run(command, null);
    }

    public static Result run(List<String> command, @Nullable String stdin) {
        return run(command, stdin, Map.of());
    }

    public static Result run(List<String> command, @Nullable String stdin, Map<String, String> env) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process p = builder.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Result(124, out + "\n(timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(127, command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted while running " + command.get(0));
        }
    }

    /** Runs a program that needs root: directly as root, else through the installer's sudoers rule. */
    public static Result runAsRoot(List<String> command) {
        if (isRoot()) {
            return run(command);
        }
        List<String> sudo = new ArrayList<>(List.of("sudo", "-n"));
        sudo.addAll(command);
        return run(sudo);
    }

    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    public static boolean exists(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", program)) || Files.isExecutable(Path.of("/sbin", program));
    }
}
