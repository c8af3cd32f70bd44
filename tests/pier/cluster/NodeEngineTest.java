package pier.cluster;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pier.base.PierException;
import pier.names.NodeHost;
import pier.remote.Remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a would-be node's Docker must say before pier joins it, and what the admin is told when it says otherwise. */
class NodeEngineTest {
    static final NodeHost HOST = NodeHost.of("10.0.0.2");

    @Test
    void aNodeOutsideAnySwarmReadsAsInactive() {
        assertEquals(new NodeEngine("inactive", "", false), NodeEngine.parse("inactive  false\n"));
        assertEquals(new NodeEngine("active", "abc123", false), NodeEngine.parse("active abc123 false"));
    }

    @Test
    void liveRestoreOnIsRefusedWithWhatToChangeOnTheNode() {
        PierException e = assertThrows(PierException.class, () -> NodeEngine.read(HOST, answering(0, "inactive  true\n")));
        assertTrue(e.getMessage().contains("live-restore") && e.getMessage().contains("/etc/docker/daemon.json"), e.getMessage());
    }

    @Test
    void aHostWithoutDockerIsToldHowToInstallIt() {
        PierException e = assertThrows(PierException.class,
                () -> NodeEngine.read(HOST, answering(127, "", "sh: 1: docker: not found\n")));
        assertTrue(e.getMessage().startsWith("Docker does not answer on 10.0.0.2 (sh: 1: docker: not found)"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install docker.io"), e.getMessage());
    }

    @Test
    void anAnswerThatIsNotDockersIsRefusedNotGuessed() {
        assertThrows(PierException.class, () -> NodeEngine.parse("Welcome to host\n"));
        assertThrows(PierException.class, () -> NodeEngine.parse("active id maybe"));
    }

    @Test
    void dockerIsAskedWithOneFormatArgument() {
        List<List<String>> asked = new ArrayList<>();
        NodeEngine.read(HOST, (argv, stdin) -> {
            asked.add(argv);
            return new Remote.Captured(0, "inactive  false\n", "");
        });
        assertEquals(List.of(List.of("docker", "info", "--format", NodeEngine.FORMAT)), asked);
    }

    private static NodeShell answering(int code, String out) {
        return answering(code, out, "");
    }

    private static NodeShell answering(int code, String out, String err) {
        return (argv, stdin) -> new Remote.Captured(code, out, err);
    }
}
