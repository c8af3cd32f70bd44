///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.apps.Release;
import pier.apps.Scale;
import pier.base.PierException;
import pier.names.AppName;

/** pier's release commands: releases and releases:rollback. */
@Command(name = "releases", description = "List an app's releases and roll back to one.", mixinStandardHelpOptions = true,
        subcommands = {releases.ListReleases.class, releases.Rollback.class})
public class releases {
    public static void main(String... args) {
        System.exit(Cli.execute(releases::new, args));
    }

    @Command(name = "releases", description = "List the releases of APP, newest first: what ran, with which config, by whom.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class ListReleases extends AppReport {
        protected int report(AppName name) {
            List<Release> all = new java.util.ArrayList<>(pier().releases(name).list());
            java.util.Collections.reverse(all);
            int live = all.isEmpty() ? 0 : all.get(0).id();
            if (format.json()) {
                format.print(all.stream().map(r -> new Json(r.id(), r.id() == live, r.time().toString(), r.key(), r.description(),
                        r.commit(), r.image(), r.config().isEmpty() ? null : r.config(), new Scale(r.formation()).asStrings())).toList());
                return 0;
            }
            var out = out();
            out.println("=====> " + name + " releases" + (all.isEmpty() ? ": none yet, push to deploy" : ""));
            for (Release r : all) {
                out.printf("%-5s %-20s %-12s %-8s config %-8s %-22s %s%s%n", r.tag(), r.time().toString().replaceFirst("\\.\\d+Z$", "Z"),
                        r.key(), r.commitShort(), r.configShort(), Scale.describe(r.formation()),
                        r.description().isEmpty() ? "Deploy" : r.description(), r.id() == live ? "  (live)" : "");
            }
            return 0;
        }

        record Json(int id, boolean live, String time, String key, String description, String commit, String image,
                    @Nullable String config, Map<String, Integer> scale) {
        }
    }

    @Command(name = "releases:rollback", aliases = "rollback",
            description = "Bring back release ID's image and config (default: the newest earlier release that differs).",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Rollback extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "a release, e.g. v3 or 3")
        String id;

        protected int run() {
            Optional<Integer> target = Optional.ofNullable(id).map(raw -> {
                if (!raw.matches("v?[1-9]\\d{0,8}")) {
                    throw PierException.usage("invalid release " + raw.replaceAll("[^\\x20-\\x7e]", "?")
                            + ": use its number as pier releases shows it, e.g. v3 or 3");
                }
                return Integer.parseInt(raw.startsWith("v") ? raw.substring(1) : raw);
            });
            pier().processes().rollback(app.app(), target, pier().actor().name(), progress());
            return 0;
        }
    }
}
