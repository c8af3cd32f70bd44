package pier.build;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * Which images a build may use. Builds run on the one Docker engine every app shares, where {@code FROM
 * pier/OTHER:v3} or {@code COPY --from=pier/OTHER:v3} would copy another app's code into this one, and the build's
 * output goes back to the pusher. So before a build starts, every image its Dockerfile names ({@code FROM},
 * {@code COPY --from}, {@code RUN --mount=from=}, also under {@code ONBUILD}), after {@code ARG} substitution the way
 * Docker's builder does it, must be the base image, one of the app's own release images, or an image an admin
 * allows ({@value #ALLOWED}); anything else, and anything that cannot be resolved before the build, is refused.
 * <p>
 * It is long because it reads Dockerfile syntax the way Docker's builder does (continuations, the escape
 * directive, ARG scoping, heredocs, flags): a reader that is shorter than the builder's would let an image through.
 */
public final class BuildImages {
    /** Settings key: the images builds may use besides the base image, comma-separated; {@code NAME:*} allows every tag. */
    public static final String ALLOWED = "builds.allowed.images";
    static final int MAX_SIZE = 1 << 20;

    /** One image the Dockerfile uses: the line its instruction starts on, the instruction, the image after substitution. */
    public record Use(int line, String instruction, String image) {
    }

    /** What a build of {@code app} may use: the base image, the app's own release images, {@code allowed}. */
    public record Policy(String baseImage, AppName app, List<String> allowed) {
    }

    private static final Pattern DIRECTIVE = Pattern.compile("#\\s*([a-zA-Z]+)\\s*=\\s*(\\S+)\\s*");
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?}|([A-Za-z_][A-Za-z0-9_]*))");

    private BuildImages() {
    }

    /** The policy in force for builds of {@code app} on this server. */
    public static Policy policy(PierHome home, AppName app, String baseImage) {
        return new Policy(baseImage, app, new Settings(home).list(ALLOWED));
    }

    /**
     * Adds ({@code allow}) or removes {@code entry} from the images builds may use; returns false when it was so
     * already. Takes the settings lock, so two admins never lose each other's change.
     */
    public static boolean allow(PierHome home, String entry, boolean allow) {
        String checked = checkPattern(entry);
        try (Lock ignored = Lock.global(home, "settings")) {
            Settings settings = new Settings(home);
            List<String> entries = new ArrayList<>(settings.list(ALLOWED));
            boolean changed = allow ? !entries.contains(checked) && entries.add(checked) : entries.remove(checked);
            if (changed) {
                settings.set(ALLOWED, entries.isEmpty() ? null : String.join(",", entries));
            }
            return changed;
        }
    }

    /** Refuses the first image of {@code dockerfile} that {@code policy} does not allow, naming its line. */
    public static void check(String dockerfile, Policy policy) {
        for (Use use : uses(dockerfile)) {
            if (!allowed(use.image(), policy)) {
                throw PierException.failed("line " + use.line() + ": " + use.instruction() + " " + Shown.quote(use.image())
                        + " is not an image this build may use: a build may use the base image " + policy.baseImage()
                        + ", this app's own images (pier/" + policy.app() + ":vN) and the images an admin allows with pier"
                        + " builder:allow-image IMAGE");
            }
        }
    }

    /** Every external image {@code dockerfile} uses, in order; earlier stages, stage numbers and {@code scratch} are not. */
    public static List<Use> uses(String dockerfile) {
        if (dockerfile.length() > MAX_SIZE) {
            throw PierException.failed("the Dockerfile is larger than 1 MiB");
        }
        List<Use> uses = new ArrayList<>();
        Map<String, String> globalArgs = new HashMap<>();
        Map<String, String> stageArgs = new HashMap<>();
        Set<String> stages = new HashSet<>();
        boolean inStage = false;
        int stageCount = 0;
        for (Instruction in : instructions(dockerfile)) {
            String keyword = in.keyword();
            String rest = in.rest();
            String prefix = "";
            if (keyword.equals("ONBUILD")) {
                String[] inner = rest.split("\\s+", 2);
                keyword = inner[0].toUpperCase(Locale.ROOT);
                rest = inner.length > 1 ? inner[1] : "";
                prefix = "ONBUILD ";
            }
            switch (keyword) {
                case "ARG" -> {
                    for (String decl : rest.trim().split("\\s+")) {
                        if (decl.isEmpty()) {
                            continue;
                        }
                        int eq = decl.indexOf('=');
                        String name = eq < 0 ? decl : decl.substring(0, eq);
                        Map<String, String> scope = inStage ? stageArgs : globalArgs;
                        // A stage's bare ARG takes the global default of the same name, as Docker's does.
                        String value = eq < 0 ? (inStage ? globalArgs.get(name) : null)
                                : unquote(substitute(decl.substring(eq + 1), scope, in, false));
                        scope.put(name, value);
                    }
                }
                case "FROM" -> {
                    List<String> words = words(rest);
                    words.removeIf(w -> w.startsWith("--"));
                    if (words.isEmpty()) {
                        throw PierException.failed("line " + in.line() + ": FROM names no image");
                    }
                    external(uses, in, prefix + "FROM", substitute(words.get(0), globalArgs, in, true), stages);
                    if (words.size() >= 3 && words.get(1).equalsIgnoreCase("AS")) {
                        stages.add(words.get(2).toLowerCase(Locale.ROOT));
                    }
                    // A later --from may name this stage by its number.
                    stages.add(Integer.toString(stageCount++));
                    inStage = true;
                    stageArgs = new HashMap<>();
                }
                case "COPY", "ADD", "RUN" -> {
                    for (String word : words(rest)) {
                        if (!word.startsWith("--")) {
                            break;
                        }
                        String lower = word.toLowerCase(Locale.ROOT);
                        if (lower.startsWith("--from=")) {
                            String image = substitute(word.substring(7), stageArgs, in, true);
                            external(uses, in, prefix + keyword + " --from", image, stages);
                        } else if (lower.startsWith("--mount=")) {
                            for (String option : word.substring(8).split(",")) {
                                if (option.toLowerCase(Locale.ROOT).startsWith("from=")) {
                                    String image = substitute(option.substring(5), stageArgs, in, true);
                                    external(uses, in, prefix + keyword + " --mount", image, stages);
                                }
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
        return uses;
    }

    private static void external(List<Use> uses, Instruction in, String instruction, String image, Set<String> stages) {
        if (!isStage(image, stages) && !image.equalsIgnoreCase("scratch")) {
            uses.add(new Use(in.line(), instruction, image));
        }
    }

    private static boolean isStage(String name, Set<String> stages) {
        return stages.contains(name.toLowerCase(Locale.ROOT));
    }

    /** Whether {@code image} is one {@code policy} allows. */
    static boolean allowed(String image, Policy policy) {
        if (isId(image)) {
            return false;
        }
        String normal = normalize(image);
        if (normal.equals(normalize(policy.baseImage()))) {
            return true;
        }
        if (normal.matches(Pattern.quote("docker.io/pier/" + policy.app().value()) + ":v[0-9]+")) {
            return true;
        }
        for (String entry : policy.allowed()) {
            if (entry.endsWith(":*")) {
                String repo = normalize(entry.substring(0, entry.length() - 2));
                repo = repo.substring(0, repo.lastIndexOf(':'));
                if (!normal.contains("@") && normal.startsWith(repo + ":")) {
                    return true;
                }
            } else if (normal.equals(normalize(entry))) {
                return true;
            }
        }
        return false;
    }

    /** A bare image id or id prefix: Docker would take it as a local image, whatever its name. */
    private static boolean isId(String image) {
        String lower = image.toLowerCase(Locale.ROOT);
        return lower.startsWith("sha256:") || lower.matches("[0-9a-f]{12,64}");
    }

    /** Docker's normal form of a reference, for comparing: {@code debian} is {@code docker.io/library/debian:latest}. */
    public static String normalize(String image) {
        String ref = image.strip();
        String digest = "";
        int at = ref.indexOf('@');
        if (at >= 0) {
            digest = ref.substring(at);
            ref = ref.substring(0, at);
        }
        int slash = ref.indexOf('/');
        String first = slash < 0 ? "" : ref.substring(0, slash);
        boolean registry = slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        String name = registry ? ref : "docker.io/" + (slash < 0 ? "library/" : "") + ref;
        String last = name.substring(name.lastIndexOf('/') + 1);
        if (!last.contains(":") && digest.isEmpty()) {
            name += ":latest";
        }
        return name.toLowerCase(Locale.ROOT) + digest;
    }

    /** An entry of {@value #ALLOWED}: an image reference, or one ending {@code :*} for every tag of it. */
    public static String checkPattern(String entry) {
        boolean everyTag = entry != null && entry.endsWith(":*");
        String ref = everyTag ? entry.substring(0, entry.length() - 2) : entry;
        try {
            Buildpacks.checkImage(ref);
            if (everyTag && (ref.contains("@") || ref.substring(ref.lastIndexOf('/') + 1).contains(":"))) {
                throw PierException.usage("a tag or digest before :*");
            }
        } catch (PierException e) {
            throw PierException.usage("invalid image pattern " + Shown.quote(entry) + ": give an image reference such as"
                    + " node:20, or node:* for every tag");
        }
        if (isId(ref)) {
            throw PierException.usage("invalid image pattern " + Shown.quote(entry) + ": name an image, not an image id");
        }
        return entry;
    }

    // ---- reading a Dockerfile as Docker's builder does ----

    private record Instruction(int line, String keyword, String rest) {
    }

    /** The instructions, continuation lines joined, comments and parser directives dropped. */
    private static List<Instruction> instructions(String text) {
        char escape = '\\';
        List<Instruction> out = new ArrayList<>();
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        boolean directives = true;
        StringBuilder current = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.length() > 65536) {
                throw PierException.failed("line " + (i + 1) + " of the Dockerfile is longer than 64 KiB");
            }
            String stripped = line.strip();
            if (directives) {
                Matcher d = DIRECTIVE.matcher(stripped);
                if (d.matches()) {
                    if (d.group(1).equalsIgnoreCase("escape") && d.group(2).equals("`")) {
                        escape = '`';
                    }
                    continue;
                }
                directives = false;
            }
            if (current == null && (stripped.isEmpty() || stripped.startsWith("#"))) {
                continue;
            }
            if (current != null && stripped.startsWith("#")) {
                continue;
            }
            if (current == null) {
                current = new StringBuilder();
                start = i + 1;
            }
            String body = stripTrailing(line);
            if (!body.isEmpty() && body.charAt(body.length() - 1) == escape) {
                current.append(body, 0, body.length() - 1).append(' ');
                continue;
            }
            current.append(body);
            add(out, start, current.toString());
            current = null;
        }
        if (current != null) {
            add(out, start, current.toString());
        }
        return out;
    }

    private static void add(List<Instruction> out, int line, String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return;
        }
        String[] parts = t.split("\\s+", 2);
        out.add(new Instruction(line, parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    private static List<String> words(String rest) {
        List<String> words = new ArrayList<>();
        for (String w : rest.strip().split("\\s+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /**
     * {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}} and {@code ${VAR:+alt}} replaced from {@code args}; with
     * {@code strict}, a reference to an ARG without a value, or anything left that looks like one, is refused.
     */
    private static String substitute(String word, Map<String, String> args, Instruction in, boolean strict) {
        Matcher m = VARIABLE.matcher(word);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(4);
            String value = args.get(name);
            String replacement;
            if ("-".equals(m.group(2))) {
                replacement = value == null || value.isEmpty() ? m.group(3) : value;
            } else if ("+".equals(m.group(2))) {
                replacement = value == null || value.isEmpty() ? "" : m.group(3);
            } else if (value == null) {
                if (strict) {
                    throw unresolved(in);
                }
                replacement = "";
            } else {
                replacement = value;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        String result = out.toString();
        if (strict && (result.isEmpty() || result.contains("$"))) {
            throw unresolved(in);
        }
        return result;
    }

    private static PierException unresolved(Instruction in) {
        return PierException.failed("line " + in.line() + ": the image of " + in.keyword() + " cannot be resolved before the"
                + " build: give each ARG it uses a default (ARG NAME=value), since pier checks every image before building");
    }
}
