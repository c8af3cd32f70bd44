package pier.install;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import pier.Pier;
import pier.access.Keys;
import pier.engine.Docker;
import pier.engine.Nginx;
import pier.engine.Templates;
import pier.names.KeyName;
import pier.state.PierHome;
import pier.engine.Launcher;

/**
 * pier's own install plan for a Debian 12 / Ubuntu 22.04+ host: distro packages, the pier user, its
 * state directory, the compiled jars and launcher, the sudoers rule for Nginx, authorized_keys, the
 * Nginx include and the sshd drop-in. Every config file is rendered from a template and checked by
 * its own program ({@code visudo -c}, {@code nginx -t}, {@code sshd -t}) before anything reloads.
 * Each step's removal says what {@code --uninstall} takes away: pier's programs and the config that
 * makes the host serve through it; {@code --purge} also the apps, their data and the pier user; the
 * distro packages and services always stay.
 */
public final class Installer {
    public static final Path NGINX_INCLUDE = HostSteps.NGINX_CONF_D.resolve("pier.conf");
    public static final Path NGINX_DEFAULT_SITE = Path.of("/etc/nginx/sites-enabled/default");
    public static final Path SSHD_DROP_IN = HostSteps.SSHD_CONFIG_D.resolve("pier.conf");
    public static final Path SUDOERS = Path.of("/etc/sudoers.d/pier");

    private Installer() {
    }

    public static InstallPlan plan(Pier pier, List<Path> jars) {
        PierHome home = pier.home();
        Templates t = pier.templates();
        String user = Launcher.USER;
        return InstallPlan.of(
                HostSteps.packages("docker.io|docker-ce", "nginx", "openssh-server", "sudo"),
                HostSteps.service("docker", Installer::dockerRunning),
                HostSteps.service("nginx", HostSteps::nginxRunning),
                HostSteps.service("ssh", HostSteps::sshdRunning),
                HostSteps.systemUser(user, home.root(), "docker").removedOn(Removal.PURGE),
                new DockerObjects().removedOn(Removal.PURGE),
                // Before the home is handed to pier, so the grants files written as root become pier's in the same run.
                implicitAdmins(pier.keys()),
                // Apps' config, repositories and keys are pier's alone: no other user on the host reads them.
                HostSteps.directory(home.root(), user, "rwx------", true).removedOn(Removal.PURGE),
                HostSteps.directory(home.authorizedKeys().getParent(), user, "rwx------", false).removedOn(Removal.PURGE),
                HostSteps.directory(Templates.OVERRIDES.getParent(), "root", "rwxr-xr-x", false).removedOn(Removal.PURGE),
                HostSteps.directory(Templates.OVERRIDES, "root", "rwxr-xr-x", false).removedOn(Removal.PURGE),
                HostSteps.directory(Launcher.DIR, "root", "rwxr-xr-x", false).removedOn(Removal.UNINSTALL),
                Payload.installedIn(Launcher.LIB, jars).removedOn(Removal.UNINSTALL),
                ClassDataArchive.step().removedOn(Removal.UNINSTALL),
                HostSteps.file(Launcher.PATH, () -> Launcher.render(t, Launcher.javaBinary()), "root", "rwxr-xr-x", List.of(),
                        () -> {
                        }).removedOn(Removal.UNINSTALL),
                HostSteps.file(SUDOERS, () -> t.render("sudoers/pier.ftl", Map.of("user", user, "nginx", Nginx.BINARY)),
                        "root", "r--r-----", List.of("visudo", "-c", "-q", "-f", "{}"), () -> {
                        }).removedOn(Removal.UNINSTALL),
                HostSteps.file(home.authorizedKeys(), () -> pier.keys().render(), user, "rw-------", List.of(), () -> {
                }).removedOn(Removal.PURGE),
                HostSteps.absent(NGINX_DEFAULT_SITE, "it claims default_server, which pier's 404 catch-all needs",
                        HostSteps::reloadNginx),
                HostSteps.nginxInclude("pier", () -> t.render("nginx/pier.conf.ftl", Map.of("nginxDir", home.nginx().toString())))
                        .removedOn(Removal.UNINSTALL),
                HostSteps.sshdDropIn("pier", () -> t.render("sshd/pier.conf.ftl", Map.of("user", user)))
                        .removedOn(Removal.UNINSTALL));
    }

    /**
     * Keys stored before roles existed have no grants file and were admins; pier now grants such a key nothing, so the
     * upgrade writes {@code *=admin} for each, by name, instead of leaving it to a default.
     */
    static InstallStep implicitAdmins(Keys keys) {
        return new InstallStep() {
            @Override
            public String describe() {
                return "every key's role written in its grants file";
            }

            @Override
            public boolean satisfied() {
                return keys.implicitAdmins().isEmpty();
            }

            @Override
            public String plan() {
                return "mark " + String.join(", ", keys.implicitAdmins().stream().map(KeyName::value).toList())
                        + " as admin (stored before roles existed)";
            }

            @Override
            public void apply() {
                keys.migrateImplicitAdmins(false);
            }
        };
    }

    static boolean dockerRunning() {
        try (Docker docker = Docker.connect()) {
            return docker.ping();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
