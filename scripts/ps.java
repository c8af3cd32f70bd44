///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;
import static pier.access.Access.Shown.APP_ONLY;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.apps.Placement;
import pier.apps.Release;
import pier.apps.Scale;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Terminal;
import pier.deploy.Processes;
import pier.deploy.Reconcile;
import pier.engine.Launcher;
import pier.names.AppName;
import pier.names.ProcessType;

/** pier's process commands: ps, ps:scale, ps:restart, ps:start, ps:stop, ps:rebuild, ps:reconcile, logs, run and enter. */
@Command(name = "ps", description = "See, scale, restart, stop and enter an app's processes; read their logs.",
        mixinStandardHelpOptions = true,
        subcommands = {ps.Show.class, ps.ScaleCmd.class, ps.Restart.class, ps.Start.class, ps.Stop.class, ps.Rebuild.class,
                ps.ReconcileCmd.class, ps.Logs.class, ps.Run.class, ps.Enter.class})
public class ps implements Cli.Root {
    public static void main(String... args) {
        System.exit(Cli.execute(ps::new, args));
    }

    @Override
    public void complete(CommandLine tree, @Nullable String wanted) {
        configure(tree);
    }

    /** `run APP ls -la`: everything after APP is the command, options included. */
    static void configure(CommandLine root) {
        CommandLine run = root.getSubcommands().get("run");
        if (run != null) {
            run.setStopAtPositional(true);
        }
    }

    @Command(name = "ps", description = "Show the containers of APP: type, state, release, local port (on the swarm: its tasks and their nodes).",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class Show extends PierCommand {
        @Mixin
        AppMixin app;
        @Mixin
        FormatMixin format;

        protected int run() {
            AppName name = app.app();
            List<Processes.Instance> all = pier().processes().list(name);
            Optional<Release> live = pier().releases(name).current();
            boolean stopped = pier().apps().stopped(name);
            boolean swarm = Placement.read(pier().home(), name).swarm();
            if (format.json()) {
                format.print(new Json(name.value(), live.map(Release::id).orElse(null), stopped,
                        swarm ? Placement.SWARM : Placement.DOCKER, live.map(r -> new Scale(r.formation()).asStrings()).orElse(Map.of()),
                        all.stream().map(i -> new ContainerJson(i.name(), i.type(), i.id(), i.release(), i.role(), i.state(),
                                i.status(), i.port().orElse(null), i.node().isEmpty() ? null : i.node(),
                                i.port().isPresent() ? i.address() : null)).toList()));
                return 0;
            }
            var out = out();
            out.println("=====> " + name + live.map(r -> " " + r.tag() + " (" + Scale.describe(r.formation()) + ")")
                    .orElse(": not deployed") + (swarm ? " on the swarm" : "") + (stopped ? ", stopped: pier ps:start " + name : ""));
            all.forEach(i -> out.println(i.line()));
            return 0;
        }

        /** {@code scheduler}: docker (this host) or swarm; on the swarm each container is a task, on its {@code node}. */
        record Json(String app, @Nullable Integer release, boolean stopped, String scheduler, Map<String, Integer> scale,
                    List<ContainerJson> containers) {
        }

        record ContainerJson(String name, String type, String id, int release, String role, String state, String status,
                             @Nullable Integer port, @Nullable String node, @Nullable String address) {
        }
    }

    @Command(name = "ps:scale", description = "Run N containers of each type (web=2 worker=0); without TYPE=N, show the scale.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class ScaleCmd extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1..*", arity = "0..*", paramLabel = "TYPE=N", description = "e.g. web=2 worker=1; 0 stops a type")
        List<String> counts;

        protected int run() {
            AppName name = app.app();
            Optional<Scale> changes = counts == null || counts.isEmpty() ? Optional.empty() : Optional.of(Scale.parse(counts));
            pier().apps().require(name);
            if (changes.isEmpty()) {
                Scale scale = Scale.read(pier().home(), name);
                String shown = pier().releases(name).current().map(r -> Scale.describe(scale.formation(r.procfile())))
                        .orElse(scale.counts().isEmpty() ? "web=1" : Scale.describe(scale.counts()));
                out().println(shown);
                return 0;
            }
            pier().processes().scale(name, changes.get(), pier().actor().name(), progress());
            return 0;
        }
    }

    /** ps:restart, ps:start, ps:stop and ps:rebuild: one app, one Processes call, its progress on stdout. */
    abstract static class Lifecycle extends PierCommand {
        interface Change {
            void apply(Processes processes, AppName app, String key, Progress progress);
        }

        private final Change change;
        @Mixin
        AppMixin app;

        Lifecycle(Change change) {
            this.change = change;
        }

