///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pier.Pier;
import pier.base.PierException;
import pier.build.BuildImages;
import pier.build.Buildpacks;
import pier.names.AppName;

/** pier's build commands: which buildpack builds an app without a Dockerfile, and the image buildpacks build on. */
@Command(name = "builder", description = "Choose how pushes without a Dockerfile are built.", mixinStandardHelpOptions = true,
        subcommands = {builder.Report.class, builder.Set.class, builder.ListBuildpacks.class, builder.Base.class,
                builder.Images.class, builder.AllowImage.class, builder.DisallowImage.class})
public class builder {
    static final Class<?>[] COMMANDS = {Report.class, Set.class, ListBuildpacks.class, Base.class, Images.class,
            AllowImage.class, DisallowImage.class};

    public static void main(String... args) {
        System.exit(Cli.execute(new builder(), args));
    }

    @Command(name = "builder", aliases = "builder:report", description = "Show how an app is built and the base image.",
            mixinStandardHelpOptions = true)
    static class Report implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "APP")
        String app;
        @Option(names = "--format", defaultValue = "text", description = "text or json")
        Cli.Format format;

        public Integer call() {
            AppName name = AppName.of(app);
            Pier pier = Pier.local();
            pier.apps().require(name);
            Buildpacks buildpacks = pier.buildpacks();
            String chosen = buildpacks.chosen(name).orElse(Buildpacks.AUTO);
            String base = buildpacks.baseImage();
            PrintWriter out = spec.commandLine().getOut();
            if (format == Cli.Format.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("app", name.value());
                json.put("buildpack", chosen);
                json.put("base", base);
                out.println(Json.of(json));
                return 0;
            }
            out.println("=====> " + name + " builder");
            out.println("Dockerfile:  used whenever the repository has one at its root");
            out.println("Buildpack:   " + (chosen.equals(Buildpacks.AUTO) ? "auto (detected on each push; see builder:list)"
                    : chosen + " (chosen with builder:set)"));
            out.println("Base image:  " + base);
            return 0;
        }
    }

    @Command(name = "builder:set", description = "Build an app without a Dockerfile with this buildpack, or auto to detect.",
            mixinStandardHelpOptions = true)
    static class Set implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "APP")
        String app;
        @Parameters(index = "1", paramLabel = "NAME", description = "a buildpack from builder:list, or auto")
        String buildpack;

        public Integer call() {
            AppName name = AppName.of(app);
            boolean changed = Pier.local().buildpacks().choose(name, buildpack);
            String what = buildpack.equals(Buildpacks.AUTO) ? "detects its buildpack on each push" : "builds with the "
                    + buildpack + " buildpack";
            spec.commandLine().getOut().println("-----> " + (changed ? "" : "Nothing to change: ") + name + " " + what
                    + " (a Dockerfile in the repository still wins); it applies from the next push");
            return 0;
        }
    }

    @Command(name = "builder:list", description = "List the buildpacks in the order detection tries them.",
            mixinStandardHelpOptions = true)
    static class ListBuildpacks implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--format", defaultValue = "text", description = "text or json")
        Cli.Format format;

        public Integer call() {
            var all = Pier.local().buildpacks().list();
            PrintWriter out = spec.commandLine().getOut();
            if (format == Cli.Format.json) {
                out.println(Json.of(all.stream().map(b -> Map.of("name", b.name(), "title", b.title(), "detect", b.detect()))
                        .toList()));
                return 0;
            }
            all.forEach(b -> out.printf("%-10s %-14s %s%n", b.name(), b.title(), String.join(" ", b.detect())));
            return 0;
        }
    }

    @Command(name = "builder:base", description = "Show or set the image every buildpack builds FROM.",
            mixinStandardHelpOptions = true)
    static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..1", paramLabel = "IMAGE", description = "e.g. debian:bookworm-slim; it must have apt-get")
        String image;
        @Option(names = "--reset", description = "go back to " + Buildpacks.DEFAULT_BASE_IMAGE)
        boolean reset;

        public Integer call() {
            Buildpacks buildpacks = Pier.local().buildpacks();
            PrintWriter out = spec.commandLine().getOut();
            if (reset && image != null) {
                throw PierException.usage("give an IMAGE or --reset, not both");
            }
            if (image == null && !reset) {
                out.println(buildpacks.baseImage());
                return 0;
            }
            buildpacks.baseImage(reset ? null : image);
            out.println("-----> Buildpacks build FROM " + buildpacks.baseImage() + " from the next push");
            return 0;
        }
    }

    @Command(name = "builder:images", mixinStandardHelpOptions = true,
            description = "The images a build may use: the base image, each app's own images, and those allowed here.")
    static class Images implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--format", defaultValue = "text", description = "text or json")
        Cli.Format format;

        public Integer call() {
            Pier pier = Pier.local();
            String base = pier.buildpacks().baseImage();
            java.util.List<String> allowed = pier.settings().list(BuildImages.ALLOWED);
            PrintWriter out = spec.commandLine().getOut();
            if (format == Cli.Format.json) {
                out.println(Json.of(Map.of("base", base, "allowed", allowed)));
                return 0;
            }
            out.println("=====> Images a build may use");
            out.println("base image      " + base);
            out.println("app's own       pier/APP:vN (each app its own releases)");
            out.println("allowed         " + (allowed.isEmpty() ? "(none: pier builder:allow-image IMAGE adds one)" : String.join(" ", allowed)));
            return 0;
        }
    }

    @Command(name = "builder:allow-image", mixinStandardHelpOptions = true,
            description = {"Let every app's build use IMAGE (FROM, COPY --from): a reference such as node:20, or node:* for"
                    + " every tag.", "Builds share one Docker engine: allow only images any app may read."})
    static class AllowImage implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        java.util.List<String> images;

        public Integer call() {
            Pier pier = Pier.local();
            images.forEach(BuildImages::checkPattern);
            for (String image : images) {
                boolean changed = BuildImages.allow(pier.home(), image, true);
                spec.commandLine().getOut().println(changed ? "-----> Builds may use " + image : image + " was allowed already");
            }
            return 0;
        }
    }

    @Command(name = "builder:disallow-image", mixinStandardHelpOptions = true,
            description = "Take IMAGE (as given to builder:allow-image) from the images builds may use.")
    static class DisallowImage implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        java.util.List<String> images;

        public Integer call() {
            Pier pier = Pier.local();
            images.forEach(BuildImages::checkPattern);
            for (String image : images) {
                if (!BuildImages.allow(pier.home(), image, false)) {
                    throw PierException.failed(image + " is not among the allowed images: see pier builder:images");
                }
                spec.commandLine().getOut().println("-----> Builds may no longer use " + image);
            }
            return 0;
        }
    }
}
