///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;

import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.base.PierException;
import pier.names.AppName;

/** pier's audit log: who changed what, and which attempts were refused. */
@Command(name = "events", description = "Show who changed what on this server, and what was refused.", mixinStandardHelpOptions = true,
        subcommands = {events.Show.class})
public class events {
    public static void main(String... args) {
        System.exit(Cli.execute(events::new, args));
    }

    @Command(name = "events", mixinStandardHelpOptions = true,
            description = "The last events (time, key, app, result, command), oldest first; only APP's when given.")
    @Rule(scope = APP, changes = false)
    static class Show extends PierCommand {
        @Parameters(arity = "0..1", paramLabel = "APP", converter = AppMixin.Converter.class)
        AppName app;
        @Option(names = {"-n", "--num"}, defaultValue = "50", paramLabel = "N", description = "how many (default 50)")
        int num;
        @Mixin
        FormatMixin format;

        protected int run() {
            if (num < 1) {
                throw PierException.usage("-n takes a positive number, e.g. -n 20");
            }
            Optional<AppName> appName = Optional.ofNullable(app);
            appName.ifPresent(pier().apps()::require);
            format.rows(pier().events().last(appName, num),
                    e -> new Json(e.time().toString(), e.key(), e.app().map(AppName::value).orElse(""), e.result(), e.command()),
                    e -> e.time() + "  " + e.key() + "  " + e.app().map(AppName::value).orElse("-") + "  " + e.result() + "  "
                            + e.command());
            return 0;
        }

        record Json(String time, String key, String app, String result, String command) {
        }
    }
}
