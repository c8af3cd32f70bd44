///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;
import static pier.access.Access.Scope.SERVER;

import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.apps.Apps;
import pier.apps.Release;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.Domain;

/** pier's app commands: apps:create, apps:list, apps:info, apps:destroy. */
@Command(name = "apps", description = "Create, list, describe and destroy apps.", mixinStandardHelpOptions = true,
        subcommands = {apps.Create.class, apps.ListApps.class, apps.Info.class, apps.Destroy.class})
public class apps {
    public static void main(String... args) {
        System.exit(Cli.execute(apps::new, args));
    }

    @Command(name = "apps:create", aliases = "create", description = "Create an app (a push to a new name does this too).",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Create extends PierCommand {
        @Parameters(paramLabel = "APP", description = "lowercase letters, digits and dashes, e.g. blog",
                converter = AppMixin.Converter.class)
        AppName app;

        protected int run() {
            pier().apps().create(app);
            out().println("-----> Created " + app + "; deploy it with: git push pier@<host>:" + app + " main");
            return 0;
        }
    }

    @Command(name = "apps:list", aliases = "apps", description = "List the apps on this server.", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = false)
    static class ListApps extends PierCommand {
        @Mixin
        FormatMixin format;

        protected int run() {
            format.rows(pier().apps().list().stream().map(AppName::value).toList(), name -> name, name -> name);
            return 0;
        }
    }

    @Command(name = "apps:info", description = "Show an app's domains, release and containers.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class Info extends PierCommand {
        @Mixin
        AppMixin app;
        @Mixin
        FormatMixin format;

        protected int run() {
            Apps.Info info = pier().apps().info(app.app(), pier().docker());
            if (format.json()) {
                format.print(new Json(info.name().value(), info.repo().toString(),
                        info.domains().stream().map(Domain::value).toList(), info.release().map(ReleaseJson::of).orElse(null),
                        info.containers().stream().map(c -> new ContainerJson(c.id(), c.process(), c.release(), c.state())).toList()));
                return 0;
            }
            var w = out();
            w.println("=====> " + info.name());
            w.println("Repository:  " + info.repo());
            w.println("Domains:     " + String.join(" ", info.domains().stream().map(Domain::value).toList()));
            w.println("Release:     " + info.release().map(r -> "v" + r.id() + " (" + r.commit().substring(0, 7)
                    + ", " + r.time() + ", by " + r.key() + ")").orElse("none: push to deploy"));
            w.println("Containers:  " + (info.containers().isEmpty() ? "none" : ""));
            info.containers().forEach(c -> w.println("  " + c.id() + "  " + c.process() + "  v" + c.release() + "  " + c.state()));
            return 0;
        }

        record Json(String name, String repository, List<String> domains, @Nullable ReleaseJson release,
                    List<ContainerJson> containers) {
        }

        record ReleaseJson(int id, String commit, String image, int port, String time, String key) {
            static ReleaseJson of(Release r) {
                return new ReleaseJson(r.id(), r.commit(), r.image(), r.port(), r.time().toString(), r.key());
            }
        }

        record ContainerJson(String id, String process, String release, String state) {
        }
    }

    @Command(name = "apps:destroy", aliases = "delete", description = "Remove an app, its code, releases, containers and site.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Destroy extends PierCommand {
        @Mixin
        AppMixin app;
        @Option(names = "--force", description = "confirm: nothing of the app is kept")
        boolean force;

        protected int run() {
            AppName name = app.app();
            if (!force) {
                throw PierException.usage("destroying " + name + " removes its code, releases and containers for good;"
                        + " run pier apps:destroy " + name + " --force to confirm");
            }
            pier().destroy(name, progress());
            return 0;
        }
    }
}
