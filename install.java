///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
// lib/pier/**.java comes in through scripts/pier.java's own //SOURCES: naming it here too made JBang
// hand javac (and //FILES) every library file twice.
//SOURCES scripts/pier.java
package pier.cli;

import static pier.access.Access.Scope.SERVER;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pier.access.Rule;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Host;
import pier.install.InstallPlan;
import pier.install.Installer;
import pier.install.Payload;

/**
 * Makes this Debian/Ubuntu host a pier server; safe to run again (it then changes nothing, or upgrades what
 * differs). With --uninstall it takes pier off the host again, from the same plan.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Install or upgrade pier on this host as root: packages, the pier user, Nginx and sshd config. Idempotent.")
@Rule(scope = SERVER, changes = true)
public class install extends PierCommand {
    @Option(names = "--dry-run", description = "print the plan and change nothing")
    boolean dryRun;

    @Option(names = "--uninstall", description = "remove pier's programs and its Nginx, sshd and sudoers config; "
            + "keep the apps (still running), their data, the pier user and the distro packages")
    boolean uninstall;

    @Option(names = "--restart-docker", description = "restart dockerd when its settings (/etc/docker/daemon.json) "
            + "changed since it started; live-restore keeps the apps running. Without it the installer says a restart is due")
    boolean restartDocker;

    @Option(names = "--boot", description = "what the boot hook runs: start Docker, Nginx and sshd if the init system "
            + "did not, then reconcile every app; changes nothing else")
    boolean boot;

    @Option(names = "--node", description = "make this host a cluster node only: Docker installed and running with "
            + "live-restore off (swarm mode refuses it); then run nodes:add HOST on the manager")
    boolean node;

    @Option(names = "--purge", description = "with --uninstall: also remove pier's containers, images and volumes, "
            + "/var/lib/pier, /etc/pier and the pier user")
    boolean purge;

    public static void main(String... args) {
        System.exit(Cli.execute(install::new, args));
    }

    protected int run() {
        if (purge && !uninstall) {
            throw PierException.usage("--purge only goes with --uninstall: run install --uninstall --purge");
        }
        if (!dryRun && !Host.isRoot()) {
            throw PierException.usage("the installer changes the host: run it as root (sudo), or with --dry-run to see the plan");
        }
        if (boot && (uninstall || restartDocker)) {
            throw PierException.usage("--boot goes alone: it only starts the daemons and reconciles the apps");
        }
        Progress progress = progress();
        if (node && (uninstall || boot || restartDocker)) {
            throw PierException.usage("--node goes alone (or with --dry-run): it installs only what a cluster node needs");
        }
        if (node) {
            progress.step(dryRun ? "Planning a cluster node (dry run: nothing changes)" : "Making this host a cluster node");
            InstallPlan.Outcome outcome = Installer.nodePlan(pier().templates()).run(dryRun, progress);
            progress.step(outcome.changes() + (dryRun ? " change(s) would be made" : " change(s) made")
                    + "; on the manager, run: pier nodes:add ADDRESS-OF-THIS-HOST");
            return 0;
        }
        if (boot) {
            boot(progress);
            return 0;
        }
        InstallPlan plan = Installer.plan(pier(), Payload.runningJars(), restartDocker);
        if (uninstall) {
            uninstall(plan, progress);
        } else {
            install(plan, progress);
        }
        return 0;
    }

    private void install(InstallPlan plan, Progress progress) {
        progress.step(dryRun ? "Planning the install of pier (dry run: nothing changes)" : "Installing pier");
        InstallPlan.Outcome outcome = plan.run(dryRun, progress);
        if (dryRun) {
            progress.step(outcome.changes() + " change(s) would be made");
        } else if (outcome.changes() == 0) {
            progress.step("Nothing to change: pier is installed and up to date");
        } else {
            progress.step(outcome.changes() + " change(s) made; add your key with: pier ssh-keys:add NAME < ~/.ssh/id_ed25519.pub");
        }
        Installer.afterInstall(pier(), outcome, dryRun, progress);
    }

    private void boot(Progress progress) {
        progress.step(dryRun ? "Boot (dry run: nothing changes): the daemons pier needs" : "Boot: starting what pier needs");
        Installer.bootPlan().run(dryRun, progress);
        if (!dryRun) {
            progress.step("Reconciling every app");
            Installer.reconcile(progress);
        }
    }

    private void uninstall(InstallPlan plan, Progress progress) {
        String what = purge ? "pier, its apps and their data" : "pier (its apps and their data stay)";
        progress.step(dryRun ? "Planning the removal of " + what + " (dry run: nothing changes)" : "Removing " + what);
        // Run from the installed jars, this process loads classes from files it is about to delete.
        Payload.holdOpen();
        // Docker's client finds its logger through a service file, read by the jar's path on first use: before the jars go.
        org.slf4j.LoggerFactory.getILoggerFactory();
        InstallPlan.Undone undone = plan.uninstall(purge, dryRun, progress);
        if (undone.removed().isEmpty()) {
            progress.step("Nothing to remove: pier is not installed" + (purge ? " and holds no data" : ""));
        } else {
            progress.step(undone.removed().size() + (dryRun ? " item(s) would be removed" : " item(s) removed")
                    + "; kept " + undone.kept().size() + " (the distro packages stay installed and running)");
        }
        if (!undone.purgeable().isEmpty()) {
            progress.step("The apps keep running and their data stays; installing again serves them again. "
                    + "To remove them too, run the installer with --uninstall --purge");
        }
    }
}
