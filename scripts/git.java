///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.SERVER;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;

/** The forced command of every key in authorized_keys: git pushes and fetches, and pier commands over SSH. */
@Command(name = "git", description = "pier's side of SSH: git push/fetch and remote commands.", mixinStandardHelpOptions = true,
        subcommands = {git.SshCommandCli.class, git.Retire.class})
public class git {
    public static void main(String... args) {
        System.exit(Cli.execute(git::new, args));
    }

    @Command(name = "ssh-command", hidden = true, mixinStandardHelpOptions = true,
            description = "Run SSH_ORIGINAL_COMMAND for a key (authorized_keys calls this).")
    @Rule(scope = SERVER, changes = false)
    static class SshCommandCli extends PierCommand {
        @Option(names = "--key", required = true, description = "the name of the key that connected")
        String key;

        protected int run() {
            // The key's words run through this same tree (pier's whole tree under pier), built for the key's actor.
            return SshCommand.run(pier(), key, System.getenv("SSH_ORIGINAL_COMMAND"), this::commandLineFor);
        }
    }

    @Command(name = "ps:retire", hidden = true, mixinStandardHelpOptions = true,
            description = "Drain, then stop and remove an app's old containers (a push starts this in the background).")
    @Rule(scope = SERVER, changes = false)
    static class Retire extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        protected int run() {
            pier().deploy().retire(app.app(), containers, progress());
            return 0;
        }
    }
}
