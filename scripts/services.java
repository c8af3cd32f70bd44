///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.SERVER;
import static pier.access.Access.Scope.SERVICE;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.apps.CronSchedule;
import pier.base.Bytes;
import pier.base.PierException;
import pier.base.Terminal;
import pier.engine.Launcher;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.ServiceName;
import pier.services.Service;
import pier.services.ServiceBackups;
import pier.services.ServiceKinds;
import pier.services.Services;

/**
 * pier's database commands, one set per service kind under Dokku's names: {@code postgres:create db},
 * {@code mariadb:link db blog}, {@code redis:export cache > dump}. The kinds are template directories (see
 * {@link ServiceKinds}), so the commands are added per kind by {@link #addTo}, not declared one by one.
 */
@Command(name = "services", description = "Databases as services: PostgreSQL, MariaDB and Redis linked to apps, with verified backups.",
        mixinStandardHelpOptions = true)
public class services implements Cli.Root {
    /** Each verb's command; a kind's command is {@code KIND:VERB}. */
    static final Map<String, Class<? extends KindCommand>> VERBS = verbs();

    private static Map<String, Class<? extends KindCommand>> verbs() {
        Map<String, Class<? extends KindCommand>> verbs = new LinkedHashMap<>();
        verbs.put("create", Create.class);
        verbs.put("list", ListServices.class);
        verbs.put("info", Info.class);
        verbs.put("destroy", Destroy.class);
        verbs.put("restart", Restart.class);
        verbs.put("logs", Logs.class);
        verbs.put("link", Link.class);
        verbs.put("unlink", Unlink.class);
        verbs.put("connect", Connect.class);
        verbs.put("export", Export.class);
        verbs.put("import", Import.class);
        verbs.put("backup", Backup.class);
        verbs.put("backups", Backups.class);
        verbs.put("backup-schedule", BackupSchedule.class);
        verbs.put("backup-unschedule", BackupUnschedule.class);
        verbs.put("image", Image.class);
        return verbs;
    }

    public static void main(String... args) {
        System.exit(Cli.execute(services::new, args));
    }

    /**
     * Adds the service commands to {@code tree}: only {@code wanted} when it is one ({@code postgres:create}), without
     * reading the kinds; every kind's otherwise (help, a typo), read from the templates.
     */
    static void addTo(CommandLine tree, @Nullable String wanted, Supplier<List<String>> kinds) {
        if (!addOnly(tree, wanted, kinds)) {
            for (String kind : kinds.get()) {
                VERBS.forEach((verb, type) -> add(tree, kind, verb, type));
            }
        }
    }

    /** Adds {@code wanted} alone when it is a service command; false when it is not one. */
    static boolean addOnly(CommandLine tree, @Nullable String wanted, Supplier<List<String>> kinds) {
        int colon = wanted == null ? -1 : wanted.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        String kind = wanted.substring(0, colon);
        Class<? extends KindCommand> verb = VERBS.get(wanted.substring(colon + 1));
        if (verb == null || !kinds.get().contains(kind)) {
            return false;
        }
        add(tree, kind, wanted.substring(colon + 1), verb);
        return true;
    }

    @Override
    public void complete(CommandLine tree, @Nullable String wanted) {
        addTo(tree, wanted, services::kinds);
    }

    static List<String> kinds() {
        return ServiceKinds.names(Templates.standard());
    }

    private static void add(CommandLine tree, String kind, String verb, Class<? extends KindCommand> type) {
        CommandLine command = new CommandLine(type, tree.getFactory());
        ((KindCommand) command.getCommand()).kind = kind;
        command.getCommandSpec().name(kind + ":" + verb);
        String[] description = command.getCommandSpec().usageMessage().description();
        command.getCommandSpec().usageMessage().description(description.length == 0 ? ""
                : description[0].replace("KIND", kind));
        tree.addSubcommand(kind + ":" + verb, command);
    }

    /** The --keep of a backup: how many verified backups stay, checked; empty when not given. */
    static OptionalInt keep(@Nullable Integer keep) {
        if (keep != null && (keep < 1 || keep > 10_000)) {
            throw PierException.usage("--keep must be from 1 to 10000");
        }
        return keep == null ? OptionalInt.empty() : OptionalInt.of(keep);
    }

    /** What every command of a kind shares: the kind it was made for. */
    abstract static class KindCommand extends PierCommand {
        String kind = "";

        Services services() {
            return pier().services();
        }
    }

    /** A command on one service, named by its first argument. */
    abstract static class OneService extends KindCommand implements ServiceScoped {
        @Parameters(index = "0", paramLabel = "NAME", description = "the service: lowercase letters, digits and dashes, e.g. db")
        String name;

        /** The service named, which must exist. */
        Service existing() {
            return services().require(kind, ServiceName.of(name));
        }

        @Override
        public String serviceNamed() {
            return kind + " " + name;
        }

