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

/** What an app's site does, with Dokku's names: nginx:set, nginx:report, and maintenance:on|off|report. */
@Command(name = "nginx", description = "See and change how Nginx serves an app: body size, timeouts, buffering, maintenance.",
        mixinStandardHelpOptions = true, subcommands = {nginx.Set.class, nginx.Report.class, nginx.MaintenanceOn.class,
                nginx.MaintenanceOff.class, nginx.MaintenanceReport.class})
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

    @Command(name = "maintenance:on", description = "Serve APP's maintenance page (503) to every request; its"
            + " containers keep running. The page is the template nginx/maintenance.html.ftl.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class MaintenanceOn extends PierCommand {
        @Mixin
        AppMixin app;

        protected int run() {
            boolean changed = pier().maintenance().on(app.app());
            out().println((changed ? "" : "Already: ") + app.app() + " answers 503 with its maintenance page; pier"
                    + " maintenance:off " + app.app() + " serves it again");
            return 0;
        }
    }

    @Command(name = "maintenance:off", description = "Serve APP again.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class MaintenanceOff extends PierCommand {
        @Mixin
        AppMixin app;

        protected int run() {
            boolean changed = pier().maintenance().off(app.app());
            out().println((changed ? "" : "Already: ") + app.app() + " is served");
            return 0;
        }
    }

    @Command(name = "maintenance:report", description = "Whether APP is in maintenance.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class MaintenanceReport extends AppReport {
        protected int report(AppName name) {
            boolean on = pier().maintenance().isOn(name);
            if (format.json()) {
                format.print(Map.of("maintenance", on));
                return 0;
            }
            out().println("=====> " + name + " maintenance: " + (on ? "on" : "off"));
            return 0;
        }
    }
}
