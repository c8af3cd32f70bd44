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
import pier.base.PierException;
import pier.engine.Nginx;
import pier.names.AppName;
import pier.names.AuthUser;
import pier.names.Domain;

/**
 * What an app's site does, with Dokku's names: nginx:set, nginx:report, maintenance:on|off|report,
 * http-auth:on|off|report and redirect, redirect:set|unset.
 */
@Command(name = "nginx", description = "See and change how Nginx serves an app: body size, timeouts, buffering, "
        + "maintenance, HTTP auth and redirects.",
        mixinStandardHelpOptions = true, subcommands = {nginx.Set.class, nginx.Report.class, nginx.MaintenanceOn.class,
                nginx.MaintenanceOff.class, nginx.MaintenanceReport.class, nginx.AuthOn.class, nginx.AuthOff.class,
                nginx.AuthReport.class, nginx.RedirectList.class, nginx.RedirectSet.class, nginx.RedirectUnset.class})
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

    @Command(name = "http-auth:on", description = {"Ask every request to APP for a user and password (HTTP basic auth);"
            + " run again to add a user or change a password. The password is read from stdin (or asked at a terminal)"
            + " and kept only as a bcrypt hash.", "e.g. echo 'SECRET' | pier http-auth:on blog alice"},
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class AuthOn extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "USER", description = "the user name, e.g. alice")
        String user;

        protected int run() {
            AuthUser name = AuthUser.of(user);
            boolean turnedOn = pier().httpAuth().on(app.app(), name, password(name));
            out().println((turnedOn ? "HTTP auth is on for " : "Set the password of " + name + " for ") + app.app()
                    + "; users: " + String.join(", ", pier().httpAuth().users(app.app())));
            return 0;
        }

        /** At a terminal, asked twice without echo; otherwise the first line of stdin. */
        private static String password(AuthUser user) {
            java.io.Console console = System.console();
            if (console != null) {
                char[] first = console.readPassword("Password for %s: ", user);
                char[] again = console.readPassword("Again: ");
                if (first == null || again == null || !java.util.Arrays.equals(first, again)) {
                    throw PierException.usage("the two passwords differ; nothing changed");
                }
                return new String(first);
            }
            try {
                byte[] in = System.in.readNBytes(InvokerFiles.MAX_BYTES + 1);
                if (in.length > InvokerFiles.MAX_BYTES) {
                    throw PierException.usage("stdin holds more than a password; give one line");
                }
                String text = new String(in, java.nio.charset.StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                String line = end < 0 ? text : text.substring(0, end);
                return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            } catch (java.io.IOException e) {
                throw PierException.failed("cannot read the password from stdin: " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "http-auth:off", description = "Serve APP without HTTP auth again, and forget its users.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class AuthOff extends PierCommand {
        @Mixin
        AppMixin app;

        protected int run() {
            boolean changed = pier().httpAuth().off(app.app());
            out().println((changed ? "HTTP auth is off for " : "Already: no HTTP auth for ") + app.app());
            return 0;
        }
    }

    @Command(name = "http-auth:report", description = "Whether APP asks for HTTP auth, and its users (never their hashes).",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class AuthReport extends AppReport {
        protected int report(AppName name) {
            java.util.List<String> users = pier().httpAuth().users(name);
            if (format.json()) {
                format.print(Map.of("enabled", !users.isEmpty(), "users", users));
                return 0;
            }
            out().println("=====> " + name + " http-auth: " + (users.isEmpty() ? "off" : "on, users " + String.join(", ", users)));
            return 0;
        }
    }

    @Command(name = "redirect", description = "The names APP answers with a redirect, and where each goes.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class RedirectList extends AppReport {
        protected int report(AppName name) {
            java.util.List<Nginx.Redirect> redirects = pier().redirects().list(name);
            if (format.json()) {
                java.util.Map<String, String> pairs = new java.util.LinkedHashMap<>();
                redirects.forEach(r -> pairs.put(r.from().value(), r.to().value()));
                format.print(pairs);
                return 0;
            }
            out().println("=====> " + name + " redirects");
            redirects.forEach(r -> out().println(r.from() + " -> " + r.to()));
            return 0;
        }
    }

    @Command(name = "redirect:set", description = {"Answer FROM with a permanent redirect (301) to TO, keeping the path."
            + " FROM becomes APP's, as a domain would: no other app may have it. Checked with nginx -t; no restart.",
            "e.g. pier redirect:set blog www.blog.example.com blog.example.com"}, mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class RedirectSet extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "FROM", description = "the name to redirect")
        String from;
        @Parameters(index = "2", paramLabel = "TO", description = "the name it goes to")
        String to;

        protected int run() {
            Domain source = Domain.of(from);
            Domain target = Domain.of(to);
            boolean changed = pier().redirects().set(app.app(), source, target);
            out().println((changed ? "" : "Already: ") + source + " answers 301 to " + target + " (" + app.app() + ")");
            return 0;
        }
    }

    @Command(name = "redirect:unset", description = "Stop redirecting FROM; APP no longer holds the name.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class RedirectUnset extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "FROM", description = "the redirected name")
        String from;

        protected int run() {
            Domain source = Domain.of(from);
            boolean changed = pier().redirects().unset(app.app(), source);
            out().println((changed ? "Stopped redirecting " : "Already: " + app.app() + " does not redirect ") + source);
            return 0;
        }
    }
}
