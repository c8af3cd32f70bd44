package pier.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.base.Progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The install DSL on files in a temporary directory, owned by whoever runs the test: check, plan, apply and the
 * uninstall each step's removal derives, in reverse order, with and without purge, dry and for real.
 */
class InstallPlanTest {
    static final String ME = System.getProperty("user.name");

    @TempDir
    Path tmp;

    Path state;
    Path programs;
    Path config;
    List<String> lines;
    Progress progress;

    @BeforeEach
    void setUp() {
        state = tmp.resolve("state");
        programs = tmp.resolve("programs");
        config = programs.resolve("app.conf");
        lines = new ArrayList<>();
        progress = lines::add;
    }

    InstallPlan plan(String content) {
        return InstallPlan.of(
                HostSteps.directory(state, ME, "rwxr-x---", true).removedOn(Removal.PURGE),
                HostSteps.directory(programs, ME, "rwxr-xr-x", false).removedOn(Removal.UNINSTALL),
                HostSteps.file(config, () -> content, ME, "rw-r--r--", List.of(), () -> {
                }).removedOn(Removal.UNINSTALL),
                HostSteps.fileFromTemplate(state.resolve("sshd.conf"), "sshd/pier.conf.ftl", Map.of("user", "deploy"), ME,
                        "rw-------"));
    }

    @Test
    void aDryRunSaysWhatItWouldCreateAndCreatesNothing() {
        InstallPlan.Outcome outcome = plan("a").run(true, progress);
        assertEquals(4, outcome.changes());
        assertFalse(Files.exists(state));
        assertFalse(Files.exists(programs));
        assertTrue(lines.contains("       would    file " + config + " (" + ME + ", rw-r--r--): create it"), lines.toString());
    }

    @Test
    void aSecondRunChangesNothing() throws IOException {
        assertEquals(4, plan("a").run(false, progress).changes());
        assertEquals("a", Files.readString(config));
        assertTrue(Files.readString(state.resolve("sshd.conf")).contains("Match User deploy"));
        assertEquals(0, plan("a").run(false, progress).changes());
    }

    @Test
    void aRunOverAnOlderInstallSaysWhatDiffersAndChangesOnlyThat() throws IOException {
        plan("a").run(false, progress);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
        lines.clear();

        InstallPlan.Outcome outcome = plan("b").run(false, progress);

        assertEquals(2, outcome.changes(), lines.toString());
        assertTrue(lines.contains("       change   directory " + state + " (" + ME + ", rwxr-x---, owns all below): "
                + "mode rwxrwxrwx -> rwxr-x---"), lines.toString());
        assertTrue(lines.contains("       change   file " + config + " (" + ME + ", rw-r--r--): content differs"),
                lines.toString());
        assertEquals("b", Files.readString(config));
    }

    @Test
    void uninstallRemovesTheUninstallStepsLastFirstAndKeepsTheRest() {
        plan("a").run(false, progress);
        lines.clear();

        InstallPlan.Undone undone = plan("a").uninstall(false, false, progress);

        assertEquals(List.of("file " + config + " (" + ME + ", rw-r--r--)",
                "directory " + programs + " (" + ME + ", rwxr-xr-x)"), undone.removed());
        assertFalse(Files.exists(programs));
        assertTrue(Files.isRegularFile(state.resolve("sshd.conf")), "a step without a removal stays");
        assertEquals(List.of("directory " + state + " (" + ME + ", rwxr-x---, owns all below)"), undone.purgeable());
        assertEquals(2, undone.kept().size());
        assertEquals("       remove   file " + config + " (" + ME + ", rw-r--r--)", lines.get(1), lines.toString());
    }

    @Test
    void purgeAlsoRemovesThePurgeStepsAndASecondUninstallRemovesNothing() {
        plan("a").run(false, progress);

        InstallPlan.Undone purged = plan("a").uninstall(true, false, progress);
        InstallPlan.Undone again = plan("a").uninstall(true, false, progress);

        assertEquals(3, purged.removed().size(), purged.toString());
        assertFalse(Files.exists(state));
        assertFalse(Files.exists(programs));
        assertEquals(List.of(), purged.purgeable());
        assertEquals(List.of(), again.removed());
    }

    @Test
    void aDryUninstallListsWhatWouldGoAndRemovesNothing() {
        plan("a").run(false, progress);
        lines.clear();

        InstallPlan.Undone undone = plan("a").uninstall(true, true, progress);

        assertEquals(3, undone.removed().size());
        assertTrue(Files.isRegularFile(config));
        assertTrue(Files.isDirectory(state));
        assertTrue(lines.contains("       would    remove directory " + state + " (" + ME + ", rwxr-x---, owns all below)"),
                lines.toString());
    }

    @Test
    void aFileWhoseCheckFailsIsPutBackOnApplyAndOnUndo() throws IOException {
        Files.createDirectories(programs);
        Files.writeString(config, "old");
        AtomicInteger reloads = new AtomicInteger();
        UndoableStep step = HostSteps.file(config, () -> "new", ME, "rw-r--r--", List.of("false"), reloads::incrementAndGet)
                .removedOn(Removal.UNINSTALL);

        PierException applied = assertThrows(PierException.class, step::apply);
        assertTrue(applied.getMessage().startsWith("false rejected the new " + config), applied.getMessage());
        assertEquals("old", Files.readString(config));

        PierException undone = assertThrows(PierException.class, step::undo);
        assertTrue(undone.getMessage().startsWith("false rejected removing " + config), undone.getMessage());
        assertEquals("old", Files.readString(config));
        assertEquals(0, reloads.get(), "nothing reloads a config its check refused");
    }

    @Test
    void aFileCheckedByItselfIsNotCheckedOnceRemoved() {
        AtomicInteger reloads = new AtomicInteger();
        UndoableStep step = HostSteps.file(config, () -> "x", ME, "rw-r--r--", List.of("test", "-s", "{}"),
                reloads::incrementAndGet);
        step.apply();
        step.undo();
        assertFalse(Files.exists(config));
        assertEquals(2, reloads.get());
    }

    @Test
    void anIncludeOrDropInNameThatIsNotPlainIsABadInput() {
        for (String bad : List.of("../x", "Pier", "", "a b", "a/b", "-x")) {
            PierException e = assertThrows(PierException.class, () -> HostSteps.nginxInclude(bad, () -> ""), bad);
            assertEquals(PierException.USAGE, e.exitCode());
            assertThrows(PierException.class, () -> HostSteps.sshdDropIn(bad, () -> ""), bad);
        }
    }

    @Test
    void onlyUninstallAndPurgeRemoveAndOnlyPurgeRemovesPurgeSteps() {
        assertFalse(Removal.KEEP.removedBy(true));
        assertTrue(Removal.UNINSTALL.removedBy(false));
        assertFalse(Removal.PURGE.removedBy(false));
        assertTrue(Removal.PURGE.removedBy(true));
    }
}
