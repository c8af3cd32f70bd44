///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.SERVER;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import pier.access.Rule;
import pier.base.Bytes;
import pier.deploy.DiskUsage;

/** pier's server-wide reports: what pier holds on this host. */
@Command(name = "system", description = "See what pier holds on this server.", mixinStandardHelpOptions = true,
        subcommands = {system.Df.class})
public class system {
    public static void main(String... args) {
        System.exit(Cli.execute(system::new, args));
    }

    @Command(name = "system:df", mixinStandardHelpOptions = true,
            description = {"What pier holds on disk: per app its images (bytes no other image shares), containers (bytes"
                    + " they wrote) and linked volumes; the build cache; pier's state directory; the total.",
                    "Docker's figures are its own, as docker system df -v shows them."})
    @Rule(scope = SERVER, changes = false)
    static class Df extends PierCommand {
        @Mixin
        FormatMixin format;

        protected int run() {
            DiskUsage.Report r = pier().diskUsage();
            if (format.json()) {
                format.print(r);
                return 0;
            }
            PrintWriter out = out();
            out.println("=====> What pier holds on disk");
            out.println(String.format("%-24s %8s %10s %11s %10s %8s %10s", "APP", "IMAGES", "SIZE", "CONTAINERS", "WRITTEN",
                    "VOLUMES", "SIZE"));
            for (DiskUsage.AppUse a : r.apps()) {
                out.println(String.format("%-24s %8d %10s %11d %10s %8d %10s", a.app(), a.images(), Bytes.shown(a.imageBytes()),
                        a.containers(), Bytes.shown(a.containerBytes()), a.volumes(), Bytes.shown(a.volumeBytes())));
            }
            out.println();
            for (List<String> line : List.of(
                    List.of("build cache", r.buildCache().count() + " images", Bytes.shown(r.buildCache().bytes())),
                    List.of("volumes", r.volumes().count() + " volumes", Bytes.shown(r.volumes().bytes())),
                    List.of("state", pier().home().root().toString(), Bytes.shown(r.stateBytes())),
                    List.of("total", "", Bytes.shown(r.total())))) {
                out.println(String.format("%-12s %-14s %10s", line.get(0), line.get(1), line.get(2)));
            }
            return 0;
        }
    }
}
