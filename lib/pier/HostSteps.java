package pier;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The install steps a Debian or Ubuntu host needs, as values an admin can put in their own plan:
 * {@code InstallPlan.of(HostSteps.packages("nginx"), HostSteps.service("nginx", ...))}.
 */
public final class HostSteps {
    private HostSteps() {
    }

    /** Debian packages; each entry may list alternatives ("docker.io|docker-ce"), any one of which will do. */
    public static InstallStep packages(String... wanted) {
        return new InstallStep() {
            public String describe() {
                return "packages " + String.join(", ", wanted) + " installed";
            }

            public boolean satisfied() {
                return missing().isEmpty();
            }

            public void apply() {
                List<String> names = missing().stream().map(w -> w.split("\\|")[0]).toList();
                Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
                Host.Result update = Host.run(List.of("apt-get", "update", "-q"), null, env);
                if (!update.ok()) {
                    throw PierException.failed("apt-get update failed: " + update.lastLine());
                }
                List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
                install.addAll(names);
                Host.Result result = Host.run(install, null, env);
                if (!result.ok()) {
                    throw PierException.failed("apt-get install " + String.join(" ", names) + " failed: " + result.lastLine());
                }
            }

            private List<String> missing() {
                return Arrays.stream(wanted).filter(w -> Arrays.stream(w.split("\\|")).noneMatch(HostSteps::installed)).toList();
            }
        };
    }

    static boolean installed(String pkg) {
        Host.Result r = Host.run(List.of("dpkg-query", "-W", "-f=${Status}", pkg));
        return r.ok() && r.output().contains("install ok installed");
    }

    /** A service that must be running; started with systemd where it runs, else with the distro's init script. */
    public static InstallStep service(String name, BooleanSupplier running) {
        return new InstallStep() {
            public String describe() {
                return "service " + name + " running";
            }

            public boolean satisfied() {
                return running.getAsBoolean();
            }

            public void apply() {
                Host.Result r = systemd()
                        ? Host.run(List.of("systemctl", "enable", "--now", name))
                        : Host.run(List.of("service", name, "start"));
                if (!r.ok() || !waitFor(running)) {
                    throw PierException.failed("could not start " + name + ": " + r.lastLine()
                            + "; start it by hand and run the installer again");
                }
            }
        };
    }

    static boolean systemd() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }

    /** Reloads a service's configuration if it runs (a stopped one reads it when it starts). */
    static void reload(String name) {
        Host.Result r = systemd() ? Host.run(List.of("systemctl", "reload", name)) : Host.run(List.of("service", name, "reload"));
        if (!r.ok()) {
            throw PierException.failed("could not reload " + name + ": " + r.lastLine());
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

    private static boolean waitFor(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 30_000_000_000L;
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

    /** A system user with {@code home} as its home and membership of {@code groups}; it can log in by key only. */
    public static InstallStep systemUser(String user, Path home, String... groups) {
        return new InstallStep() {
            public String describe() {
                return "system user " + user + " (home " + home + ", groups " + String.join(", ", groups) + ")";
            }

            public boolean satisfied() {
                Host.Result id = Host.run(List.of("id", "-nG", user));
                return id.ok() && List.of(id.output().strip().split("\\s+")).containsAll(List.of(groups));
            }

            public void apply() {
                if (!Host.run(List.of("getent", "passwd", user)).ok()) {
                    check(Host.run(List.of("useradd", "--system", "--user-group", "--home-dir", home.toString(),
                            "--shell", "/bin/sh", user)), "useradd " + user);
                    // "*" rather than useradd's "!": sshd refuses key logins to accounts marked locked.
                    check(Host.run(List.of("usermod", "-p", "*", user)), "usermod -p * " + user);
                }
                if (groups.length > 0) {
                    check(Host.run(List.of("usermod", "-aG", String.join(",", groups), user)), "usermod -aG " + user);
                }
            }
        };
    }

    /** A directory with an owner and mode; with {@code recursive}, everything below it gets that owner too. */
    public static InstallStep directory(Path dir, String owner, String mode, boolean recursive) {
        return new InstallStep() {
            public String describe() {
                return "directory " + dir + " (" + owner + ", " + mode + (recursive ? ", owns all below" : "") + ")";
            }

            public boolean satisfied() {
                if (!Files.isDirectory(dir)) {
                    return false;
                }
                try (Stream<Path> all = recursive ? Files.walk(dir) : Stream.of(dir)) {
                    return hasMode(dir, mode) && all.allMatch(p -> ownedBy(p, owner));
                } catch (IOException e) {
                    return false;
                }
            }

            public void apply() {
                try {
                    Files.createDirectories(dir);
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
                    try (Stream<Path> all = recursive ? Files.walk(dir) : Stream.of(dir)) {
                        for (Path p : all.toList()) {
                            chown(p, owner);
                        }
                    }
                } catch (IOException e) {
                    throw PierException.failed("cannot prepare " + dir + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /**
     * A file rendered by {@code content}. A {@code check} command (with "{}" for a candidate file) vets the
     * new content before it replaces the old one; {@code after} runs once it changed (a reload).
     */
    public static InstallStep file(Path path, Supplier<String> content, String owner, String mode,
                                   List<String> check, Runnable after) {
        return new InstallStep() {
            public String describe() {
                return "file " + path + " (" + owner + ", " + mode + ")";
            }

            public boolean satisfied() {
                return AtomicFile.read(path).equals(Optional.of(content.get())) && hasMode(path, mode) && ownedBy(path, owner);
            }

            public void apply() {
                String text = content.get();
                Optional<String> previous = AtomicFile.read(path);
                AtomicFile.write(path, text, mode);
                chown(path, owner);
                if (!check.isEmpty()) {
                    List<String> command = check.stream().map(a -> a.replace("{}", path.toString())).toList();
                    Host.Result r = Host.run(command);
                    if (!r.ok()) {
                        restore(path, previous, mode);
                        throw PierException.failed(String.join(" ", command) + " rejected " + path + ", kept the old one: "
                                + r.lastLine());
                    }
                }
                after.run();
            }
        };
    }

    private static void restore(Path path, Optional<String> previous, String mode) {
        try {
            if (previous.isPresent()) {
                AtomicFile.write(path, previous.get(), mode);
            } else {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw PierException.failed("cannot restore " + path + ": " + e.getMessage(), e);
        }
    }

    /** A path that must not exist (Debian's default Nginx site, which claims default_server). */
    public static InstallStep absent(Path path, String why, Runnable after) {
        return new InstallStep() {
            public String describe() {
                return path + " removed (" + why + ")";
            }

            public boolean satisfied() {
                return !Files.exists(path, LinkOption.NOFOLLOW_LINKS);
            }

            public void apply() {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw PierException.failed("cannot remove " + path + ": " + e.getMessage(), e);
                }
                after.run();
            }
        };
    }

    static boolean hasMode(Path p, String mode) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)).equals(mode);
        } catch (IOException e) {
            return false;
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

    private static void check(Host.Result r, String what) {
        if (!r.ok()) {
            throw PierException.failed(what + " failed: " + r.lastLine());
        }
    }
}
