///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
// lib/pier/*.java comes in through scripts/pier.java's own //SOURCES: naming it here too made JBang
// hand javac (and //FILES) every library file twice.
//SOURCES scripts/pier.java
package pier.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pier.Cli;
import pier.Host;
import pier.InstallPlan;
import pier.Installer;
import pier.Payload;
import pier.Pier;
import pier.PierException;
import pier.Progress;

/** Makes this Debian/Ubuntu host a pier server; safe to run again (it then changes nothing). */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Install pier on this host as root: packages, the pier user, Nginx and sshd config. Idempotent.")
public class install implements Callable<Integer> {
    @Option(names = "--dry-run", description = "print the plan and change nothing")
    boolean dryRun;

    public static void main(String... args) {
        System.exit(Cli.execute(new install(), args));
    }

    public Integer call() {
        if (!dryRun && !Host.isRoot()) {
            throw PierException.usage("the installer changes the host: run it as root (sudo), or with --dry-run to see the plan");
        }
        Progress progress = Progress.to(System.out);
        progress.step(dryRun ? "Planning the install of pier (dry run: nothing changes)" : "Installing pier");
        try (Pier pier = Pier.local()) {
            InstallPlan.Outcome outcome = Installer.plan(pier, Payload.runningJars()).run(dryRun, progress);
            if (dryRun) {
                progress.step(outcome.changes() + " change(s) would be made");
            } else if (outcome.changes() == 0) {
                progress.step("Nothing to change: pier is installed and up to date");
            } else {
                progress.step(outcome.changes() + " change(s) made; add your key with: pier ssh-keys:add NAME < ~/.ssh/id_ed25519.pub");
            }
        }
        return 0;
    }
}
