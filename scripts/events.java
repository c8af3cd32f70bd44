///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pier.Pier;
import pier.base.PierException;
import pier.names.AppName;

/** pier's audit log: who changed what, and which attempts were refused. */
@Command(name = "events", description = "Show who changed what on this server, and what was refused.", mixinStandardHelpOptions = true,
        subcommands = {events.Show.class})
public class events {
    static final Class<?>[] COMMANDS = {Show.class};

    public static void main(String... args) {
        System.exit(Cli.execute(new events(), args));
    }

    @Command(name = "events", mixinStandardHelpOptions = true,
            description = "The last events (time, key, app, result, command), oldest first; only APP's when given.")
    static class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..1", paramLabel = "APP")
        String app;
        @Option(names = {"-n", "--num"}, defaultValue = "50", paramLabel = "N", description = "how many (default 50)")
        int num;
        @Option(names = "--format", defaultValue = "text", description = "text or json")
        Cli.Format format;

        public Integer call() {
            if (num < 1) {
                throw PierException.usage("-n takes a positive number, e.g. -n 20");
            }
            Optional<AppName> appName = Optional.ofNullable(app).map(AppName::of);
            var out = spec.commandLine().getOut();
            try (Pier pier = Pier.local()) {
                appName.ifPresent(pier.apps()::require);
                var events = pier.events().last(appName, num);
                if (format == Cli.Format.json) {
                    out.println(Json.of(events.stream().map(e -> Map.of("time", e.time().toString(), "key", e.key(),
                            "app", e.app().map(AppName::value).orElse(""), "result", e.result(), "command", e.command())).toList()));
                } else {
                    events.forEach(e -> out.println(e.time() + "  " + e.key() + "  " + e.app().map(AppName::value).orElse("-")
                            + "  " + e.result() + "  " + e.command()));
                }
            }
            return 0;
        }
    }
}
