package pier.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;
import pier.state.PierHome;

/**
 * How pier is started on a server: the launcher on root's PATH runs the jars the installer put in
 * {@code /usr/lib/pier/lib}, compiled once at install time, so no command or push waits for a build.
 * When root runs a command it is re-run as the {@code pier} user, so every file pier writes stays pier's.
 */
public final class Launcher {
    public static final Path PATH = PierHome.LAUNCHER;
    /** Everything the installer compiled: the jars and the class-data archive. */
    public static final Path DIR = Path.of("/usr/lib/pier");
    public static final Path LIB = DIR.resolve("lib");
    public static final String USER = PierHome.USER;
    public static final String MAIN = "pier.cli.pier";
    /** Class data of pier's own classes, made at install time: it saves about 50 ms of every command's start. */
    public static final Path ARCHIVE = DIR.resolve("pier.jsa");

    /**
     * The JVM flags every pier process starts with, favouring start-up: pier's commands are short-lived. The JVM's
     * own warnings go to stderr, since in a forced command stdout is the git protocol. UTF-8 is fixed because sshd
     * passes no locale unless the client sends one, and the command line and config values must not be mangled.
     */
    static final List<String> JVM_OPTIONS = List.of("-Dfile.encoding=UTF-8", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
            "-XX:SharedArchiveFile=" + ARCHIVE, "-Xlog:disable", "-Xlog:all=warning:stderr");

    private Launcher() {
    }

    public static String render(Templates templates, String javaBinary) {
        return templates.render("bin/pier.ftl", Map.of("java", javaBinary, "options", String.join(" ", JVM_OPTIONS),
                "lib", LIB.toString(), "main", MAIN));
    }

    /** True when this process is root on an installed server, where commands must run as pier. */
    public static boolean shouldSwitchToPier() {
        return Host.isRoot() && PierHome.current().root().equals(PierHome.DEFAULT) && userExists();
    }

    public static boolean userExists() {
        return Host.run(List.of("getent", "passwd", USER)).ok();
    }

    /**
     * Runs this same command as the pier user and returns its exit code; stdio is passed straight through.
     * It runs the installed jars, which pier can read (a root-owned JBang cache or checkout it may not).
     */
    public static int runAsPier(String... args) {
        return runAsPier(null, args);
    }

    /**
     * As {@link #runAsPier(String...)}, with {@code stdin} (when not null) as the process's whole input instead of
     * this one's: how root hands over what it read from a file pier may not open (cli/InvokerFiles).
     */
    public static int runAsPier(byte @Nullable [] stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", USER, "--", javaBinary()));
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", LIB + "/*", MAIN));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            if (stdin != null) {
                builder.redirectInput(ProcessBuilder.Redirect.PIPE);
            }
            Process p = builder.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException gone) {
                    // The command ended without reading it all (a usage error): its exit code says what happened.
                }
            }
            return p.waitFor();
        } catch (IOException e) {
            throw PierException.failed("cannot run pier as the " + USER + " user: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** Starts pier with {@code args} in a process of its own that outlives this one; its output goes to {@code log}. */
    public static void detach(Path log, List<String> args) {
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", absolute(System.getProperty("java.class.path")), MAIN));
        command.addAll(args);
        try {
            new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw PierException.failed("cannot start a background pier process: " + e.getMessage(), e);
        }
    }

    /**
     * Ends this process (exit 129, running its shutdown hooks) once a process it was started from is gone, e.g. sshd's
     * session after the client disconnected: nobody reads what a long-running command (logs -t, run, enter) writes,
     * and nothing else would tell it, since a quiet command never writes to find its output closed. Over SSH the
     * parent is the login shell running the forced command, which outlives the session, so every ancestor is watched.
     */
    public static void exitWhenOrphaned() {
        List<ProcessHandle> ancestors = new ArrayList<>();
        for (Optional<ProcessHandle> p = ProcessHandle.current().parent(); p.isPresent() && p.get().pid() > 1;
             p = p.get().parent()) {
            ancestors.add(p.get());
        }
        if (ancestors.isEmpty()) {
            return;
        }
        Thread watch = new Thread(() -> {
            while (ancestors.stream().allMatch(ProcessHandle::isAlive)) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.exit(129);
        }, "pier-orphan-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private static String absolute(String classPath) {
        return java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
