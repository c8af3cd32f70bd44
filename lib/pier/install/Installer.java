package pier.install;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pier.Pier;
import pier.access.Keys;
import pier.base.Progress;
import pier.engine.Host;
import pier.engine.Docker;
import pier.engine.Nginx;
import pier.engine.Templates;
import pier.names.KeyName;
import pier.state.PierHome;
import pier.engine.Launcher;

/**
 * pier's own install plan for a Debian 12 / Ubuntu 22.04+ host: distro packages, Docker's daemon settings, the
 * daemons running (started by the installer itself where no init system can), the pier user, its
 * state directory, the compiled jars and launcher, the sudoers rule for Nginx, authorized_keys, the
 * Nginx include, the sshd drop-in and the boot hook. Every config file is rendered from a template and checked by
 * its own program ({@code visudo -c}, {@code nginx -t}, {@code sshd -t}) before anything reloads.
 * Each step's removal says what {@code --uninstall} takes away: pier's programs and the config that
 * makes the host serve through it; {@code --purge} also the apps, their data and the pier user; the
 * distro packages and services always stay.
 */
public final class Installer {
    /**
     * Why the daily certificate renewal would not run on this host (its trigger is missing); empty when it is in
     * place. Running the installer again puts it back.
     */
    public static java.util.Optional<String> renewalTriggerMissing() {
        return HostSchedule.renewalMissing(HostSteps.systemd());
    }

    public static final Path NGINX_INCLUDE = HostSteps.NGINX_CONF_D.resolve("pier.conf");
    public static final Path NGINX_DEFAULT_SITE = Path.of("/etc/nginx/sites-enabled/default");
    public static final Path SSHD_DROP_IN = HostSteps.SSHD_CONFIG_D.resolve("pier.conf");
    public static final Path SUDOERS = Path.of("/etc/sudoers.d/pier");

    private Installer() {
    }

    /** The daemons pier needs, each with the command line the installer runs where no init system can start it. */
    static final ServiceStep DOCKER = new ServiceStep("docker", Installer::dockerRunning, List.of("dockerd"),
            HostSteps.START_DEADLINE, ServiceStep.LOG_DIR);
    static final InstallStep NGINX = HostSteps.service("nginx", HostSteps::nginxRunning, "nginx");
    static final InstallStep SSHD = HostSteps.service("ssh", HostSteps::sshdRunning, "/usr/sbin/sshd");

    public static InstallPlan plan(Pier pier, List<Path> jars) {
        return plan(pier, jars, false);
    }

    /** pier's plan; with {@code restartDocker} the admin agreed to restart dockerd when its settings changed. */
    public static InstallPlan plan(Pier pier, List<Path> jars, boolean restartDocker) {
        PierHome home = pier.home();
        Templates t = pier.templates();
        String user = Launcher.USER;
        // Rendered now: an uninstall reaches this step after it removed the jars the template would load from.
        String daemonJson = t.render("docker/daemon.json.ftl", Map.of());
        List<InstallStep> steps = new ArrayList<>(List.of(
                HostSteps.packages("docker.io|docker-ce", "nginx", "openssh-server", "sudo"),
                HostSteps.directory(ServiceStep.LOG_DIR, "root", "rwxr-xr-x", false),
                // Before Docker starts: a dockerd the installer starts reads them at once.
                new DockerDaemonSettings(DockerDaemonSettings.FILE, () -> daemonJson,
                        Installer::dockerRunning),
                DOCKER));
        if (restartDocker) {
            steps.add(new DockerRestart(DOCKER));
        }
        steps.addAll(List.of(
                NGINX,
                SSHD,
                HostSteps.systemUser(user, home.root(), "docker").removedOn(Removal.PURGE),
                new DockerObjects().removedOn(Removal.PURGE),
                // Before the home is handed to pier, so the grants files written as root become pier's in the same run.
                implicitAdmins(pier.keys()),
                // Apps' config, repositories and keys are pier's alone: no other user on the host reads them.
                HostSteps.directory(home.root(), user, "rwx------", true).removedOn(Removal.PURGE),
                HostSteps.directory(home.authorizedKeys().getParent(), user, "rwx------", false).removedOn(Removal.PURGE),
                // ACME challenge answers: pier writes them, Nginx's workers (not root) serve them for every name.
                HostSteps.directory(PierHome.ACME_CHALLENGES, user, "rwxr-xr-x", false).removedOn(Removal.PURGE),
                // Maintenance pages: pier writes them, Nginx's workers serve them.
                HostSteps.directory(PierHome.PAGES, user, "rwxr-xr-x", false).removedOn(Removal.PURGE),
                // HTTP auth password files: pier writes them, Nginx's workers read them through pier's group.
                HostSteps.directory(PierHome.PASSWORDS, user, "rwxr-x---", false).removedOn(Removal.PURGE),
                new GroupMemberStep(Nginx.WORKER_USER, user, HostSteps::reloadNginx),
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
                HostSteps.nginxInclude("pier", () -> t.render("nginx/pier.conf.ftl", Map.of("nginxDir", home.nginx().toString(),
                        "acmeChallenges", PierHome.ACME_CHALLENGES.toString())))
                        .removedOn(Removal.UNINSTALL),
                HostSteps.sshdDropIn("pier", () -> t.render("sshd/pier.conf.ftl", Map.of("user", user)))
                        .removedOn(Removal.UNINSTALL)));
        steps.addAll(HostSchedule.steps(t, HostSteps.systemd()));
        return new InstallPlan(steps);
    }

