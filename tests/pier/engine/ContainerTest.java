package pier.engine;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a container's labels and state say it is. */
class ContainerTest {
    private static Container container(String state, boolean task) {
        Map<String, String> labels = task ? Map.of(Labels.APP, "blog", Container.SWARM_TASK, "t1") : Map.of(Labels.APP, "blog");
        return new Container("c1", "pier-blog", labels, state, "", Optional.empty());
    }

    @Test
    void onlyATaskSwarmEndedIsSwarmsHistoryThatMayBeRemoved() {
        assertTrue(container("exited", true).endedSwarmTask());
        assertTrue(container("dead", true).endedSwarmTask());
        assertFalse(container("running", true).endedSwarmTask(), "a running task is Swarm's to stop");
        assertFalse(container("created", true).endedSwarmTask(), "a task about to start is not history");
        assertFalse(container("exited", false).endedSwarmTask(), "pier's own stopped container is not Swarm's");
    }
}
