package pier.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import pier.base.PierException;
import pier.cli.CommandGate;
import pier.names.AppName;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The role rules, and that every command pier has is placed in them on purpose. */
class AccessTest {
    final AppName blog = AppName.of("blog");
    final AppName api = AppName.of("api");
    final Actor admin = new Actor("root", Grants.all());
    final Actor developer = new Actor("dev", Grants.none().with(blog, Role.developer));
    final Actor deployer = new Actor("ci", Grants.none().with(blog, Role.deploy));

    @Test
    void adminRunsServerWideAndAppCommandsOnAnyApp() {
        assertDoesNotThrow(() -> Access.check(admin, "apps:destroy", Optional.of(api)));
        assertDoesNotThrow(() -> Access.check(admin, "domains:set-global", Optional.empty()));
        assertDoesNotThrow(() -> Access.checkGit(admin, api, true));
    }

    @Test
    void developerRunsAppCommandsOnItsAppOnly() {
        assertDoesNotThrow(() -> Access.check(developer, "config:set", Optional.of(blog)));
        PierException other = assertThrows(PierException.class, () -> Access.check(developer, "config:set", Optional.of(api)));
        assertEquals(PierException.FAILED, other.exitCode());
        assertTrue(other.getMessage().contains("may not run config:set on api"), other.getMessage());
    }

    @Test
    void developerRunsNoServerWideCommandNorAnAppCommandWithoutApp() {
        assertThrows(PierException.class, () -> Access.check(developer, "apps:create", Optional.of(blog)));
        assertThrows(PierException.class, () -> Access.check(developer, "developer:allow", Optional.of(blog)));
        assertThrows(PierException.class, () -> Access.check(developer, "volume:link", Optional.of(blog)));
        PierException global = assertThrows(PierException.class, () -> Access.check(developer, "config:set", Optional.empty()));
        assertTrue(global.getMessage().contains("server-wide"), global.getMessage());
    }

    @Test
    void deployKeyOnlyPushesAndFetchesItsApps() {
        assertDoesNotThrow(() -> Access.checkGit(deployer, blog, true));
        assertDoesNotThrow(() -> Access.checkGit(deployer, blog, false));
        assertThrows(PierException.class, () -> Access.checkGit(deployer, api, false));
        PierException config = assertThrows(PierException.class, () -> Access.check(deployer, "config", Optional.of(blog)));
        assertTrue(config.getMessage().contains("deploy key may only push to and fetch blog"), config.getMessage());
    }

    @Test
    void aKeyWithNoGrantsMayNotPushAnywhere() {
        Actor none = new Actor("nobody", new Grants(false, new TreeMap<>()));
        assertThrows(PierException.class, () -> Access.checkGit(none, blog, true));
    }

    @Test
    void aCommandMissingFromTheTableIsForAdminsOnly() {
        assertFalse(Access.listed("some:new-command"));
        assertThrows(PierException.class, () -> Access.check(developer, "some:new-command", Optional.of(blog)));
        assertTrue(Access.rule("some:new-command").changes());
    }

    @Test
    void helpListsForADeployKeyNoCommandButHelp() {
        assertTrue(Access.mayRun(deployer, "help"));
        assertFalse(Access.mayRun(deployer, "config"));
        assertTrue(Access.mayRun(developer, "config"));
        assertFalse(Access.mayRun(developer, "apps:list"));
    }

    /** A new command must be placed in the table by someone deciding who may run it. */
    @Test
    void everyCommandOfTheCliIsInTheTable() {
        List<String> missing = new ArrayList<>();
        pier.cli.pier.commandLine().getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName()) && !Access.listed(name)) {
                missing.add(name);
            }
        });
        assertEquals(List.of(), missing);
    }

    /** The gate finds an app command's app by its APP argument; one without it would be server-wide by accident. */
    @Test
    void everyAppScopedCommandTakesAnAppArgument() {
        List<String> without = new ArrayList<>();
        pier.cli.pier.commandLine().getSubcommands().forEach((name, sub) -> {
            if (Access.rule(name).scope() == Access.Scope.APP && sub.getCommandSpec().positionalParameters().stream()
                    .noneMatch(p -> p.paramLabel().startsWith("APP"))) {
                without.add(name);
            }
        });
        assertEquals(List.of(), without);
    }

    @Test
    void theGateTakesTheAppFromTheAppArgumentUnlessGlobal() {
        CommandLine cli = pier.cli.pier.commandLine();
        assertEquals(Optional.of(blog), CommandGate.appOf(leaf(cli.parseArgs("config:set", "blog", "A=1"))));
        assertEquals(Optional.empty(), CommandGate.appOf(leaf(pier.cli.pier.commandLine().parseArgs("config:set", "--global", "A=1"))));
        assertEquals(Optional.of(blog), CommandGate.appOf(leaf(pier.cli.pier.commandLine().parseArgs("logs", "-n", "5", "blog"))));
        // An APP argument is checked while the line is parsed (AppMixin); config's APP-or---global words by the gate.
        CommandLine.ParameterException bad = assertThrows(CommandLine.ParameterException.class,
                () -> pier.cli.pier.commandLine().parseArgs("ps", "../api"));
        assertInstanceOf(PierException.class, bad.getCause());
        assertThrows(PierException.class, () -> CommandGate.appOf(leaf(pier.cli.pier.commandLine().parseArgs("config", "../api"))));
    }

    private static CommandLine.ParseResult leaf(CommandLine.ParseResult parsed) {
        while (parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        return parsed;
    }

    @Test
    void theEventShowsTheWordsAfterTheCommandNameOrAlias() {
        assertEquals(List.of("blog"), CommandGate.wordsAfterCommand(List.of("create", "blog"), List.of("create", "apps:create")));
        assertEquals(List.of("--uninstall"), CommandGate.wordsAfterCommand(List.of("--uninstall"), List.of()));
    }
}
