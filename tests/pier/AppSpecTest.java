package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.EnvKey;
import pier.state.Env;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Applying an app spec to a scratch PierHome with no deployed app, so nothing reaches Nginx or Docker: what it
 * stores, that it leaves alone what the spec does not name, and that a refused spec leaves every file as it was.
 */
class AppSpecTest {
    @TempDir
    Path tmp;

    PierHome home;
    Pier pier;
    List<String> output;
    Progress progress;

    static final AppName BLOG = AppName.of("blog");

    @BeforeEach
    void setUp() throws IOException {
        home = new PierHome(Files.createDirectories(tmp.resolve("home")));
        pier = new Pier(home, new Templates(tmp.resolve("no-overrides")));
        output = new ArrayList<>();
        progress = output::add;
    }

    Env config() {
        return pier.config().of(Optional.of(BLOG));
    }

    @Test
    void applyingCreatesTheAppWithItsBuildpackDomainsAndConfig() {
        AppSpec spec = AppSpec.of("blog").config("GREETING", "hello").domains(List.of("blog.example.com")).buildpack("nodejs");

        AppSpec.Applied applied = pier.ensure(spec, progress);

        assertEquals(List.of("created blog", "builds with nodejs", "added domain blog.example.com", "set GREETING"),
                applied.changes());
        assertTrue(pier.apps().exists(BLOG));
        assertEquals(Optional.of("nodejs"), pier.buildpacks().chosen(BLOG));
        assertEquals(List.of(Domain.of("blog.localhost"), Domain.of("blog.example.com")), pier.apps().domains(BLOG));
        assertEquals(Optional.of("hello"), config().get(EnvKey.of("GREETING")));
    }

    @Test
    void aSecondApplyOfTheSameSpecChangesNoFile() throws IOException {
        AppSpec spec = AppSpec.of("blog").config("GREETING", "hello").domains(List.of("blog.example.com")).buildpack("nodejs");
        pier.ensure(spec, progress);
        Map<String, String> before = FileSnapshot.of(home.root());
        output.clear();

        AppSpec.Applied again = pier.ensure(spec, progress);

        assertFalse(again.changed(), again.changes().toString());
        assertEquals(before, FileSnapshot.of(home.root()));
        assertEquals(List.of("-----> blog matches its spec: nothing to change"), output);
    }

    @Test
    void anUndeployedAppOnlyStoresItsNewConfig() {
        pier.apps().create(BLOG);

        pier.ensure(AppSpec.of("blog").config("GREETING", "hello"), progress);

        assertTrue(output.contains("       blog is not deployed yet; this applies at its first deploy"), output.toString());
        assertEquals(List.of(), pier.releases(BLOG).list());
    }

    @Test
    void configTheSpecDoesNotNameStaysAndOnlyDifferingValuesAreSet() {
        pier.apps().create(BLOG);
        pier.config().set(Optional.of(BLOG), Map.of(EnvKey.of("SECRET"), "s3cret", EnvKey.of("GREETING"), "hello"));

        AppSpec.Applied applied = pier.ensure(AppSpec.of("blog").config("GREETING", "hello").config("NAME", "Blog"), progress);

        assertEquals(List.of("set NAME"), applied.changes());
        assertEquals(Optional.of("s3cret"), config().get(EnvKey.of("SECRET")), "a value set by hand survives the spec");
        assertEquals(Optional.of("Blog"), config().get(EnvKey.of("NAME")));
    }

    @Test
    void theSpecsDomainsBecomeExactlyTheAppsOwn() {
        pier.apps().create(BLOG);
        pier.domains().add(BLOG, List.of(Domain.of("old.example.com"), Domain.of("keep.example.com")));

        AppSpec.Applied applied = pier.ensure(AppSpec.of("blog").domains(List.of("keep.example.com", "new.example.com")), progress);

        assertEquals(List.of("added domain new.example.com", "removed domain old.example.com"), applied.changes());
        assertEquals(List.of(Domain.of("keep.example.com"), Domain.of("new.example.com")), pier.domains().of(BLOG));

        pier.ensure(AppSpec.of("blog").domains(List.of()), progress);
        assertEquals(List.of(Domain.of("blog.localhost")), pier.apps().domains(BLOG), "no domains: the default name only");
    }