        @Override
        public List<AppName> linkedApps() {
            try {
                Service service = services().service(kind, ServiceName.of(name));
                return services().exists(service) ? services().links(service) : List.of();
            } catch (PierException invalid) {
                return List.of();
            }
        }
    }

    @Command(name = "KIND:create", description = "Create a KIND service: its container, its data volume and its password.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Create extends OneService {
        protected int run() {
            services().create(services().service(kind, ServiceName.of(name)), progress());
            return 0;
        }
    }

    @Command(name = "KIND:list", description = "List the KIND services, their state and the apps linked to each.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = false)
    static class ListServices extends KindCommand {
        @Mixin
        FormatMixin format;

        protected int run() {
            List<Services.Info> infos = services().list(kind);
            format.rows(infos, i -> new Row(i.service().name().value(), i.status(), i.links().stream().map(AppName::value).toList()),
                    i -> i.service().name() + "  " + i.status() + "  linked to: "
                            + (i.links().isEmpty() ? "none" : String.join(" ", i.links().stream().map(AppName::value).toList())));
            return 0;
        }

        record Row(String name, String status, List<String> apps) {
        }
    }

    @Command(name = "KIND:info", description = "Show a KIND service: its state, container, volume, linked apps and the env a link sets.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVICE, changes = false)
    static class Info extends OneService {
        @Mixin
        FormatMixin format;

        protected int run() {
            Services.Info info = services().info(existing());
            List<String> apps = info.links().stream().map(AppName::value).toList();
            if (format.json()) {
                format.print(new Json(kind, info.service().name().value(), info.status(), info.container(), info.volume(),
                        info.service().host(), apps, info.linkEnv()));
                return 0;
            }
            var w = out();
            w.println("=====> " + kind + " " + info.service().name());
            w.println("Status:     " + info.status());
            w.println("Container:  " + info.container());
            w.println("Volume:     " + info.volume());
            w.println("Host:       " + info.service().host() + " (on the linked apps' networks only)");
            w.println("Apps:       " + (apps.isEmpty() ? "none" : String.join(" ", apps)));
            info.linkEnv().forEach((key, value) -> w.println("Link sets:  " + key + "=" + value));
            return 0;
        }

        record Json(String kind, String name, String status, String container, String volume, String host, List<String> apps,
                    @JsonProperty("link_env") Map<String, String> linkEnv) {
        }
    }

    @Command(name = "KIND:destroy", description = "Remove a KIND service and its data for good (refused while linked).",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Destroy extends OneService {
        @Option(names = "--force", description = "confirm: the service's data is deleted for good")
        boolean force;

        protected int run() {
            Service service = existing();
            if (!force) {
                throw PierException.usage("destroying " + service + " deletes its data for good; run pier " + kind + ":destroy "
                        + name + " --force to confirm");
            }
            services().destroy(service, progress());
            return 0;
        }
    }

    @Command(name = "KIND:restart", description = "Restart a KIND service (made again on its data if its container is gone).",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Restart extends OneService {
        protected int run() {
            services().restart(existing(), progress());
            return 0;
        }
    }

    @Command(name = "KIND:logs", description = "Show a KIND service's log.", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = false)
    static class Logs extends OneService {
        @Option(names = {"-t", "--tail", "-f", "--follow"}, description = "keep printing new lines (Ctrl-C to stop)")
        boolean follow;
        @Option(names = {"-n", "--num"}, defaultValue = "100", paramLabel = "N", description = "how many lines (default 100)")
        int lines;

        protected int run() {
            if (lines < 0 || lines > 100_000) {
                throw PierException.usage("-n must be from 0 to 100000");
            }
            if (follow) {
                Launcher.exitWhenOrphaned();
            }
            var w = out();
            services().logs(existing(), lines, follow, line -> {
                w.println(line.text());
                w.flush();
            });
            return 0;
        }
    }

    @Command(name = "KIND:link", description = "Link a KIND service to an app: it joins the app's network (and its overlay, on"
            + " the swarm) and the app restarts with its URL in the env (no downtime).", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Link extends OneService {
        @Parameters(index = "1", paramLabel = "APP")
        String app;
        @Option(names = "--no-restart", description = "store the env for the app's next deploy or restart")
        boolean noRestart;

        protected int run() {
            pier().linkService(existing(), AppName.of(app), !noRestart, progress());
            return 0;
        }
    }

    @Command(name = "KIND:unlink", description = "Unlink a KIND service from an app: the app restarts without its env,"
            + " and can no longer reach it.", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Unlink extends OneService {
        @Parameters(index = "1", paramLabel = "APP")
        String app;
        @Option(names = "--no-restart", description = "leave the app running as it is until its next deploy or restart"
                + " (it can no longer reach the service)")
        boolean noRestart;

        protected int run() {
            pier().unlinkService(existing(), AppName.of(app), !noRestart, progress());
            return 0;
        }
    }

    @Command(name = "KIND:connect", description = "The KIND client in the service's container (over SSH, use ssh -t).",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVICE, changes = true)
    static class Connect extends OneService {
        protected int run() {
            Service service = existing();
            Launcher.exitWhenOrphaned();
            Optional<Terminal> terminal = Terminal.raw();
            try {
                return services().connect(service, terminal.isPresent(), terminal.map(Terminal::size).orElse(null), System.in,
                        new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
            } finally {
                terminal.ifPresent(Terminal::close);
            }
        }
    }

    @Command(name = "KIND:export", description = "Write a dump of a KIND service to stdout (and nothing else): pier KIND:export NAME > dump.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVICE, changes = false)
    static class Export extends OneService {
        protected int run() {
            Service service = existing();
            Launcher.exitWhenOrphaned();
            try (OutputStream out = new FileOutputStream(FileDescriptor.out)) {
                services().export(service, out, new FileOutputStream(FileDescriptor.err));
            } catch (java.io.IOException e) {
                throw PierException.failed("cannot write the dump: " + e.getMessage(), e);
            }
            return 0;
        }
    }

    @Command(name = "KIND:import", description = "Load a dump from stdin into a KIND service: pier KIND:import NAME < dump.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Import extends OneService {
        protected int run() {
            Service service = existing();
            Launcher.exitWhenOrphaned();
            services().importDump(service, System.in, new FileOutputStream(FileDescriptor.err), progress());
            progress().step("Imported into " + service);
            return 0;
        }
    }

    @Command(name = "KIND:backup", description = "Back up a KIND service, then restore the backup into a throwaway container"
            + " and compare it with the service: only a verified backup counts.", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Backup extends OneService {
        @Option(names = "--keep", paramLabel = "N", description = "then keep only the N newest verified backups")
        Integer keep;

        protected int run() {
            OptionalInt kept = keep(keep);
            Service service = existing();
            ServiceBackups.Backup made = pier().serviceBackups().backup(service, kept, progress());
            progress().step("Backed up " + service + ": " + made.file() + " (" + made.size() + " bytes, verified)");
            return 0;
        }
    }

    @Command(name = "KIND:backups", description = "List a KIND service's backups: file, size, time and result.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVICE, changes = false)
    static class Backups extends OneService {
        @Mixin
        FormatMixin format;

        protected int run() {
            Service service = existing();
            ServiceBackups backups = pier().serviceBackups();
            Optional<ServiceBackups.Schedule> schedule = backups.schedule(service);
            if (!format.json()) {
                out().println("=====> " + service + " backups in " + backups.dir(service) + "; schedule: " + schedule
                        .map(s -> s.cron().text() + s.keep().stream().mapToObj(n -> ", keep " + n).findFirst().orElse(""))
                        .orElse("none"));
            }
            format.rows(backups.list(service), b -> new Row(b.file().toString(), b.size(), b.time().toString(), b.result()),
                    b -> b.file().getFileName() + "  " + Bytes.shown(b.size()) + "  " + b.time()
                            + "  " + b.result());
            return 0;
        }

        record Row(String file, long size, String time, String result) {
        }
    }

    @Command(name = "KIND:backup-schedule", description = "Back up a KIND service on a cron schedule, from the host's minute tick.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class BackupSchedule extends OneService {
        @Parameters(index = "1", paramLabel = "CRON", description = "five fields, e.g. \"0 3 * * *\" (03:00 daily)")
        String cron;
        @Option(names = "--keep", paramLabel = "N", description = "keep only the N newest verified backups")
        Integer keep;

        protected int run() {
            OptionalInt kept = keep(keep);
            Service service = existing();
            CronSchedule schedule = CronSchedule.parse(cron);
            pier().serviceBackups().schedule(service, Optional.of(new ServiceBackups.Schedule(schedule, kept)));
            progress().step(service + " is backed up at \"" + schedule.text() + "\"" + (keep == null ? "" : ", keeping " + keep));
            return 0;
        }
    }

    @Command(name = "KIND:backup-unschedule", description = "Stop backing up a KIND service on a schedule (its backups stay).",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class BackupUnschedule extends OneService {
        protected int run() {
            Service service = existing();
            pier().serviceBackups().schedule(service, Optional.empty());
            progress().step(service + " has no backup schedule now");
            return 0;
        }
    }

    @Command(name = "KIND:image", description = "Show or set the image KIND services run from (default: pier builds one from"
            + " the distro's packages).", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Image extends KindCommand {
        @Parameters(arity = "0..1", paramLabel = "IMAGE", description = "an image already on this host, e.g. postgres:16")
        String image;
        @Option(names = "--default", description = "go back to pier's own build of the kind")
        boolean reset;

        protected int run() {
            if (image != null && reset) {
                throw PierException.usage("give an IMAGE or --default, not both");
            }
            if (image != null || reset) {
                services().adminImage(kind, image);
            }
            out().println(kind + " services run from " + services().adminImage(kind).orElse("pier's build (from the distro's packages)")
                    + (image != null || reset ? " from now on (a running one keeps its image until it is made again)" : ""));
            return 0;
        }
    }
}
