///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;
import static pier.access.Access.Scope.SERVER;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.base.PierException;
import pier.build.BuildImages;
import pier.build.Buildpacks;
import pier.names.AppName;

/** pier's build commands: which buildpack builds an app without a Dockerfile, and the image buildpacks build on. */
@Command(name = "builder", description = "Choose how pushes without a Dockerfile are built.", mixinStandardHelpOptions = true,
        subcommands = {builder.Report.class, builder.Set.class, builder.ListBuildpacks.class, builder.Base.class,
                builder.Images.class, builder.AllowImage.class, builder.DisallowImage.class})
public class builder {
    public static void main(String... args) {
        System.exit(Cli.execute(builder::new, args));
    }

    @Command(name = "builder", aliases = "builder:report", description = "Show how an app is built and the base image.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class Report extends AppReport {
        protected int report(AppName name) {
            Buildpacks buildpacks = pier().buildpacks();
            String chosen = buildpacks.chosen(name).orElse(Buildpacks.AUTO);
            String base = buildpacks.baseImage();
            if (format.json()) {
                format.print(new Json(name.value(), chosen, base));
                return 0;
            }
            PrintWriter out = out();
            out.println("=====> " + name + " builder");
            out.println("Dockerfile:  used whenever the repository has one at its root");
            out.println("Buildpack:   " + (chosen.equals(Buildpacks.AUTO) ? "auto (detected on each push; see builder:list)"
                    : chosen + " (chosen with builder:set)"));
            out.println("Base image:  " + base);
            return 0;
        }

        record Json(String app, String buildpack, String base) {
        }
    }

    @Command(name = "builder:set", description = "Build an app without a Dockerfile with this buildpack, or auto to detect.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Set extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "NAME", description = "a buildpack from builder:list, or auto")
        String buildpack;

        protected int run() {
            boolean changed = pier().buildpacks().choose(app.app(), buildpack);
            String what = buildpack.equals(Buildpacks.AUTO) ? "detects its buildpack on each push" : "builds with the "
                    + buildpack + " buildpack";
            out().println("-----> " + (changed ? "" : "Nothing to change: ") + app.app() + " " + what
                    + " (a Dockerfile in the repository still wins); it applies from the next push");
            return 0;
        }
    }

    @Command(name = "builder:list", description = "List the buildpacks in the order detection tries them.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = false)
    static class ListBuildpacks extends PierCommand {
        @Mixin
        FormatMixin format;

        protected int run() {
            format.rows(pier().buildpacks().list(), b -> new Json(b.name(), b.title(), b.detect()),
                    b -> String.format("%-10s %-14s %s", b.name(), b.title(), String.join(" ", b.detect())));
            return 0;
        }

        record Json(String name, String title, List<String> detect) {
        }
    }

    @Command(name = "builder:base", description = "Show or set the image every buildpack builds FROM.",
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Base extends PierCommand {
        @Parameters(arity = "0..1", paramLabel = "IMAGE", description = "e.g. debian:bookworm-slim; it must have apt-get")
        String image;
        @Option(names = "--reset", description = "go back to " + Buildpacks.DEFAULT_BASE_IMAGE)
        boolean reset;

        protected int run() {
            Buildpacks buildpacks = pier().buildpacks();
            PrintWriter out = out();
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
    @Rule(scope = SERVER, changes = false)
    static class Images extends PierCommand {
        @Mixin
        FormatMixin format;

        protected int run() {
            String base = pier().buildpacks().baseImage();
            List<String> allowed = pier().settings().list(BuildImages.ALLOWED);
            if (format.json()) {
                format.print(new Json(base, allowed));
                return 0;
            }
            PrintWriter out = out();
            out.println("=====> Images a build may use");
            out.println("base image      " + base);
            out.println("app's own       pier/APP:vN (each app its own releases)");
            out.println("allowed         " + (allowed.isEmpty() ? "(none: pier builder:allow-image IMAGE adds one)" : String.join(" ", allowed)));
            return 0;
        }

        record Json(String base, List<String> allowed) {
        }
    }

    @Command(name = "builder:allow-image", mixinStandardHelpOptions = true,
            description = {"Let every app's build use IMAGE (FROM, COPY --from): a reference such as node:20, or node:* for"
                    + " every tag.", "Builds share one Docker engine: allow only images any app may read."})
    @Rule(scope = SERVER, changes = true)
    static class AllowImage extends PierCommand {
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> images;

        protected int run() {
            images.forEach(BuildImages::checkPattern);
            for (String image : images) {
                boolean changed = BuildImages.allow(pier().home(), image, true);
                out().println(changed ? "-----> Builds may use " + image : image + " was allowed already");
            }
            return 0;
        }
    }

    @Command(name = "builder:disallow-image", mixinStandardHelpOptions = true,
            description = "Take IMAGE (as given to builder:allow-image) from the images builds may use.")
    @Rule(scope = SERVER, changes = true)
    static class DisallowImage extends PierCommand {
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> images;

        protected int run() {
            images.forEach(BuildImages::checkPattern);
            for (String image : images) {
                if (!BuildImages.allow(pier().home(), image, false)) {
                    throw PierException.failed(image + " is not among the allowed images: see pier builder:images");
                }
                out().println("-----> Builds may no longer use " + image);
            }
            return 0;
        }
    }
}