    @Test
    void whatTheSpecDoesNotNameIsLeftAsItIs() throws IOException {
        pier.apps().create(BLOG);
        pier.domains().add(BLOG, List.of(Domain.of("blog.example.com")));
        pier.buildpacks().choose(BLOG, "php");
        Map<String, String> before = FileSnapshot.of(home.root());

        AppSpec.Applied applied = pier.ensure(AppSpec.of("blog"), progress);

        assertFalse(applied.changed(), applied.changes().toString());
        assertEquals(before, FileSnapshot.of(home.root()));
    }

    @Test
    void autoGoesBackToDetection() {
        pier.apps().create(BLOG);
        pier.buildpacks().choose(BLOG, "php");

        assertEquals(List.of("detects its buildpack"), pier.ensure(AppSpec.of("blog").buildpack("auto"), progress).changes());
        assertEquals(Optional.empty(), pier.buildpacks().chosen(BLOG));
    }

    static Stream<Supplier<AppSpec>> badSpecs() {
        return Stream.of(
                () -> AppSpec.of("Blog"),
                () -> AppSpec.of("blog").config("1ST", "x"),
                () -> AppSpec.of("blog").config("PORT", "8080"),
                () -> AppSpec.of("blog").config("NUL", "a\0b"),
                () -> AppSpec.of("blog").domains(List.of("blog example.com")),
                () -> AppSpec.of("blog").domains(List.of("*")));
    }

    @ParameterizedTest
    @MethodSource("badSpecs")
    void aBadNameOrValueIsRefusedAsTheSpecIsWritten(Supplier<AppSpec> spec) {
        PierException e = assertThrows(PierException.class, spec::get);
        assertEquals(PierException.USAGE, e.exitCode(), e.getMessage());
    }

    @Test
    void anUnknownBuildpackIsRefusedBeforeTheAppIsCreated() throws IOException {
        Map<String, String> before = FileSnapshot.of(home.root());
        AppSpec spec = AppSpec.of("blog").config("GREETING", "hello").domains(List.of("blog.example.com")).buildpack("cobol");

        PierException e = assertThrows(PierException.class, () -> pier.ensure(spec, progress));

        assertEquals(PierException.USAGE, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("nodejs"), "the known buildpacks are named: " + e.getMessage());
        assertEquals(before, FileSnapshot.of(home.root()), "not even a lock file");
        assertEquals(List.of(), output);
    }

    @Test
    void aDomainAnotherAppHasIsRefusedBeforeAnyChange() throws IOException {
        AppName shop = AppName.of("shop");
        pier.apps().create(shop);
        pier.domains().add(shop, List.of(Domain.of("www.example.com")));
        Map<String, String> before = FileSnapshot.of(home.root());

        PierException e = assertThrows(PierException.class, () -> pier.ensure(
                AppSpec.of("blog").config("GREETING", "hello").domains(List.of("www.example.com")), progress));

        assertEquals(PierException.FAILED, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().startsWith("www.example.com is already a domain of shop"), e.getMessage());
        assertFalse(pier.apps().exists(BLOG));
        assertEquals(before, FileSnapshot.of(home.root()));
    }

    @Test
    void specsSayingTheSameAreEqualWhateverTheOrderOfTheirDomains() {
        assertEquals(AppSpec.of("blog").domains(List.of("b.example.com", "a.example.com", "b.example.com")),
                AppSpec.of("blog").domains(List.of("a.example.com", "b.example.com")));
    }

    @Test
    void aSpecShownInALogNamesItsConfigKeysButNotTheirValues() {
        String shown = AppSpec.of("blog").config("DATABASE_URL", "postgres://u:hunter2@db/blog").toString();
        assertTrue(shown.contains("DATABASE_URL"), shown);
        assertFalse(shown.contains("hunter2"), shown);
    }
}
