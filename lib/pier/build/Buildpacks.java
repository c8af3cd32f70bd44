package pier.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import pier.apps.Apps;
import pier.apps.Procfile;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.PropertiesText;
import pier.state.Settings;

/**
 * How a push without a Dockerfile is built. A buildpack is a directory of templates, {@code buildpacks/NAME/}:
 * {@code buildpack.properties} (its title and the files that select it) and {@code Dockerfile.ftl} (the
 * Dockerfile, rendered on the server-wide base image). {@code buildpacks/order} lists the buildpacks in the order
 * detection tries them; the first whose file is at the repository root wins. All of them load through
 * {@link Templates}, so an admin changes one, or adds one, under {@code /etc/pier/templates/buildpacks/}.
 *
 * <p>The rules, once: a repository's own Dockerfile always wins; otherwise the buildpack chosen with
 * {@code builder:set}, otherwise detection. Nothing here downloads: the rendered Dockerfile installs runtimes
 * from the base image's distro packages and dependencies from the language's registry.
 */
public final class Buildpacks {
    /** The settings key of the image every buildpack builds FROM. */
    public static final String BASE_IMAGE = "buildpacks.base.image";
    public static final String DEFAULT_BASE_IMAGE = "debian:bookworm-slim";
    /** What {@code builder:set APP auto} stores: no choice, detect on every push. */
    public static final String AUTO = "auto";
    static final String ORDER = "buildpacks/order";
    public static final String DOCKERFILE = "Dockerfile";

    /** A buildpack's name is a template directory and a word in a command line: no dots, slashes or spaces. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,29}");
    /** A detect entry is a path under the repository root: plain names, no "..", no absolute paths. */
    private static final Pattern DETECT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*");
    /**
     * Docker's image reference grammar (distribution/reference): [host[:port]/]path[:tag][@digest]. The value goes
     * into a Dockerfile's FROM line, so it is checked here whatever set it.
     */
    private static final Pattern IMAGE;

    static {
        String label = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
        String host = label + "(?:\\." + label + ")*(?::[0-9]{1,5})?";
        String component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
        String tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
        String digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
        IMAGE = Pattern.compile("(?:" + host + "/)?" + component + "(?:/" + component + ")*(?::" + tag + ")?(?:@" + digest + ")?");
    }

    /** One buildpack: its name (the template directory), the title the push output shows, the files that select it. */
    public record Buildpack(String name, String title, List<String> detect) {
        public Buildpack {
            detect = List.copyOf(detect);
        }

        String template() {
            return "buildpacks/" + name + "/Dockerfile.ftl";
        }
    }

    /** Detection's answer: the buildpack and the file at the repository root that selected it. */
    public record Detected(Buildpack buildpack, String file) {
    }

    /** What a push is built from: the repository's own Dockerfile, or a buildpack's Dockerfile on {@code base}. */
    public record Source(Optional<Buildpack> buildpack, Optional<String> base) {
        static Source dockerfile() {
            return new Source(Optional.empty(), Optional.empty());
        }

        /** For the {@code -----> Building APP ...} line. */
        public String describe() {
            return buildpack.map(b -> "with the " + b.title() + " buildpack on " + base.orElseThrow()).orElse("from Dockerfile");
        }
    }

    private final PierHome home;
    private final Templates templates;

    public Buildpacks(PierHome home, Templates templates) {
        this.home = home;
        this.templates = templates;
    }

    /** Every buildpack, in the order detection tries them. */
    public List<Buildpack> list() {
        String order = templates.text(ORDER).orElseThrow(() -> PierException.failed("no template " + ORDER
                + ": reinstall pier, or list the buildpacks in /etc/pier/templates/" + ORDER));
        List<Buildpack> all = new ArrayList<>();
        for (String name : new LinkedHashSet<>(lines(order))) {
            if (!NAME.matcher(name).matches()) {
                throw PierException.failed("invalid buildpack name " + Shown.quote(name) + " in " + ORDER
                        + ": use lowercase letters, digits and dashes, starting with a letter");
            }
            all.add(load(name));
        }
        return all;
    }

    /** The buildpack called {@code name}; an unknown name is a usage error that lists the known ones. */
    public Buildpack get(String name) {
        List<Buildpack> all = list();
        return all.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow(() -> PierException.usage(
                "unknown buildpack " + Shown.quote(name) + ": use one of " + names(all) + ", or " + AUTO + " to detect"));
    }

