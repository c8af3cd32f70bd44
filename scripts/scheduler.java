///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.SERVER;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.apps.Placement;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;

/** Where an app's processes run: scheduler:set, scheduler:report. */
@Command(name = "scheduler", description = "Run an app on this host's Docker or across the cluster's swarm.",
        mixinStandardHelpOptions = true, subcommands = {scheduler.Set.class, scheduler.Report.class})
public class scheduler {
    public static void main(String... args) {
        System.exit(Cli.execute(scheduler::new, args));
    }

    @Command(name = "scheduler:set", mixinStandardHelpOptions = true,
            description = {"Where APP's processes run, moved there at once (a restart; a failed move puts it back):",
                    "  scheduler:set APP swarm                        across the cluster (pier nodes:add first)",
                    "  scheduler:set APP docker                       on this host (the default)",
                    "  scheduler:set APP constraint node.labels.x==y  a swarm placement constraint (more: repeat)",
                    "  scheduler:set APP constraint clear             none"})
    @Rule(scope = SERVER, changes = true)
    static class Set extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "WHAT", description = "swarm, docker or constraint")
        String what;
        @Parameters(index = "2", arity = "0..1", paramLabel = "EXPR", description = "with constraint: the constraint, or clear")
        String expression;

        protected int run() {
            AppName name = app.app();
            Placement now = Placement.read(pier().home(), name);
            Placement wanted = switch (what) {
                case Placement.SWARM, Placement.DOCKER -> {
                    if (expression != null) {
                        throw PierException.usage("scheduler:set APP " + what + " takes nothing more");
                    }
                    yield now.withScheduler(what);
                }
                case "constraint" -> {
                    if (expression == null) {
                        throw PierException.usage("give the constraint, e.g. scheduler:set " + name + " constraint node.labels.disk==ssd,"
                                + " or clear");
                    }
                    yield expression.equals("clear") ? now.withoutConstraints() : now.withConstraint(expression);
                }
                default -> throw PierException.usage("unknown scheduler setting " + Shown.quote(what)
                        + ": swarm, docker or constraint");
            };
            pier().place(name, wanted, progress());
            return 0;
        }
    }

    @Command(name = "scheduler:report", mixinStandardHelpOptions = true,
            description = "Where APP's processes run, and the swarm's constraints for it.")
    @Rule(scope = SERVER, changes = false)
    static class Report extends PierCommand {
        @Mixin
        AppMixin app;
        @Mixin
        FormatMixin format;

        protected int run() {
            Placement placement = Placement.read(pier().home(), app.app());
            if (format.json()) {
                format.print(new Json(app.app().value(), placement.scheduler(), placement.constraints()));
                return 0;
            }
            out().println("=====> " + app.app() + " scheduler");
            out().println("scheduler:   " + placement.scheduler() + (placement.swarm() ? " (the cluster)" : " (this host)"));
            out().println("constraints: " + (placement.constraints().isEmpty() ? "none" : String.join(" ", placement.constraints())));
            return 0;
        }

        record Json(String app, String scheduler, List<String> constraints) {
        }
    }
}
