package pier.engine;

import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a node is named to people, in nodes:list and wherever a task's node is shown. */
class SwarmNodeTest {
    @Test
    void theManagerIsThisHostANodeIsWhatItWasAddedAsElseItsAddress() {
        assertEquals("(this host)", node(true, Map.of(Labels.NODE, "ignored")).shown());
        assertEquals("db-host", node(false, Map.of(Labels.NODE, "db-host")).shown());
        assertEquals("10.0.0.2", node(false, Map.of()).shown(), "joined by its printed commands: no label, named as nodes:* take it");
    }

    private static Swarm.Node node(boolean manager, Map<String, String> labels) {
        return new Swarm.Node("id", "cloned-hostname", "10.0.0.2", manager, "ready", "active", "24.0", labels);
    }
}