    private Buildpack load(String name) {
        String file = "buildpacks/" + name + "/buildpack.properties";
        Properties props = PropertiesText.parse(templates.text(file).orElseThrow(() -> PierException.failed(
                ORDER + " lists " + name + " but there is no template " + file)));
        String title = props.getProperty("title", "").strip();
        List<String> detect = Arrays.stream(props.getProperty("detect", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String path : detect) {
            if (!DETECT.matcher(path).matches() || Arrays.asList(path.split("/")).contains("..")) {
                throw PierException.failed("invalid detect entry " + Shown.quote(path) + " in " + file
                        + ": give paths relative to the repository root, e.g. package.json");
            }
        }
        if (title.isEmpty() || title.chars().anyMatch(Character::isISOControl)) {
            throw PierException.failed(file + " needs a one-line title=, e.g. title=Node.js");
        }
        return new Buildpack(name, title, detect);
    }

    /**
     * The first buildpack, in {@link #list()} order, one of whose detect files is at {@code dir}; a symbolic link
     * counts as the file it is named as (it is the repository's), a directory does not.
     */
    public Optional<Detected> detect(Path dir) {
        for (Buildpack pack : list()) {
            for (String file : pack.detect()) {
                Path path = dir.resolve(file);
                if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.of(new Detected(pack, file));
                }
            }
        }
        return Optional.empty();
    }

    /** The buildpack set for {@code app} with {@code builder:set}; empty means detect. */
    public Optional<String> chosen(AppName app) {
        return AtomicFile.read(home.builder(app)).map(String::strip).filter(s -> !s.isEmpty() && !s.equals(AUTO));
    }

    /**
     * Makes {@code app} build with buildpack {@code name} (checked against {@link #list()}) when its repository has
     * no Dockerfile; {@link #AUTO} goes back to detection. Takes the app's lock, so no push is half-way through a
     * build when it changes. Returns false when it was set that way already.
     */
    public boolean choose(AppName app, String name) {
        String value = name.equals(AUTO) ? AUTO : get(name).name();
        try (Lock ignored = Lock.app(home, app)) {
            new Apps(home).require(app);
            if (value.equals(chosen(app).orElse(AUTO))) {
                return false;
            }
            if (value.equals(AUTO)) {
                try {
                    Files.deleteIfExists(home.builder(app));
                } catch (IOException e) {
                    throw PierException.failed("cannot remove " + home.builder(app) + ": " + e.getMessage(), e);
                }
            } else {
                AtomicFile.write(home.builder(app), value + "\n", "rw-r--r--");
            }
            return true;
        }
    }

    /** The image every buildpack builds FROM: the {@value #BASE_IMAGE} setting, else {@value #DEFAULT_BASE_IMAGE}. */
    public String baseImage() {
        String image = new Settings(home).get(BASE_IMAGE).map(String::strip).orElse(DEFAULT_BASE_IMAGE);
        if (!IMAGE.matcher(image).matches()) {
            throw PierException.failed(BASE_IMAGE + " in " + home.settings() + " is not an image reference: "
                    + Shown.quote(image) + "; set one with pier builder:base IMAGE");
        }
        return image;
    }

    /** Sets the base image ({@code null}: back to the default). The next buildpack build uses it. */
    public void baseImage(@Nullable String image) {
        // Checked before the lock: a refused value must not even create a lock file.
        String checked = image == null ? null : checkImage(image);
        try (Lock ignored = Lock.global(home, "settings")) {
            new Settings(home).set(BASE_IMAGE, checked);
        }
    }

    /** {@code image} if it is a Docker image reference such as {@code debian:bookworm-slim}; a usage error if not. */
    public static String checkImage(String image) {
        if (image == null || image.length() > 255 || !IMAGE.matcher(image).matches()) {
            throw PierException.usage("invalid image " + Shown.quote(image) + ": give a Docker image reference such as "
                    + DEFAULT_BASE_IMAGE + " or registry.example.com:5000/team/base:12");
        }
        return image;
    }

