package pier.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import pier.base.PierException;
import pier.engine.Host;
import pier.engine.Nginx;
import pier.engine.Templates;
import pier.state.AtomicFile;
import pier.state.FileTree;

/**
 * The install steps a Debian or Ubuntu host needs, as values an admin can put in their own plan:
 * {@code InstallPlan.of(HostSteps.packages("nginx"), HostSteps.service("nginx", ...))}. Each step checks
 * ({@code satisfied}), plans ({@code plan}) and applies; the undoable ones also remove what they made, when
 * the plan marks them with {@code removedOn(Removal.UNINSTALL)} or {@code removedOn(Removal.PURGE)}.
 */
public final class HostSteps {
    public static final Path NGINX_CONF_D = Path.of("/etc/nginx/conf.d");
    public static final Path SSHD_CONFIG_D = Path.of("/etc/ssh/sshd_config.d");
    static final Path SSHD_PID_FILE = Path.of("/run/sshd.pid");
    static final Path CRON_PID_FILE = Path.of("/run/crond.pid");
    /** How long a daemon may take to answer after it was started. */
    static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private HostSteps() {
    }

    /** Debian packages; each entry may list alternatives ("docker.io|docker-ce"), any one of which will do. */
    public static InstallStep packages(String... wanted) {
        return new PackagesStep(List.of(wanted));
    }

    /** A service that must be running; started with systemd where it runs, else with the distro's init script. */
    public static InstallStep service(String name, BooleanSupplier running) {
        return new ServiceStep(name, running, List.of(), START_DEADLINE, ServiceStep.LOG_DIR);
    }

    /**
     * A service as above; on a host without systemd whose init script cannot start it, the installer runs
     * {@code daemon} (e.g. "dockerd") itself, detached, logging to {@code /var/log/pier/NAME.log}, and says so.
     */
    public static InstallStep service(String name, BooleanSupplier running, String... daemon) {
        return new ServiceStep(name, running, List.of(daemon), START_DEADLINE, ServiceStep.LOG_DIR);
    }

    /** A system user with {@code home} as its home and membership of {@code groups}; it can log in by key only. */
    public static UndoableStep systemUser(String user, Path home, String... groups) {
        return new UserStep(user, home, List.of(groups));
    }

    /** A directory with an owner and mode; with {@code recursive}, everything below it gets that owner too. */
    public static UndoableStep directory(Path dir, String owner, String mode, boolean recursive) {
        return new DirectoryStep(dir, owner, mode, recursive);
    }

    /**
     * A file rendered by {@code content}. A {@code check} command (with "{}" for the file) vets the new content
     * before it stays; {@code after} runs once it changed (a reload).
     */
    public static UndoableStep file(Path path, Supplier<String> content, String owner, String mode,
                                    List<String> check, Runnable after) {
        return new FileStep(path, content, owner, mode, check, after);
    }

    /**
     * A file rendered from {@code template} with {@code model}: an admin's own in {@code /etc/pier/templates/}, or
     * one pier ships. It renders when checked, so a changed template shows as a change.
     */
    public static UndoableStep fileFromTemplate(Path path, String template, Map<String, ?> model, String owner,
                                                String mode) {
        return file(path, () -> Templates.standard().render(template, model), owner, mode, List.of(), () -> {
        });
    }

    /** A path that must not exist (Debian's default Nginx site, which claims default_server); {@code after} runs once it went. */
    public static InstallStep absent(Path path, String why, Runnable after) {
        return new AbsentStep(path, why, after);
    }

    /**
     * {@code /etc/nginx/conf.d/NAME.conf}: checked with {@code nginx -t} before it stays, then Nginx reloads
     * (gracefully: requests in flight finish). Undone the same way, so Nginx never runs a config it rejected.
     */
    public static UndoableStep nginxInclude(String name, Supplier<String> content) {
        return file(NGINX_CONF_D.resolve(confName(name)), content, "root", "rw-r--r--", List.of(Nginx.BINARY, "-t", "-q"),
                HostSteps::reloadNginx);
    }

    /**
     * {@code /etc/ssh/sshd_config.d/NAME.conf}: checked with {@code sshd -t} before it stays, then sshd reloads
     * (open sessions go on). Undone the same way.
     */
    public static UndoableStep sshdDropIn(String name, Supplier<String> content) {
        return file(SSHD_CONFIG_D.resolve(confName(name)), content, "root", "rw-r--r--", List.of("/usr/sbin/sshd", "-t"),
                HostSteps::reloadSshd);
    }

    private static String confName(String name) {
        if (!name.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw PierException.usage("invalid config name '" + name + "': use a-z, 0-9 and -, e.g. pier");
        }
        return name + ".conf";
    }

    public static boolean systemd() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }

    /** Reloads a service's configuration (a stopped one reads it when it starts). */
    static void reload(String name) {
        Host.Result r = systemd() ? Host.run(List.of("systemctl", "reload", name)) : Host.run(List.of("service", name, "reload"));
        if (!r.ok()) {
            throw PierException.failed("could not reload " + name + ": " + r.lastLine());
        }
    }

    public static boolean nginxRunning() {
        return pidAlive(Nginx.PID_FILE);
    }

    static boolean sshdRunning() {
        return pidAlive(SSHD_PID_FILE);
    }

    static boolean cronRunning() {
        return pidAlive(CRON_PID_FILE);
    }

    static void reloadNginx() {
        if (nginxRunning()) {
            Nginx.reload();
        }
    }

    private static void reloadSshd() {
        if (sshdRunning()) {
            reload("ssh");
        }
    }

    /** True while a process whose pid is in {@code pidFile} is alive. */
    public static boolean pidAlive(Path pidFile) {
        try {
            String pid = AtomicFile.read(pidFile).orElse("").strip();
            return !pid.isEmpty() && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Polls {@code condition} until it holds (true) or {@code within} passed (false). */
    static boolean waitFor(BooleanSupplier condition, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    static boolean hasMode(Path p, String mode) {
        return mode(p).equals(mode);
    }

    /** The permissions of {@code p} as "rwxr-xr-x", or "none" when it cannot be read. */
    static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return "none";
        }
    }

    static boolean ownedBy(Path p, String owner) {
        try {
            PosixFileAttributes attrs = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.owner().getName().equals(owner) && attrs.group().getName().equals(owner);
        } catch (IOException e) {
            return false;
        }
    }

    static void chown(Path p, String owner) {
        try {
            UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal user = lookup.lookupPrincipalByName(owner);
            GroupPrincipal group = lookup.lookupPrincipalByGroupName(owner);
            PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            view.setOwner(user);
            view.setGroup(group);
        } catch (IOException e) {
            throw PierException.failed("cannot give " + p + " to " + owner + ": " + e.getMessage(), e);
        }
    }

    /** Removes a file, or a directory and all below it; a path already gone is fine. */
    static void remove(Path path) {
        try {
            FileTree.delete(path);
        } catch (IOException e) {
            throw PierException.failed("cannot remove " + path + ": " + e.getMessage(), e);
        }
    }

    static void check(Host.Result r, String what) {
        if (!r.ok()) {
            throw PierException.failed(what + " failed: " + r.lastLine());
        }
    }
}
