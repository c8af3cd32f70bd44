package pier.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pier.base.PierException;
import pier.names.AppName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where an app runs is a file only pier writes; a constraint reaches the swarm's spec, so it is checked first. */
class PlacementTest {
    static final AppName APP = AppName.of("blog");

    @Test
    void anAppWithNoFileRunsOnThisHost(@TempDir Path tmp) {
        assertEquals(Placement.LOCAL, Placement.read(new PierHome(tmp), APP));
    }

    @Test
    void theSchedulerAndItsConstraintsAreReadAsWritten(@TempDir Path tmp) throws Exception {
        PierHome home = new PierHome(tmp);
        Files.createDirectories(home.app(APP));
        Placement placed = Placement.LOCAL.withScheduler(Placement.SWARM).withConstraint("node.labels.disk==ssd")
                .withConstraint("node.role!=manager").withConstraint("node.labels.disk==ssd");
        placed.write(home, APP);
        assertEquals(new Placement("swarm", List.of("node.labels.disk==ssd", "node.role!=manager")), Placement.read(home, APP));
        assertEquals(Placement.SWARM, Placement.read(home, APP).withoutConstraints().scheduler());
    }

    @ParameterizedTest
    @ValueSource(strings = {"node.labels.disk=ssd", "node.labels.disk == ssd", "node.labels.x==y;rm", "engine.labels.a==$(id)",
            "node.hostname==", "container.name==x", "node.labels.x==y\nnode.role==worker", ""})
    void aConstraintSwarmWouldNotTakeOrThatCarriesSyntaxIsRefused(String expression) {
        PierException e = assertThrows(PierException.class, () -> Placement.checkConstraint(expression));
        assertEquals(PierException.USAGE, e.exitCode());
        assertTrue(e.getMessage().startsWith("invalid constraint"), e.getMessage());
    }

    @Test
    void anUnknownSchedulerIsRefused() {
        assertThrows(PierException.class, () -> new Placement("kubernetes", List.of()));
    }

    @Test
    void aDamagedFileIsAnErrorNamingIt(@TempDir Path tmp) throws Exception {
        PierHome home = new PierHome(tmp);
        Files.createDirectories(home.app(APP));
        Files.writeString(home.app(APP).resolve("scheduler"), "swarm\nplacement x\n");
        PierException e = assertThrows(PierException.class, () -> Placement.read(home, APP));
        assertTrue(e.getMessage().contains("scheduler is damaged") && e.getMessage().contains("scheduler:set"), e.getMessage());
        Files.writeString(home.app(APP).resolve("scheduler"), "");
        assertThrows(PierException.class, () -> Placement.read(home, APP));
    }
}
