///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;
import static pier.access.Access.Scope.SERVER;

import java.time.LocalDateTime;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.base.PierException;
import pier.deploy.Cron;
import pier.names.AppName;

/** pier's cron commands: the app.json cron entries of an app's live release, and the host's minute tick. */
@Command(name = "cron", description = "List, run, suspend and resume an app's app.json cron entries.",
        mixinStandardHelpOptions = true,
        subcommands = {cron.ListEntries.class, cron.Run.class, cron.Suspend.class, cron.Resume.class, cron.Tick.class})
public class cron {
    public static void main(String... args) {
        System.exit(Cli.execute(cron::new, args));
    }

    /** An entry's id as cron:list shows it: checked before it reaches anything. */
    static String id(String raw) {
        if (!raw.matches("[0-9a-f]{8}")) {
            throw PierException.usage("invalid cron entry id " + raw.replaceAll("[^\\x20-\\x7e]", "?")
                    + ": use the 8-character ID pier cron:list APP shows");
        }
        return raw;
    }

    @Command(name = "cron:list", description = "The cron entries of APP's live release: ID, schedule, command, next and last run.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class ListEntries extends AppReport {
        protected int report(AppName name) {
            List<Cron.Listed> entries = pier().cron().list(name, LocalDateTime.now());
            if (format.json()) {
                format.print(entries.stream().map(e -> new Json(e.id(), e.entry().schedule().text(), e.entry().command(),
                        e.entry().overlap() ? "allow" : "forbid", e.suspended(),
                        e.next().map(LocalDateTime::toString).orElse(null), e.last())).toList());
                return 0;
            }
            var out = out();
            out.println("=====> " + name + " cron entries" + (entries.isEmpty() ? ": none (app.json declares no cron)" : ""));
            for (Cron.Listed e : entries) {
                out.printf("%s  %-16s %-9s next %-16s last %s  %s%n", e.id(), e.entry().schedule().text(),
                        e.suspended() ? "suspended" : "active", e.next().map(n -> n.toString().replace('T', ' ')).orElse("-"),
                        e.last(), e.entry().command());
            }
            return 0;
        }

        record Json(String id, String schedule, String command, String concurrencyPolicy, boolean suspended,
                    @Nullable String next, String last) {
        }
    }

    @Command(name = "cron:run", description = "Run cron entry ID of APP now, in the foreground, with the live release's config.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Run extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "ID", description = "the entry, as pier cron:list shows it")
        String id;

        protected int run() {
            int code = pier().cron().run(app.app(), id(id), progress());
            if (code != 0) {
                throw PierException.failed("cron " + id + " exited with code " + code + " (see its output above)");
            }
            return 0;
        }
    }

    @Command(name = "cron:suspend", description = "Stop the scheduled runs of cron entry ID of APP (cron:run still runs it).",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Suspend extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "ID", description = "the entry, as pier cron:list shows it")
        String id;

        protected int run() {
            pier().cron().suspend(app.app(), id(id), true);
            out().println("Suspended cron " + id + " of " + app.app() + ": pier cron:resume " + app.app() + " " + id
                    + " runs it on its schedule again");
            return 0;
        }
    }

    @Command(name = "cron:resume", description = "Run cron entry ID of APP on its schedule again.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Resume extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "ID", description = "the entry, as pier cron:list shows it")
        String id;

        protected int run() {
            pier().cron().suspend(app.app(), id(id), false);
            out().println("Resumed cron " + id + " of " + app.app());
            return 0;
        }
    }

    @Command(name = "cron:tick", description = "Start every app's cron entries and every service's backups due this minute,"
            + " and record the runs that ended. The host's scheduler runs it each minute; there is no need to run it by hand.",
            mixinStandardHelpOptions = true)
    // Each run is an event of its own; a line per minute for the tick itself would drown the log.
    @Rule(scope = SERVER, changes = false)
    static class Tick extends PierCommand {
        @Option(names = "--at", paramLabel = "MINUTE", hidden = true,
                description = "tick for this minute (2026-12-01T12:30) instead of now, e.g. to make up a missed one")
        @Nullable String at;

        protected int run() {
            LocalDateTime minute;
            try {
                minute = at == null ? LocalDateTime.now() : LocalDateTime.parse(at);
            } catch (java.time.format.DateTimeParseException e) {
                throw PierException.usage("invalid --at " + at.replaceAll("[^\\x20-\\x7e]", "?")
                        + ": give a minute as 2026-12-01T12:30");
            }
            pier().cron().tick(minute, progress()).forEach(out()::println);
            pier().serviceBackups().tick(minute, progress()).forEach(out()::println);
            if (pier().swarmWatch().ensure()) {
                out().println("started the swarm watcher (nodes:watch), which was not running");
            }
            return 0;
        }
    }
}