    /**
     * What the boot hook runs ({@code install --boot}): only the daemons pier needs, started when the init system did
     * not; then {@link #reconcile}. Nothing else of the install, so a boot never changes pier's files or packages.
     */
    public static InstallPlan bootPlan() {
        return InstallPlan.of(DOCKER, NGINX, SSHD, ManagerPlan.registryIfManager());
    }

    /**
     * A cluster node's plan ({@code install --node}): Docker installed and running with live-restore off, which swarm
     * mode refuses, and pier's log rotation. Nothing of pier itself: a node runs apps' containers, the manager runs pier.
     */
    public static InstallPlan nodePlan(Templates t) {
        String daemonJson = t.render("docker/daemon.json.ftl", Map.of());
        return InstallPlan.of(
                HostSteps.packages("docker.io|docker-ce"),
                HostSteps.directory(ServiceStep.LOG_DIR, "root", "rwxr-xr-x", false),
                new ManagerPlan.LiveRestoreOff(DockerDaemonSettings.FILE),
                new DockerDaemonSettings(DockerDaemonSettings.FILE, () -> daemonJson, Installer::dockerRunning),
                DOCKER);
    }

    /**
     * After the install's steps: when dockerd runs without some of its settings file, says that a restart is due; when
     * Docker was down (a crash leaves the apps' containers stopped), reconciles every app.
     */
    public static void afterInstall(Pier pier, InstallPlan.Outcome outcome, boolean dryRun, Progress progress) {
        if (DockerDaemonSettings.restartDue()) {
            progress.warn("dockerd started before " + DockerDaemonSettings.FILE + " last changed: its log options apply "
                    + "once it restarts, to containers created after that. Restart it when convenient: run the installer "
                    + "with --restart-docker (live-restore keeps the apps running)");
        }
        // A fresh host has no apps to bring back.
        if (!dryRun && outcome.changed().contains(DOCKER.describe()) && !pier.apps().list().isEmpty()) {
            progress.step("Docker was not running: reconciling every app");
            reconcile(progress);
        }
    }

    /**
     * {@code pier ps:reconcile --all} through the installed launcher (as the pier user): every app's current release
     * running at its scale, and Nginx routing to exactly it. A failure is a warning: the install itself is done.
     */
    public static void reconcile(Progress progress) {
        Host.Result r = Host.run(List.of(Launcher.PATH.toString(), "ps:reconcile", "--all"));
        r.output().lines().filter(l -> !l.isBlank()).forEach(progress::line);
        if (!r.ok()) {
            progress.warn("could not reconcile the apps (" + Launcher.PATH + " ps:reconcile --all exited with "
                    + r.exitCode() + "): run it by hand, or push each app again");
        }
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
