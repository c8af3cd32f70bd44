///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/*.java
package pier.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import pier.Cli;
import pier.Domain;
import pier.Pier;

/** pier's domain commands: the server-wide domain apps are served under. */
@Command(name = "domains", description = "Choose the names apps are served on.", mixinStandardHelpOptions = true,
        subcommands = {domains.SetGlobal.class, domains.ClearGlobal.class})
public class domains {
    static final Class<?>[] COMMANDS = {SetGlobal.class, ClearGlobal.class};

    public static void main(String... args) {
        System.exit(Cli.execute(new domains(), args));
    }

    @Command(name = "domains:set-global", description = "Serve every app at APP.DOMAIN (point *.DOMAIN at this server).",
            mixinStandardHelpOptions = true)
    static class SetGlobal implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "DOMAIN", description = "e.g. example.com")
        String domain;

        public Integer call() {
            Domain d = Domain.of(domain);
            try (Pier pier = Pier.local()) {
                pier.globalDomain(d);
            }
            spec.commandLine().getOut().println("-----> Apps are now served at APP." + d);
            return 0;
        }
    }

    @Command(name = "domains:clear-global", description = "Go back to serving apps at APP.localhost.",
            mixinStandardHelpOptions = true)
    static class ClearGlobal implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        public Integer call() {
            try (Pier pier = Pier.local()) {
                pier.globalDomain(null);
            }
            spec.commandLine().getOut().println("-----> Apps are now served at APP.localhost");
            return 0;
        }
    }
}
