package pier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every alias in jbang-catalog.json builds with the real JBang, so a broken {@code //DEPS}, {@code //SOURCES}
 * or {@code //FILES} line fails here rather than on an admin's server. Maven compiles the same sources but
 * ignores those directives, so nothing else would notice.
 *
 * <p>JBang comes from Maven Central as the test-scoped jbang-cli dependency (its download site is not
 * reachable everywhere pier is built), and runs in a child JVM on this test's classpath.
 */
class JBangBuildTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path CATALOG = ROOT.resolve("jbang-catalog.json");
    /** Fresh for every run: a cached jar from an earlier, good header would make a broken one look fine. */
    static final Path JBANG_DIR = ROOT.resolve("target/jbang-test-home");
    static final Path LOGS = ROOT.resolve("target/jbang-test-logs");
    static final Duration TIMEOUT_PER_ALIAS = Duration.ofMinutes(5);

    /** The keys JBang 0.132's Alias class reads; Gson drops any other key silently (e.g. "java-version"). */
    static final Set<String> ALIAS_KEYS = Set.of("script-ref", "scriptRef", "description", "arguments",
            "runtime-options", "java-options", "sources", "files", "dependencies", "repositories", "classpaths",
            "properties", "java", "main", "module", "compile-options", "native-image", "native-options",
            "source-type", "integrations", "jfr", "debug", "cds", "interactive", "enable-preview",
            "enable-assertions", "enable-system-assertions", "manifest-options", "java-agents", "docs");

    @BeforeAll
    static void freshJBangHome() throws IOException {
        deleteTree(JBANG_DIR);
        Files.createDirectories(JBANG_DIR);
        Files.createDirectories(LOGS);
    }

    /**
     * The jar the build just made: JBang keeps it as {@code cache/jars/SCRIPT.HASH/NAME.jar} in this test's fresh
     * JBANG_DIR, so the newest such directory is this build's (asking {@code jbang info tools} cost 4 s an alias).
     */
    static Path builtJar(String scriptRef) throws IOException {
        String script = Path.of(scriptRef).getFileName().toString();
        String name = script.substring(0, script.length() - ".java".length()) + ".jar";
        try (Stream<Path> dirs = Files.list(JBANG_DIR.resolve("cache/jars"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(script + "."))
                    .map(d -> d.resolve(name)).filter(Files::isRegularFile)
                    .max(java.util.Comparator.comparing(JBangBuildTest::modified))
                    .orElseThrow(() -> new AssertionError("no jar for " + scriptRef + " in " + JBANG_DIR.resolve("cache/jars")));
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCatalogAliasBuildsWithJBang() throws IOException {
        return aliases().entrySet().stream().map(alias -> DynamicTest.dynamicTest(alias.getKey(), () -> {
            String scriptRef = (String) alias.getValue().get("script-ref");
            Run run = jbang(alias.getKey(), "build", scriptRef);
            assertEquals(0, run.exitCode, () -> "jbang build " + scriptRef + " (alias " + alias.getKey()
                    + ") failed after " + run.took.toSeconds() + " s:\n" + run.output);
            assertJarCarriesEveryTemplate(alias.getKey(), scriptRef);
        }));
    }

    /**
     * Every script sources all of lib/pier, so every jar must ship templates/ at the classpath paths
     * Templates loads them from. A wrong //FILES target still builds; only the first render would fail.
     */
    static void assertJarCarriesEveryTemplate(String alias, String scriptRef) throws Exception {
        Path jar = builtJar(scriptRef);
        Path templates = ROOT.resolve("templates");
        List<String> missing = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile()); Stream<Path> files = Files.walk(templates)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String entry = "templates/" + templates.relativize(file).toString().replace('\\', '/');
                ZipEntry found = zip.getEntry(entry);
                if (found == null) {
                    missing.add(entry);
                } else {
                    try (InputStream in = zip.getInputStream(found)) {
                        assertArrayEquals(Files.readAllBytes(file), in.readAllBytes(), entry + " in " + jar);
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), jar + " lacks " + missing + ": check the //FILES lines in lib/pier/Templates.java");
    }

    @Test
    void catalogAliasesAndScriptsCorrespondOneToOne() throws IOException {
        Set<String> scripts = new TreeSet<>();
        scripts.add("install.java");
        try (Stream<Path> files = Files.list(ROOT.resolve("scripts"))) {
            files.filter(f -> f.toString().endsWith(".java"))
                    .forEach(f -> scripts.add(ROOT.relativize(f).toString().replace('\\', '/')));
        }
        List<String> refs = new ArrayList<>();
        for (Map<String, Object> alias : aliases().values()) {
            refs.add(Path.of((String) alias.get("script-ref")).normalize().toString().replace('\\', '/'));
        }
        assertEquals(refs.size(), new TreeSet<>(refs).size(), "two aliases point at the same script: " + refs);
        assertEquals(scripts, new TreeSet<>(refs), "aliases in jbang-catalog.json vs install.java + scripts/*.java");
    }

    @Test
    void everyAliasUsesOnlyKeysJBangReadsAndAsksForJava17() throws IOException {
        for (var alias : aliases().entrySet()) {
            Set<String> unknown = new TreeSet<>(alias.getValue().keySet());
            unknown.removeAll(ALIAS_KEYS);
            assertTrue(unknown.isEmpty(), "alias " + alias.getKey() + " has keys JBang ignores: " + unknown);
            assertEquals("17+", alias.getValue().get("java"), "alias " + alias.getKey() + ": java");
            assertTrue(alias.getValue().get("description") instanceof String d && !d.isBlank(),
                    "alias " + alias.getKey() + " needs a description: `jbang alias list` shows it");
        }
    }

    /**
     * What an admin types ({@code jbang pier@...}) goes through JBang's own catalog reader, not the path.
     * jbang-cli's POM asks for Gson 2.10.1, which reads every catalog as empty (Gson's getDelegateAdapter
     * bug with field-level @JsonAdapter, fixed in 2.11); JBang's own distribution bundles 2.13.1 through
     * devkitman, which Gradle picks but Maven's nearest-wins does not. So this only means something when
     * the test classpath has a fixed Gson.
     */
    @Test
    void jbangResolvesEveryAliasFromTheRepoCatalog() throws Exception {
        String gson = gsonVersion();
        // pom.xml pins Gson 2.13.1: jbang-cli's own 2.10.1 reads every catalog as empty, so an older one is a broken build.
        assertTrue(atLeast(gson, 2, 11), "Gson " + gson + " on the test classpath cannot read JBang catalogs;"
                + " pin com.google.code.gson:gson:2.13.1 (test scope) in pom.xml to run this test");
        for (String name : aliases().keySet()) {
            Run run = jbang("alias-" + name, "build", name);
            assertEquals(0, run.exitCode, () -> "jbang build " + name + " failed:\n" + run.output);
        }
    }

    record Run(int exitCode, String output, Duration took) {}

    /**
     * Runs {@code jbang ARGS} in the repository root. Exit code 255 is JBang's launcher protocol: it prints
     * a command on stdout for its caller (the jbang shell script) to exec. {@code build} does not use it,
     * but if a future JBang does, the command is run the way the official script runs it.
     */
    static Run jbang(String label, String... args) throws IOException, InterruptedException {
        Path stdout = LOGS.resolve(label + ".out");
        Path stderr = LOGS.resolve(label + ".err");
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"),
                "dev.jbang.Main"));
        command.addAll(List.of(args));
        long start = System.nanoTime();
        int exit = run(new ProcessBuilder(command), stdout, stderr);
        if (exit == 255) {
            String deferred = Files.readString(stdout).strip();
            exit = run(new ProcessBuilder("bash", "-c", "exec " + deferred), stdout, stderr);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String output = Files.readString(stdout) + Files.readString(stderr);
        System.out.printf("jbang %s: exit %d in %d s%n", String.join(" ", args), exit, took.toSeconds());
        return new Run(exit, output, took);
    }

    static int run(ProcessBuilder pb, Path stdout, Path stderr) throws IOException, InterruptedException {
        pb.directory(ROOT.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> env = pb.environment();
        env.put("JBANG_DIR", JBANG_DIR.toString());
        // The JDK running the tests is the one to build with: JBang must never try to download one.
        env.put("JAVA_HOME", System.getProperty("java.home"));
        // The update check calls jbang.dev, which CI machines cannot reach.
        env.put("JBANG_NO_VERSION_CHECK", "true");
        // JBang and the javac it starts are short-lived JVMs, each compiling the whole library once: C1 alone and the
        // serial collector spend less of 2 cores on themselves than tiered compilation does (measured in the note).
        env.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        Process process = pb.start();
        if (!process.waitFor(TIMEOUT_PER_ALIAS.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail("timed out after " + TIMEOUT_PER_ALIAS.toMinutes() + " min: " + pb.command() + "\n"
                    + Files.readString(stdout, StandardCharsets.UTF_8) + Files.readString(stderr, StandardCharsets.UTF_8));
        }
        return process.exitValue();
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String gsonVersion() throws ReflectiveOperationException {
        // Read by reflection: a compile-time reference would inline the constant of whichever Gson javac saw.
        return (String) Class.forName("com.google.gson.internal.GsonBuildConfig").getField("VERSION").get(null);
    }

    static boolean atLeast(String version, int major, int minor) {
        String[] parts = version.split("[.-]");
        int ma = Integer.parseInt(parts[0]);
        int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return ma > major || (ma == major && mi >= minor);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> aliases() throws IOException {
        Map<String, Object> catalog = (Map<String, Object>) new MiniJson(Files.readString(CATALOG)).document();
        Object aliases = catalog.get("aliases");
        assertTrue(aliases instanceof Map<?, ?> m && !m.isEmpty(), "jbang-catalog.json has no aliases");
        Map<String, Map<String, Object>> result = new LinkedHashMap<>();
        ((Map<String, Object>) aliases).forEach((name, alias) -> {
            assertTrue(alias instanceof Map<?, ?> a && a.get("script-ref") instanceof String,
                    "alias " + name + " needs a script-ref");
            result.put(name, (Map<String, Object>) alias);
        });
        return result;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Just enough JSON to read a catalog; the project has no JSON parser and the test wants no new dependency. */
    static final class MiniJson {
        private final String s;
        private int i;

        MiniJson(String s) {
            this.s = s;
        }

        Object document() {
            Object value = value();
            space();
            if (i != s.length()) {
                throw error("trailing text");
            }
            return value;
        }

        private Object value() {
            space();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                default:
                    if (literal("true")) {
                        return Boolean.TRUE;
                    }
                    if (literal("false")) {
                        return Boolean.FALSE;
                    }
                    if (literal("null")) {
                        return null;
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    if (start == i) {
                        throw error("unexpected '" + c + "'");
                    }
                    return Double.parseDouble(s.substring(start, i));
            }
        }

        private boolean literal(String word) {
            if (s.startsWith(word, i)) {
                i += word.length();
                return true;
            }
            return false;
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            i++;
            space();
            if (take('}')) {
                return map;
            }
            do {
                space();
                if (!peek('"')) {
                    throw error("expected a key");
                }
                String key = string();
                space();
                expect(':');
                if (map.put(key, value()) != null) {
                    throw error("duplicate key " + key);
                }
                space();
            } while (take(','));
            expect('}');
            return map;
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            i++;
            space();
            if (take(']')) {
                return list;
            }
            do {
                list.add(value());
                space();
            } while (take(','));
            expect(']');
            return list;
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            i++;
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> out.append(e);
                }
            }
            expect('"');
            return out.toString();
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean peek(char c) {
            return i < s.length() && s.charAt(i) == c;
        }

        private boolean take(char c) {
            if (peek(c)) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!take(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("jbang-catalog.json: " + what + " at offset " + i);
        }
    }
}