    /**
     * Gets the checkout at {@code dir} ready for {@code docker build}: with a Dockerfile of its own nothing changes;
     * without one the chosen or detected buildpack's Dockerfile is rendered into {@code dir}. Says which and why on
     * {@code progress}. {@code imageExists} answers whether Docker has an image locally (a missing base is pulled).
     */
    public Source prepare(AppName app, Path dir, Progress progress, Predicate<String> imageExists) {
        Optional<String> chosen = chosen(app);
        Path dockerfile = dir.resolve(DOCKERFILE);
        if (Files.isRegularFile(dockerfile, LinkOption.NOFOLLOW_LINKS)) {
            chosen.ifPresent(name -> progress.detail("the repository has a Dockerfile, so pier builds with it; the " + name
                    + " buildpack chosen with builder:set applies only to repositories without one"));
            return Source.dockerfile();
        }
        if (Files.exists(dockerfile, LinkOption.NOFOLLOW_LINKS)) {
            // A link or a directory: Docker would read it through the link, and a buildpack's Dockerfile written there
            // could land outside the checkout.
            throw PushedFiles.notAFile(DOCKERFILE);
        }
        Buildpack pack;
        if (chosen.isPresent()) {
            pack = list().stream().filter(b -> b.name().equals(chosen.get())).findFirst().orElseThrow(() -> PierException.failed(
                    app + " is set to build with the " + chosen.get() + " buildpack, which no longer exists: run pier"
                            + " builder:set " + app + " NAME (one of " + names(list()) + ") or " + AUTO));
            progress.step("Using " + pack.title() + " (chosen with builder:set; pier builder:set " + app + " " + AUTO
                    + " detects again)");
        } else {
            Detected detected = detect(dir).orElseThrow(() -> PierException.failed("no Dockerfile, and no buildpack"
                    + " recognises this repository (" + String.join("; ", list().stream().map(b -> b.title() + ": "
                    + String.join(" or ", b.detect())).toList()) + "): add one of those files or a Dockerfile, or"
                    + " choose a buildpack with pier builder:set " + app + " NAME"));
            pack = detected.buildpack();
            progress.step("Detected " + pack.title() + " (" + detected.file() + ")");
        }
        Optional<String> web = procfileWeb(dir);
        progress.detail(web.isPresent() ? "start command: the Procfile's web: line"
                : "start command: the " + pack.title() + " buildpack's default (see CMD below; a Procfile web: line overrides it)");
        String base = baseImage();
        if (!imageExists.test(base)) {
            progress.detail("the base image " + base + " is not on this host: Docker will try to pull it"
                    + " (pier builder:base IMAGE chooses another)");
        }
        String text = render(pack, dir, base, web);
        AtomicFile.write(dockerfile, text, "rw-r--r--");
        return new Source(Optional.of(pack), Optional.of(base));
    }

    /**
     * Renders {@code pack}'s Dockerfile for the checkout at {@code dir}. The model: {@code base} (the image to build
     * FROM), {@code files} (the names at the repository root, directories ending in "/"), and {@code web} (the
     * Procfile's web command, absent without one). A template refuses a repository it cannot build with
     * {@code <#stop "reason">}; the push is then rejected with that reason.
     */
    public String render(Buildpack pack, Path dir, String base, Optional<String> web) {
        Map<String, Object> model = new HashMap<>();
        model.put("base", checkImage(base));
        model.put("files", rootEntries(dir));
        web.ifPresent(command -> model.put("web", command));
        return templates.render(pack.template(), model);
    }

    /**
     * The command of the Procfile's {@code web:} line, as Heroku reads it ({@code TYPE: command}, the first such
     * line). pier bakes it into the image's CMD, run by {@code /bin/sh -c} so {@code $PORT} expands.
     */
    static Optional<String> procfileWeb(Path dir) {
        return PushedFiles.read(dir, "Procfile").flatMap(text -> Procfile.parse(text).command(ProcessType.WEB));
    }

    private static List<String> rootEntries(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString() + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : ""))
                    .sorted().toList();
        } catch (IOException e) {
            throw PierException.failed("cannot list the checkout: " + e.getMessage(), e);
        }
    }

    private static List<String> lines(String text) {
        return text.lines().map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
    }

    private static String names(List<Buildpack> all) {
        return String.join(", ", all.stream().map(Buildpack::name).toList());
    }
}
