///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;
import static pier.access.Access.Scope.SERVER;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.apps.Release;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.Resources;

/** pier's resource commands: what an app's containers may take from the host. */
@Command(name = "resource", description = "Limit the memory, CPUs and processes an app's containers may use.",
        mixinStandardHelpOptions = true, subcommands = {resource.Limit.class, resource.Report.class})
public class resource {
    public static void main(String... args) {
        System.exit(Cli.execute(resource::new, args));
    }

    @Command(name = "resource:limit", mixinStandardHelpOptions = true,
            description = {"Set APP's limits and restart it with them (no rebuild, no downtime); a restart that fails"
                    + " puts the old limits back.",
                    "memory=512m (k, m, g), cpus=1.5, pids=256; 0 means no limit; NAME=default goes back to the server's"
                    + " (settings limits.memory, limits.cpus, limits.pids)."})
    // Limits protect the host from the app: the app's own keys may not lift them.
    @Rule(scope = SERVER, changes = true)
    static class Limit extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME=VALUE")
        List<String> limits;
        @Option(names = "--process", paramLabel = "TYPE", description = "only this process type (web, worker, release, run ...)")
        String process;

        protected int run() {
            Optional<ProcessType> type = Optional.ofNullable(process).map(ProcessType::of);
            Map<String, String> changes = Resources.changes(limits);
            pier().limitResources(app.app(), type, changes, progress());
            return 0;
        }
    }

    @Command(name = "resource:report", mixinStandardHelpOptions = true,
            description = "The limits in force for each of APP's process types, and the app's own settings.")
    @Rule(scope = APP, changes = false)
    static class Report extends AppReport {
        protected int report(AppName name) {
            Resources resources = new Resources(pier().home());
            List<String> types = new java.util.ArrayList<>(List.of("web"));
            pier().releases(name).current().map(Release::procfile).ifPresent(p -> p.commands().keySet().stream()
                    .map(ProcessType::value).filter(t -> !types.contains(t)).forEach(types::add));
            types.addAll(List.of("run", "build"));
            Map<String, Resources.Limits> inForce = new LinkedHashMap<>();
            types.forEach(type -> inForce.put(type, resources.limits(name, type)));
            if (format.json()) {
                Map<String, LimitsJson> limits = new LinkedHashMap<>();
                inForce.forEach((type, l) -> limits.put(type, new LimitsJson(l.memory(), l.cpus(), l.pids())));
                format.print(new Json(name.value(), limits, resources.ownLines(name), resources.defaults()));
                return 0;
            }
            var out = out();
            out.println("=====> " + name + " resource limits");
            inForce.forEach((type, limits) -> out.printf("%-10s %s%n", type, limits.describe()));
            Map<String, String> own = resources.ownLines(name);
            out.println(own.isEmpty() ? "(the server's defaults: " + String.join(" ", resources.defaults().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList()) + ")"
                    : "set for " + name + ": " + String.join(" ", own.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
            return 0;
        }

        record Json(String app, Map<String, LimitsJson> limits, Map<String, String> own, Map<String, String> defaults) {
        }

        record LimitsJson(long memory, double cpus, long pids) {
        }
    }
}
