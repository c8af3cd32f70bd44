package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Response;
import pier.SystemHost.Result;
import pier.build.Buildpacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apps without a Dockerfile, one per shipped buildpack, pushed with real git over real OpenSSH, built by real Docker
 * on the debootstrapped base image and served through real Nginx. Each is pushed twice: cold, then with only its
 * code changed, which must reuse the dependency layer from Docker's cache. Both push times are printed.
 *
 * <p>Nothing here needs a language registry but npm's: PHP's composer.json requires only PHP itself, and Python's
 * requirements.txt names gunicorn, which the distro's package already satisfies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BuildpacksSystemTest {
    static final String DOMAIN = "pier.test";
    static final List<String> APPS = List.of("bp-static", "bp-php", "bp-node", "bp-python", "bp-unknown");
    static final List<String> TIMES = new ArrayList<>();

    static Path key;
    static final Map<String, Path> REPOS = new LinkedHashMap<>();

    @BeforeAll
    static void installPierAndTheBaseImage() throws IOException {
        key = SystemHost.installWithAdminKey(DOMAIN);
        BaseImage.ensure();
        // Destroying removes the apps' images, and with them their cached layers: the first push below is cold.
        APPS.forEach(app -> SystemHost.pier("apps:destroy", app, "--force"));
    }

    @AfterAll
    static void printTimesAndCleanUp() {
        System.out.println("buildpack push times (wall time of git push; build = pier's build step):");
        TIMES.forEach(t -> System.out.println("  " + t));
        // Four language servers idling on a shared host help no one.
        APPS.forEach(app -> SystemHost.pier("apps:destroy", app, "--force"));
    }

    /** Writes {@code files} into the app's repository (made on first use) and commits them. */
    static Path commit(String app, Map<String, String> files) throws IOException {
        Path repo = REPOS.get(app);
        if (repo == null) {
            repo = Files.createTempDirectory("pier-systest-" + app + "-");
            assertEquals(0, SystemHost.git(repo, key, "init", "-q", "-b", "main").code());
            REPOS.put(app, repo);
        }
        for (var file : files.entrySet()) {
            Files.createDirectories(repo.resolve(file.getKey()).getParent());
            Files.writeString(repo.resolve(file.getKey()), file.getValue());
        }
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "--allow-empty", "-m", "change " + files.keySet()).code());
        return repo;
    }

    record Push(Result result, long millis) {
        String output() {
            return result.output();
        }
    }

    static Push push(String app) {
        long start = System.nanoTime();
        Result result = SystemHost.git(REPOS.get(app), key, "push", "pier@localhost:" + app, "main");
        return new Push(result, (System.nanoTime() - start) / 1_000_000);
    }

    static String host(String app) {
        return app + "." + DOMAIN;
    }

    /** The build's output lines for the Dockerfile step whose instruction contains {@code marker}, up to the next step. */
    static List<String> step(String output, String marker) {
        List<String> lines = output.lines().map(l -> l.replaceFirst("^remote:", "").strip()).toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("Step ") && lines.get(i).contains(marker)) {
                List<String> step = new ArrayList<>(List.of(lines.get(i)));
                for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("Step ") && !lines.get(j).startsWith("----->"); j++) {
                    step.add(lines.get(j));
                }
                return step;
            }
        }
        throw new AssertionError("no build step with " + marker + " in:\n" + output);
    }

    static boolean cached(String output, String marker) {
        return step(output, marker).stream().anyMatch(l -> l.contains("Using cache"));
    }

    static String buildTime(String output) {
        Matcher m = Pattern.compile("is live at \\S+ \\((build [0-9.]+s)").matcher(output);
        return m.find() ? m.group(1) : "(no build time in output)";
    }

    /**
     * Pushes the app cold, checks the detection line and the answer through Nginx, then changes only {@code codeFile}
     * and pushes again: the step containing {@code dependencyStep} must come from the cache the second time.
     */
    static void coldThenCodeOnly(String app, String title, String why, Map<String, String> files, String body,
                                 String codeFile, String newCode, String newBody, String dependencyStep) throws Exception {
        commit(app, files);
        Push cold = push(app);
        assertEquals(0, cold.result().code(), cold.output());
        assertTrue(cold.output().contains("-----> Detected " + title + " (" + why + ")"), cold.output());
        assertTrue(cold.output().contains("with the " + title + " buildpack on " + Buildpacks.DEFAULT_BASE_IMAGE), cold.output());
        assertTrue(cold.output().contains("is live at http://" + host(app)), cold.output());
        assertEquals(new Response(200, body), SystemHost.get(host(app)));
        assertTrue(!cached(cold.output(), dependencyStep), "the first push has nothing to reuse:\n" + cold.output());

        commit(app, Map.of(codeFile, newCode));
        Push codeOnly = push(app);
        assertEquals(0, codeOnly.result().code(), codeOnly.output());
        assertEquals(new Response(200, newBody), SystemHost.get(host(app)));
        assertTrue(cached(codeOnly.output(), dependencyStep), "a code-only push must reuse the layer of "
                + dependencyStep + ":\n" + step(codeOnly.output(), dependencyStep));
        assertTrue(!cached(codeOnly.output(), "COPY . ."), "the code layer must be rebuilt:\n" + codeOnly.output());

        TIMES.add(String.format("%-11s cold %6.1f s (%s)   code-only %5.1f s (%s)", title, cold.millis() / 1000.0,
                buildTime(cold.output()), codeOnly.millis() / 1000.0, buildTime(codeOnly.output())));
    }

    @Test
    @Order(1)
    void aStaticSiteIsServedFromItsFiles() throws Exception {
        coldThenCodeOnly("bp-static", "Static site", "index.html",
                Map.of("index.html", "<h1>static v1</h1>\n", "about/index.html", "about\n"),
                "<h1>static v1</h1>", "index.html", "<h1>static v2</h1>\n", "<h1>static v2</h1>",
                // A static site has no dependencies: the layer that must be reused is its web server.
                "apt-get install");
        assertEquals(new Response(200, "about"), SystemHost.get(host("bp-static"), "/about/"));
        assertEquals(404, SystemHost.get(host("bp-static"), "/Dockerfile").status(), "pier's Dockerfile is no page");
    }

    @Test
    @Order(2)
    void aPhpAppRunsUnderApacheWithComposer() throws Exception {
        coldThenCodeOnly("bp-php", "PHP", "index.php",
                Map.of("composer.json", "{\n  \"name\": \"pier/systest\",\n  \"require\": {\"php\": \">=8.1\"}\n}\n",
                        "index.php", "<?php echo 'php says ', strrev('olleh'), \"\\n\";\n"),
                "php says hello", "index.php", "<?php echo 'php says ', strrev('eyb'), \"\\n\";\n", "php says bye",
                "composer install");
        assertEquals(403, SystemHost.get(host("bp-php"), "/composer.json").status(), "the app's manifest is not served");
    }

    @Test
    @Order(3)
    void aNodeAppInstallsItsLockedDependenciesFromNpmAndStartsWithScriptsStart() throws Exception {
        String lock = """
                {
                  "name": "pier-systest",
                  "version": "1.0.0",
                  "lockfileVersion": 3,
                  "requires": true,
                  "packages": {
                    "": {"name": "pier-systest", "version": "1.0.0", "dependencies": {"ms": "2.1.3"}},
                    "node_modules/ms": {
                      "version": "2.1.3",
                      "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
                      "integrity": "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA=="
                    }
                  }
                }
                """;
        String server = "const ms = require('ms');\nrequire('http').createServer((req, res) => res.end('node says %s ' + ms(60000)"
                + " + '\\n')).listen(process.env.PORT);\n";
        coldThenCodeOnly("bp-node", "Node.js", "package.json",
                Map.of("package.json", "{\"name\": \"pier-systest\", \"version\": \"1.0.0\", \"private\": true,"
                                + " \"scripts\": {\"start\": \"node server.js\"}, \"dependencies\": {\"ms\": \"2.1.3\"}}\n",
                        "package-lock.json", lock, "server.js", server.replace("%s", "hello")),
                "node says hello 1m", "server.js", server.replace("%s", "bye"), "node says bye 1m", "npm ci");
    }

    @Test
    @Order(4)
    void aPythonAppInstallsItsRequirementsAndRunsUnderGunicorn() throws Exception {
        // With a Content-Length gunicorn sends the body as it is; SystemHost.get reads no chunked encoding.
        String app = "def app(environ, start_response):\n    body = b'python says %s\\n'\n"
                + "    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])\n"
                + "    return [body]\n";
        coldThenCodeOnly("bp-python", "Python", "requirements.txt",
                Map.of("requirements.txt", "# satisfied by the distro's gunicorn: nothing is downloaded\ngunicorn\n",
                        "app.py", app.replace("%s", "hello")),
                "python says hello", "app.py", app.replace("%s", "bye"), "python says bye", "pip install -r requirements.txt");
    }

    @Test
    @Order(5)
    void builderSetForcesABuildpackOverDetectionAndAutoUndoesIt() throws Exception {
        Result set = SystemHost.pier("builder:set", "bp-node", "static");
        assertEquals(0, set.code(), set.output());
        assertTrue(SystemHost.pier("builder", "bp-node", "--format", "json").output().contains("\"buildpack\": \"static\""));
        commit("bp-node", Map.of("index.html", "a page beside package.json\n"));
        Push push = push("bp-node");
        assertEquals(0, push.result().code(), push.output());
        assertTrue(push.output().contains("-----> Using Static site (chosen with builder:set"), push.output());
        assertEquals(new Response(200, "a page beside package.json"), SystemHost.get(host("bp-node")));

        assertEquals(0, SystemHost.pier("builder:set", "bp-node", "auto").code());
        assertTrue(SystemHost.pier("builder", "bp-node").output().contains("Buildpack:   auto"));
        Result unknown = SystemHost.pier("builder:set", "bp-node", "cobol");
        assertEquals(2, unknown.code(), unknown.output());
    }

    @Test
    @Order(6)
    void aRepositoryNoBuildpackRecognisesIsRejectedWithWhatToAdd() throws Exception {
        commit("bp-unknown", Map.of("README.md", "nothing to run\n"));
        Push push = push("bp-unknown");
        assertNotEquals(0, push.result().code(), push.output());
        assertTrue(push.output().contains("deploy failed: no Dockerfile, and no buildpack recognises this repository"),
                push.output());
    }
}
