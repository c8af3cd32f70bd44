///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;

import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.apps.ProxySettings;
import pier.names.AppName;

/** pier's proxy commands: nginx:set and nginx:report, with Dokku's names. */
@Command(name = "nginx", description = "See and change how Nginx proxies an app: body size, timeouts, buffering.",
        mixinStandardHelpOptions = true, subcommands = {nginx.Set.class, nginx.Report.class})
public class nginx {
    public static void main(String... args) {
        System.exit(Cli.execute(nginx::new, args));
    }

    @Command(name = "nginx:set", description = "Set KEY for APP's site (without VALUE: back to its default): "
            + "client-max-body-size (20m), proxy-read-timeout (60s), proxy-send-timeout (60s), proxy-buffering (on)."
            + " Checked with nginx -t; no restart.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Set extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "KEY", description = "client-max-body-size, proxy-read-timeout,"
                + " proxy-send-timeout or proxy-buffering")
        String key;
        @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = "e.g. 50m, 120s, off")
        @Nullable String value;

        protected int run() {
            boolean changed = pier().proxySettings().set(app.app(), key, Optional.ofNullable(value));
            String now = ProxySettings.asMap(ProxySettings.read(pier().home(), app.app())).get(key);
            out().println((changed ? "Set " : "Already ") + key + " of " + app.app() + " to " + now
                    + (value == null ? " (the default)" : ""));
            return 0;
        }
    }

    @Command(name = "nginx:report", description = "How Nginx proxies APP: each nginx:set setting and its value.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class Report extends AppReport {
        protected int report(AppName name) {
            Map<String, String> settings = ProxySettings.asMap(ProxySettings.read(pier().home(), name));
            if (format.json()) {
                format.print(settings);
                return 0;
            }
            var out = out();
            out.println("=====> " + name + " nginx settings");
            settings.forEach((k, v) -> out.printf("%-22s %s%n", k + ":", v));
            return 0;
        }
    }
}
