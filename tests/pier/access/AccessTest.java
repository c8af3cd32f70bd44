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

/** The role rules, and that every command pier has declares its own on purpose. */
class AccessTest {
    static final CommandLine CLI = pier.cli.pier.commandLine();

    final AppName blog = AppName.of("blog");
    final AppName api = AppName.of("api");
    final Actor admin = new Actor("root", Grants.all());
    final Actor developer = new Actor("dev", Grants.none().with(blog, Role.developer));
    final Actor deployer = new Actor("ci", Grants.none().with(blog, Role.deploy));

    /** The rule the command named {@code command} declares, as the gate reads it. */
    static Rule rule(String command) {
        return CommandGate.ruleOf(CLI.getSubcommands().get(command).getCommandSpec());
    }

    static void check(Actor actor, String command, Optional<AppName> app) {
        Access.check(actor, command, command.equals("help") ? Access.HELP : rule(command), app);
    }

    static boolean mayRun(Actor actor, String command) {
        return Access.mayRun(actor, (command.equals("help") ? Access.HELP : rule(command)).scope());
    }

    @Test
    void adminRunsServerWideAndAppCommandsOnAnyApp() {
        assertDoesNotThrow(() -> check(admin, "apps:destroy", Optional.of(api)));
        assertDoesNotThrow(() -> check(admin, "domains:set-global", Optional.empty()));
        assertDoesNotThrow(() -> Access.checkGit(admin, api, true));
    }

    @Test
    void developerRunsAppCommandsOnItsAppOnly() {
        assertDoesNotThrow(() -> check(developer, "config:set", Optional.of(blog)));
        PierException other = assertThrows(PierException.class, () -> check(developer, "config:set", Optional.of(api)));
        assertEquals(PierException.FAILED, other.exitCode());
        assertTrue(other.getMessage().contains("may not run config:set on api"), other.getMessage());
    }

    @Test
    void developerRunsNoServerWideCommandNorAnAppCommandWithoutApp() {
        assertThrows(PierException.class, () -> check(developer, "apps:create", Optional.of(blog)));
        assertThrows(PierException.class, () -> check(developer, "developer:allow", Optional.of(blog)));
        assertThrows(PierException.class, () -> check(developer, "volume:link", Optional.of(blog)));
        PierException global = assertThrows(PierException.class, () -> check(developer, "config:set", Optional.empty()));
        assertTrue(global.getMessage().contains("server-wide"), global.getMessage());
    }

    @Test
    void deployKeyOnlyPushesAndFetchesItsApps() {
        assertDoesNotThrow(() -> Access.checkGit(deployer, blog, true));
        assertDoesNotThrow(() -> Access.checkGit(deployer, blog, false));
        assertThrows(PierException.class, () -> Access.checkGit(deployer, api, false));
        PierException config = assertThrows(PierException.class, () -> check(deployer, "config", Optional.of(blog)));
        assertTrue(config.getMessage().contains("deploy key may only push to and fetch blog"), config.getMessage());
    }

    @Test
    void aKeyWithNoGrantsMayNotPushAnywhere() {
        Actor none = new Actor("nobody", new Grants(false, new TreeMap<>()));
        assertThrows(PierException.class, () -> Access.checkGit(none, blog, true));
    }

    @picocli.CommandLine.Command(name = "some:new-command")
    static class Undeclared implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void aCommandWithoutARuleIsForAdminsOnly() {
        Rule rule = CommandGate.ruleOf(new CommandLine(new Undeclared()).getCommandSpec());
        assertEquals(Access.UNDECLARED, rule);
        assertThrows(PierException.class, () -> Access.check(developer, "some:new-command", rule, Optional.of(blog)));
        assertDoesNotThrow(() -> Access.check(admin, "some:new-command", rule, Optional.of(blog)));
        assertTrue(rule.changes());
    }

    @Test
    void helpListsForADeployKeyNoCommandButHelp() {
        assertTrue(mayRun(deployer, "help"));
        assertFalse(mayRun(deployer, "config"));
        assertTrue(mayRun(developer, "config"));
        assertFalse(mayRun(developer, "apps:list"));
    }

    /** The commands of {@code cli} that declare no rule: none may, someone must decide who runs each. */
    static List<String> undeclared(CommandLine cli) {
        List<String> missing = new ArrayList<>();
        cli.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName()) && !name.equals("help") && CommandGate.declared(sub.getCommandSpec()).isEmpty()) {
                missing.add(name);
            }
        });
        return missing;
    }

    /** A service command: an admin's, or a developer's of an app the service is linked to; never a deploy key's. */
    @Test
    void aDeveloperReachesOnlyTheServicesLinkedToItsApps() {
        AppName other = AppName.of("shop");
        Access.checkService(admin, "postgres:connect", "postgres db", List.of());
        Access.checkService(developer, "postgres:connect", "postgres db", List.of(other, blog));
        PierException refused = assertThrows(PierException.class,
                () -> Access.checkService(developer, "postgres:connect", "postgres db", List.of(other)));
        assertTrue(refused.getMessage().contains("may not run postgres:connect on postgres db"), refused.getMessage());
        assertThrows(PierException.class, () -> Access.checkService(developer, "postgres:info", "postgres gone", List.of()));
        assertThrows(PierException.class, () -> Access.checkService(deployer, "postgres:export", "postgres db", List.of(blog)));
        assertEquals(Access.Scope.SERVICE, rule("postgres:connect").scope());
        assertEquals(Access.Scope.SERVER, rule("postgres:link").scope());
    }

    /** A new command must declare its rule by someone deciding who may run it. */
    @Test
    void everyCommandOfTheCliDeclaresItsRule() {
        assertEquals(List.of(), undeclared(CLI));
        CommandLine withNew = pier.cli.pier.commandLine();
        withNew.addSubcommand(new Undeclared());
        assertEquals(List.of("some:new-command"), undeclared(withNew), "the check finds a command without a rule");
    }

    /** What every role may run, as declared on the commands, is the table RolesSystemTest checks over SSH. */
    @Test
    void theDeclaredRulesAreTheOnesTheRolesAreBuiltOn() {
        assertEquals(Access.Shown.KEYS_ONLY, rule("config:set").shown());
        assertEquals(Access.Shown.APP_ONLY, rule("run").shown());
        // authorized_keys gives a terminal to keys that may run app commands: enter must be one.
        assertEquals(Access.Scope.APP, rule("enter").scope());
        assertEquals(Access.Scope.SERVER, rule("resource:limit").scope());
        assertFalse(rule("ps:retire").changes());
    }

    /** SshCommand refuses and Route keeps local the same commands: each is one of pier's. */
    @Test
    void hostOnlyCommandsAreCommandsOfPier() {
        for (String command : Access.HOST_ONLY) {
            assertTrue(CLI.getSubcommands().containsKey(command), command);
        }
    }

    /** The gate finds an app command's app by its APP argument; one without it would be server-wide by accident. */
    @Test
    void everyAppScopedCommandTakesAnAppArgument() {
        List<String> without = new ArrayList<>();
        CLI.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help") && rule(name).scope() == Access.Scope.APP && sub.getCommandSpec().positionalParameters().stream()
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
