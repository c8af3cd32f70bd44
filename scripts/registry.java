///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.SERVER;

import java.util.Optional;
import picocli.CommandLine.Command;
import pier.access.Rule;
import pier.base.Bytes;
import pier.base.PierException;
import pier.engine.Host;
import pier.engine.Registry;
import pier.install.RegistryGarbage;

/** pier's cluster registry: registry:gc. */
@Command(name = "registry", description = "Keep the cluster's registry small: free the disk of the images pier removed.",
        mixinStandardHelpOptions = true, subcommands = {registry.Gc.class})
public class registry {
    public static void main(String... args) {
        System.exit(Cli.execute(registry::new, args));
    }

    @Command(name = "registry:gc", mixinStandardHelpOptions = true,
            description = {"Free the disk of the images removed from the cluster's registry: a deploy removes an app's images"
                    + " beyond its rollback window (images.keep), and moving an app back to this host or destroying it"
                    + " removes all of them, but only a garbage collection frees their layers. The registry stops while it"
                    + " runs (nodes cannot pull, deploys to the swarm wait) and starts again; it is not stopped when there"
                    + " is nothing to free. Runs daily from pier's host schedule.",
                    "Run as root on the cluster's manager; on a host that manages no cluster it says so and does nothing."})
    @Rule(scope = SERVER, changes = true)
    static class Gc extends PierCommand {
        protected int run() {
            if (!Host.isRoot()) {
                throw PierException.usage("registry:gc stops and starts the cluster's registry: run it as root on this host");
            }
            Optional<Registry> managed = RegistryGarbage.managed();
            if (managed.isEmpty()) {
                out().println("no cluster: this host runs no registry to collect");
                return 0;
            }
            progress().step("Collecting the garbage of the cluster's registry " + managed.get().host());
            RegistryGarbage.Collected done = RegistryGarbage.collect(pier().home(), managed.get(), progress());
            progress().step(done.ran() ? "Freed " + Bytes.shown(done.freed()) + ": the registry holds " + Bytes.shown(done.after())
                    + " (was " + Bytes.shown(done.before()) + ")" : "Freed nothing: the registry holds " + Bytes.shown(done.after()));
            return 0;
        }
    }
}
