///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pier.Pier;
import pier.apps.Apps;
import pier.base.PierException;
import pier.base.Progress;
import pier.names.AppName;
import pier.names.Domain;

/** pier's app commands: apps:create, apps:list, apps:info, apps:destroy. */
@Command(name = "apps", description = "Create, list, describe and destroy apps.", mixinStandardHelpOptions = true,
        subcommands = {apps.Create.class, apps.ListApps.class, apps.Info.class, apps.Destroy.class})
public class apps {
    static final Class<?>[] COMMANDS = {Create.class, ListApps.class, Info.class, Destroy.class};

    public static void main(String... args) {
        System.exit(Cli.execute(new apps(), args));
    }

    @Command(name = "apps:create", aliases = "create", description = "Create an app (a push to a new name does this too).",
            mixinStandardHelpOptions = true)
    static class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "APP", description = "lowercase letters, digits and dashes, e.g. blog")
        String app;

        public Integer call() {
            AppName name = AppName.of(app);
            Pier.local().apps().create(name);
            spec.commandLine().getOut().println("-----> Created " + name + "; deploy it with: git push pier@<host>:" + name + " main");
            return 0;
        }
    }

    @Command(name = "apps:list", aliases = "apps", description = "List the apps on this server.", mixinStandardHelpOptions = true)
    static class ListApps implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--format", defaultValue = "text", description = "text or json")
        Cli.Format format;

        public Integer call() {
            var names = Pier.local().apps().list().stream().map(AppName::value).toList();
            if (format == Cli.Format.json) {
                spec.commandLine().getOut().println(Json.of(names));
            } else {
                names.forEach(spec.commandLine().getOut()::println);
            }
            return 0;
        }
    }

    @Command(name = "apps:info", description = "Show an app's domains, release and containers.", mixinStandardHelpOptions = true)
    static class Info implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "APP")
        String app;
        @Option(names = "--format", defaultValue = "text", description = "text or json")
        Cli.Format format;

        public Integer call() {
            try (Pier pier = Pier.local()) {
                Apps.Info info = pier.apps().info(AppName.of(app), pier.docker());
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("name", info.name().value());
                out.put("repository", info.repo().toString());
                out.put("domains", info.domains().stream().map(Domain::value).toList());
                out.put("release", info.release().map(r -> (Object) Map.of("id", r.id(), "commit", r.commit(),
                        "image", r.image(), "port", r.port(), "time", r.time().toString(), "key", r.key())).orElse(null));
                out.put("containers", info.containers().stream().map(c -> Map.of("id", c.id(), "process", c.process(),
                        "release", c.release(), "state", c.state())).toList());
                var w = spec.commandLine().getOut();
                if (format == Cli.Format.json) {
                    w.println(Json.of(out));
                    return 0;
                }
                w.println("=====> " + info.name());
                w.println("Repository:  " + info.repo());
                w.println("Domains:     " + String.join(" ", info.domains().stream().map(Domain::value).toList()));
                w.println("Release:     " + info.release().map(r -> "v" + r.id() + " (" + r.commit().substring(0, 7)
                        + ", " + r.time() + ", by " + r.key() + ")").orElse("none: push to deploy"));
                w.println("Containers:  " + (info.containers().isEmpty() ? "none" : ""));
                info.containers().forEach(c -> w.println("  " + c.id() + "  " + c.process() + "  v" + c.release() + "  " + c.state()));
                return 0;
            }
        }
    }

    @Command(name = "apps:destroy", aliases = "delete", description = "Remove an app, its code, releases, containers and site.",
            mixinStandardHelpOptions = true)
    static class Destroy implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "APP")
        String app;
        @Option(names = "--force", description = "confirm: nothing of the app is kept")
        boolean force;

        public Integer call() {
            AppName name = AppName.of(app);
            if (!force) {
                throw PierException.usage("destroying " + name + " removes its code, releases and containers for good;"
                        + " run pier apps:destroy " + name + " --force to confirm");
            }
            try (Pier pier = Pier.local()) {
                pier.destroy(name, Progress.to(System.out));
            }
            return 0;
        }
    }
}
