package pier;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * pier's own install plan for a Debian 12 / Ubuntu 22.04+ host: distro packages, the pier user, its
 * state directory, the compiled jars and launcher, the sudoers rule for Nginx, authorized_keys, the
 * Nginx include and the sshd drop-in. Every config file is rendered from a template and checked by
 * its own program ({@code visudo -c}, {@code nginx -t}, {@code sshd -t}) before anything reloads.
 */
public final class Installer {
    public static final Path NGINX_INCLUDE = Path.of("/etc/nginx/conf.d/pier.conf");
    public static final Path NGINX_DEFAULT_SITE = Path.of("/etc/nginx/sites-enabled/default");
    public static final Path SSHD_DROP_IN = Path.of("/etc/ssh/sshd_config.d/pier.conf");
    public static final Path SUDOERS = Path.of("/etc/sudoers.d/pier");

    private Installer() {
    }

    public static InstallPlan plan(Pier pier, List<Path> jars) {
        PierHome home = pier.home();
        Templates t = pier.templates();
        String user = Launcher.USER;
        Runnable reloadNginx = () -> {
            if (nginxRunning()) {
                Nginx.reload();
            }
        };
        Runnable reloadSshd = () -> {
            if (sshdRunning()) {
                HostSteps.reload("ssh");
            }
        };
        return InstallPlan.of(
                HostSteps.packages("docker.io|docker-ce", "nginx", "openssh-server", "sudo"),
                HostSteps.service("docker", Installer::dockerRunning),
                HostSteps.service("nginx", Installer::nginxRunning),
                HostSteps.service("ssh", Installer::sshdRunning),
                HostSteps.systemUser(user, home.root(), "docker"),
                HostSteps.directory(home.root(), user, "rwxr-xr-x", true),
                HostSteps.directory(home.authorizedKeys().getParent(), user, "rwx------", false),
                HostSteps.directory(Templates.OVERRIDES, "root", "rwxr-xr-x", false),
                Payload.installedIn(Launcher.LIB, jars),
                Launcher.classDataArchive(),
                HostSteps.file(Launcher.PATH, () -> Launcher.render(t, javaBinary()), "root", "rwxr-xr-x", List.of(), () -> {
                }),
                HostSteps.file(SUDOERS, () -> t.render("sudoers/pier.ftl", Map.of("user", user, "nginx", Nginx.BINARY)),
                        "root", "r--r-----", List.of("visudo", "-c", "-q", "-f", "{}"), () -> {
                        }),
                HostSteps.file(home.authorizedKeys(), () -> pier.keys().render(), user, "rw-------", List.of(), () -> {
                }),
                HostSteps.absent(NGINX_DEFAULT_SITE, "it claims default_server, which pier's 404 catch-all needs", reloadNginx),
                HostSteps.file(NGINX_INCLUDE, () -> t.render("nginx/pier.conf.ftl", Map.of("nginxDir", home.nginx().toString())),
                        "root", "rw-r--r--", List.of(Nginx.BINARY, "-t", "-q"), reloadNginx),
                HostSteps.file(SSHD_DROP_IN, () -> t.render("sshd/pier.conf.ftl", Map.of("user", user)),
                        "root", "rw-r--r--", List.of("/usr/sbin/sshd", "-t"), reloadSshd));
    }

    static String javaBinary() {
        return Launcher.javaBinary();
    }

    static boolean dockerRunning() {
        try (Docker docker = Docker.connect()) {
            return docker.ping();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static boolean nginxRunning() {
        return HostSteps.pidAlive(Nginx.PID_FILE);
    }

    static boolean sshdRunning() {
        return HostSteps.pidAlive(Path.of("/run/sshd.pid"));
    }
}
