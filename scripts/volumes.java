///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.SERVER;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.apps.Volumes;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.ContainerPath;
import pier.names.VolumeName;

/** pier's volume commands: volume:create, volume:list, volume:info, volume:link, volume:unlink, volume:destroy. */
@Command(name = "volumes", description = "Keep app data in named volumes that outlive containers and releases.",
        mixinStandardHelpOptions = true,
        subcommands = {volumes.Create.class, volumes.ListVolumes.class, volumes.Info.class, volumes.Link.class,
                volumes.Unlink.class, volumes.Destroy.class})
public class volumes {
    public static void main(String... args) {
        System.exit(Cli.execute(volumes::new, args));
    }

    @Command(name = "volume:create", description = "Create a volume holding data for the given container paths.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Create extends PierCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "lowercase letters, digits and dashes, e.g. uploads")
        String name;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH", description = "absolute paths inside the app's containers, e.g. /data")
        List<String> paths;

        protected int run() {
            VolumeName volume = VolumeName.of(name);
            List<ContainerPath> checked = paths.stream().map(ContainerPath::of).toList();
            pier().volumes().create(volume, checked, progress());
            return 0;
        }
    }

    @Command(name = "volume:list", description = "List the volumes, their paths and the apps they are linked to.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = false)
    static class ListVolumes extends PierCommand {
        @Mixin
        FormatMixin format;

        protected int run() {
            Volumes volumes = pier().volumes();
            format.rows(volumes.list().stream().map(v -> new Json(v.value(), volumes.paths(v).stream().map(ContainerPath::value).toList(),
                    volumes.linkedApps(v).stream().map(AppName::value).toList())).toList(), row -> row,
                    row -> row.name() + "  " + String.join(" ", row.paths()) + "  linked to: "
                            + (row.apps().isEmpty() ? "none" : String.join(" ", row.apps())));
            return 0;
        }

        record Json(String name, List<String> paths, List<String> apps) {
        }
    }

    @Command(name = "volume:info", description = "Show a volume's paths, linked apps, Docker volumes and size on disk.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = false)
    static class Info extends PierCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Mixin
        FormatMixin format;

        protected int run() {
            VolumeName volume = VolumeName.of(name);
            Volumes.Info info = pier().volumes().info(volume);
            if (format.json()) {
                format.print(new Json(info.name().value(), info.created().toString(),
                        info.paths().stream().map(ContainerPath::value).toList(), info.apps().stream().map(AppName::value).toList(),
                        human(info.size()), bytes(info.size()), info.mounts().stream().map(m -> new MountJson(m.path().value(),
                                m.dockerVolume().orElse(null), human(m.size()), bytes(m.size()))).toList()));
                return 0;
            }
            var w = out();
            w.println("=====> volume " + info.name());
            w.println("Paths:    " + String.join(" ", info.paths().stream().map(ContainerPath::value).toList()));
            w.println("Apps:     " + (info.apps().isEmpty() ? "none" : String.join(" ", info.apps().stream().map(AppName::value).toList())));
            w.println("Size:     " + human(info.size()));
            w.println("Created:  " + info.created());
            w.println("Docker volumes:");
            info.mounts().forEach(m -> w.println("  " + m.path() + "  " + m.dockerVolume().orElse("(missing: created again at the next start)")
                    + "  " + human(m.size())));
            return 0;
        }

        record Json(String name, String created, List<String> paths, List<String> apps, String size,
                    @JsonProperty("size_bytes") @Nullable Long sizeBytes,
                    @JsonProperty("docker_volumes") List<MountJson> dockerVolumes) {
        }

        record MountJson(String path, @Nullable String name, String size, @JsonProperty("size_bytes") @Nullable Long sizeBytes) {
        }
    }

    @Command(name = "volume:link", description = "Mount a volume in an app's containers (a restart with no downtime).",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Link extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        protected int run() {
            pier().linkVolume(app.app(), VolumeName.of(name), progress());
            return 0;
        }
    }

    @Command(name = "volume:unlink", description = "Unmount a volume from an app's containers (its data stays).",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Unlink extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        protected int run() {
            pier().unlinkVolume(app.app(), VolumeName.of(name), progress());
            return 0;
        }
    }

    @Command(name = "volume:destroy", aliases = "volume:delete", description = "Remove a volume and its data (refused while linked).",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Destroy extends PierCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--force", description = "confirm: the volume's data is deleted for good")
        boolean force;

        protected int run() {
            VolumeName volume = VolumeName.of(name);
            if (!force) {
                throw PierException.usage("destroying volume " + volume + " deletes its data for good;"
                        + " run pier volume:destroy " + volume + " --force to confirm");
            }
            pier().volumes().destroy(volume, progress());
            return 0;
        }
    }

    private static @Nullable Long bytes(OptionalLong size) {
        return size.isPresent() ? size.getAsLong() : null;
    }

    /** Bytes as a person reads them (1024-based), or "unknown" when Docker does not report the size. */
    static String human(OptionalLong size) {
        if (size.isEmpty()) {
            return "unknown";
        }
        long b = size.getAsLong();
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
