package pier.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import pier.access.Access;

class ServiceCommandsTest {
    @Test
    void everyKindGetsDokkusCommandsUnderItsOwnName() {
        CommandLine tree = pier.commandLine();
        for (String kind : List.of("postgres", "mariadb", "redis")) {
            for (String verb : services.VERBS.keySet()) {
                CommandLine command = tree.getSubcommands().get(kind + ":" + verb);
                assertTrue(command != null, kind + ":" + verb);
                assertEquals(kind + ":" + verb, command.getCommandName());
                // What a developer may run on the services of its apps; everything else is an admin's.
                Access.Scope expected = Set.of("info", "connect", "export", "backups").contains(verb) ? Access.Scope.SERVICE
                        : Access.Scope.SERVER;
                assertEquals(expected, CommandGate.ruleOf(command.getCommandSpec()).scope(), kind + ":" + verb);
                // The gate asks a service-scoped command which apps its service is linked to.
                assertTrue(expected != Access.Scope.SERVICE || command.getCommand() instanceof ServiceScoped, kind + ":" + verb);
                assertTrue(command.getCommandSpec().usageMessage().description()[0].contains(kind)
                        || !command.getCommandSpec().usageMessage().description()[0].contains("KIND"), kind + ":" + verb);
            }
        }
    }

    @Test
    void aLineNamingOneServiceCommandModelsOnlyThatOne() {
        CommandLine tree = pier.commandLine("postgres:create", "db");
        assertEquals(new TreeSet<>(List.of("help", "postgres:create")), new TreeSet<>(tree.getSubcommands().keySet()));
        assertEquals("postgres", ((services.KindCommand) tree.getSubcommands().get("postgres:create").getCommand()).kind);
    }
}