        protected int run() {
            change.apply(pier().processes(), app.app(), pier().actor().name(), progress());
            return 0;
        }
    }

    @Command(name = "ps:restart", aliases = {"restart", "apps:restart"},
            description = "Start new containers of the live release with the current config, then retire the old ones.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Restart extends Lifecycle {
        Restart() {
            super(Processes::restart);
        }
    }

    @Command(name = "ps:start", aliases = {"start", "apps:start"}, description = "Start a stopped app again.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Start extends Lifecycle {
        Start() {
            super(Processes::start);
        }
    }

    @Command(name = "ps:stop", aliases = {"stop", "apps:stop"},
            description = "Stop every container of APP; its site answers 503 until ps:start.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Stop extends Lifecycle {
        Stop() {
            super(Processes::stop);
        }
    }

    @Command(name = "ps:rebuild", aliases = "rebuild", description = "Build the live commit again and deploy it.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Rebuild extends Lifecycle {
        Rebuild() {
            super(Processes::rebuild);
        }
    }

    @Command(name = "ps:reconcile", description = "Make APP (or --all apps) run as recorded: the live release at its scale,"
            + " routed by Nginx; after a reboot or a crash of Docker.", mixinStandardHelpOptions = true)
    // Without an APP (--all) it is server-wide, so for admin keys only.
    @Rule(scope = APP, changes = true)
    static class ReconcileCmd extends PierCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "APP", converter = AppMixin.Converter.class)
        AppName app;
        @Option(names = "--all", description = "every app on this server (what the boot hook runs)")
        boolean all;

        protected int run() {
            if (all == (app != null)) {
                throw PierException.usage("give an app or --all: pier ps:reconcile APP, pier ps:reconcile --all");
            }
            Progress progress = progress();
            Reconcile.Report report = all ? pier().reconcile().all(progress)
                    : new Reconcile.Report(List.of(pier().reconcile().app(app, progress)));
            progress.step(report.summary());
            return report.ok() ? 0 : PierException.FAILED;
        }
    }

    @Command(name = "logs", description = "Print the last lines of APP's live containers (on the swarm: its tasks on every node); -t keeps following.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class Logs extends PierCommand {
        @Mixin
        AppMixin app;
        @Option(names = {"-t", "--tail", "-f", "--follow"}, description = "keep printing new lines (Ctrl-C to stop)")
        boolean follow;
        @Option(names = {"-n", "--num"}, defaultValue = "100", paramLabel = "N", description = "how many lines (default 100)")
        int lines;
        @Option(names = {"-p", "--process"}, paramLabel = "TYPE", description = "only this process type, e.g. worker")
        String process;

        protected int run() {
            if (lines < 0 || lines > 100_000) {
                throw PierException.usage("-n must be from 0 to 100000");
            }
            Optional<ProcessType> type = Optional.ofNullable(process).map(ProcessType::of);
            if (follow) {
                Launcher.exitWhenOrphaned();
            }
            pier().processes().logs(app.app(), lines, follow, type, System.out);
            return 0;
        }
    }

    @Command(name = "run", description = "Run a one-off command in a new container of APP's live release; its exit code is pier's.",
            mixinStandardHelpOptions = true)
    // A command line often carries a token: the event shows the app and how many words, not the words.
    @Rule(scope = APP, changes = true, shown = APP_ONLY)
    static class Run extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND",
                description = "several words run as given; one word runs like a Procfile command (sh -c)")
        List<String> command;

        protected int run() {
            List<String> words = command.size() > 1 && command.get(0).equals("--") ? command.subList(1, command.size()) : command;
            Launcher.exitWhenOrphaned();
            return pier().processes().run(app.app(), words, System.in, new FileOutputStream(FileDescriptor.out),
                    new FileOutputStream(FileDescriptor.err));
        }
    }

    @Command(name = "enter", description = "A shell in a running container of APP (web by default; or TYPE, or TYPE.N)."
            + " Over SSH use ssh -t for a terminal.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Enter extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", arity = "0..1", paramLabel = "TYPE", description = "web (default), worker, web.2 ...")
        String which;

        protected int run() {
            Optional.ofNullable(which).ifPresent(Processes::checkedInstance);
            Launcher.exitWhenOrphaned();
            Optional<Terminal> terminal = Terminal.raw();
            try {
                return pier().processes().enter(app.app(), Optional.ofNullable(which), terminal.isPresent(),
                        terminal.map(Terminal::size).orElse(null), System.in, new FileOutputStream(FileDescriptor.out),
                        new FileOutputStream(FileDescriptor.err));
            } finally {
                terminal.ifPresent(Terminal::close);
            }
        }
    }
}
