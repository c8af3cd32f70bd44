///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;
import static pier.access.Access.Scope.SERVER;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.apps.AppDomains;
import pier.names.AppName;
import pier.names.Domain;

/** pier's domain commands: the names each app answers on, and the server-wide domain apps are served under. */
@Command(name = "domains", description = "Choose the names apps are served on.", mixinStandardHelpOptions = true,
        subcommands = {domains.Show.class, domains.Add.class, domains.Remove.class, domains.Set.class, domains.Clear.class,
                domains.SetGlobal.class, domains.ClearGlobal.class})
public class domains {
    public static void main(String... args) {
        System.exit(Cli.execute(domains::new, args));
    }

    static List<Domain> parse(List<String> names) {
        return names.stream().map(Domain::of).toList();
    }

    static String names(List<Domain> domains) {
        return String.join(" ", domains.stream().map(Domain::value).toList());
    }

    /** The step lines of a change, then where the app answers now and whether Nginx was reloaded. */
    static void report(PrintWriter out, AppDomains.Change change, String unchanged) {
        AppName app = change.app();
        change.added().forEach(d -> out.println("-----> Added " + d + " to " + app));
        change.removed().forEach(d -> out.println("-----> Removed " + d + " from " + app));
        if (!change.changed()) {
            out.println("-----> " + unchanged);
        } else if (change.routed()) {
            out.println("       Nginx reloaded (nothing restarted); " + app + " answers on " + names(change.served()));
        } else {
            out.println("       " + app + " is not deployed yet; it will answer on " + names(change.served()));
        }
    }

    @Command(name = "domains", aliases = "domains:get", description = "Show the names an app answers on: its default APP.GLOBAL and its own.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class Show extends AppReport {
        protected int report(AppName name) {
            AppDomains domains = pier().domains();
            Domain fallback = domains.defaultDomain(name);
            List<Domain> own = domains.of(name);
            if (format.json()) {
                format.print(new Json(name.value(), fallback.value(), own.stream().map(Domain::value).toList()));
                return 0;
            }
            PrintWriter out = out();
            out.println("=====> " + name + " domains");
            out.println(fallback + "  (default)");
            own.forEach(out::println);
            return 0;
        }

        record Json(String app, @JsonProperty("default") String fallback, List<String> domains) {
        }
    }

    @Command(name = "domains:add", description = "Make an app answer on more names too (a name belongs to one app).",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Add extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "DOMAIN", description = "e.g. blog.example.com or *.example.com")
        List<String> domains;

        protected int run() {
            List<Domain> wanted = parse(domains);
            report(out(), pier().domains().add(app.app(), wanted), app.app() + " already answers on " + names(wanted));
            return 0;
        }
    }

    @Command(name = "domains:remove", description = "Stop an app answering on some of its names.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Remove extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "DOMAIN")
        List<String> domains;

        protected int run() {
            List<Domain> unwanted = parse(domains);
            report(out(), pier().domains().remove(app.app(), unwanted), "Nothing to change");
            return 0;
        }
    }

    @Command(name = "domains:set", description = "Replace an app's names with these (its default APP.GLOBAL stays).",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Set extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "DOMAIN", description = "e.g. blog.example.com or *.example.com")
        List<String> domains;

        protected int run() {
            List<Domain> wanted = parse(domains);
            AppDomains.Change change = pier().domains().set(app.app(), wanted);
            report(out(), change, app.app() + " already answers on exactly " + names(change.served()));
            return 0;
        }
    }

    @Command(name = "domains:clear", description = "Remove all an app's own names; it keeps its default APP.GLOBAL.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Clear extends PierCommand {
        @Mixin
        AppMixin app;

        protected int run() {
            AppDomains.Change change = pier().domains().clear(app.app());
            report(out(), change, app.app() + " has no domains besides " + names(change.served()));
            return 0;
        }
    }

    @Command(name = "domains:set-global", description = "Serve every app at APP.DOMAIN (point *.DOMAIN at this server).",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class SetGlobal extends PierCommand {
        @Parameters(paramLabel = "DOMAIN", description = "e.g. example.com")
        String domain;

        protected int run() {
            Domain d = Domain.of(domain);
            pier().globalDomain(d);
            out().println("-----> Apps are now served at APP." + d);
            return 0;
        }
    }

    @Command(name = "domains:clear-global", description = "Go back to serving apps at APP.localhost.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class ClearGlobal extends PierCommand {
        protected int run() {
            pier().globalDomain(null);
            out().println("-----> Apps are now served at APP.localhost");
            return 0;
        }
    }
}
