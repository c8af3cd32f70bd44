package pier.deploy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import pier.base.PierException;
import pier.engine.Labels;
import pier.engine.Swarm;
import pier.engine.SwarmServices;
import pier.names.AppName;
import pier.names.ProcessType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What ps, logs and enter make of an app's tasks on the swarm. */
class SwarmProcessesTest {
    static final AppName BLOG = AppName.of("blog");
    static final Swarm.Node MANAGER = new Swarm.Node("m", "pier1", "10.0.0.1", true, "ready", "active", "24.0", Map.of());
    static final Swarm.Node WORKER = new Swarm.Node("w", "pier1", "10.0.0.2", false, "ready", "active", "24.0",
            Map.of(Labels.NODE, "10.0.0.2"));
    static final Map<String, Swarm.Node> NODES = Map.of("m", MANAGER, "w", WORKER);
    static final SwarmServices.Service WEB = new SwarmServices.Service("svc", "pier-blog-web", false,
            new SwarmServices.Spec(Map.of(Labels.APP, "blog", Labels.RELEASE, "7", Labels.PROCESS, "web"), "new"),
            Optional.of(new SwarmServices.Spec(Map.of(Labels.APP, "blog", Labels.RELEASE, "6", Labels.PROCESS, "web"), "old")));

    static SwarmServices.Task task(String id, int slot, String node, String state, String desired, String spec, int port,
                                   String message, int second) {
        return new SwarmServices.Task(id, "pier-blog-web", node, state, desired, "img", port, message, spec, slot,
                Instant.parse("2024-05-01T12:00:00Z").plusSeconds(second));
    }

    @Test
    void psShowsEachTaskWithItsNodeAsNodesListNamesItTheReleaseOfItsSpecAndWhereItIsReached() {
        List<Processes.Instance> rows = SwarmProcesses.rows(WEB, List.of(
                task("aaaaaaaaaaaaaaaaaaaaaaaaa", 1, "m", "running", "running", "new", 30001, "started", 5),
                task("bbbbbbbbbbbbbbbbbbbbbbbbb", 2, "w", "running", "running", "old", 30002, "started", 1),
                task("ccccccccccccccccccccccccc", 3, "w", "preparing", "running", "new", 0, "preparing", 6),
                task("ddddddddddddddddddddddddd", 4, "", "pending", "running", "lost", 0, "no suitable node", 6)), NODES);
        assertEquals(List.of(
                        "web.1        aaaaaaaaaaaa  v7    live      running    (this host)    10.0.0.1:30001",
                        "web.2        bbbbbbbbbbbb  v6    retiring  running    10.0.0.2       10.0.0.2:30002",
                        "web.3        cccccccccccc  v7    live      preparing  10.0.0.2       preparing",
                        "web.4        dddddddddddd  v?    retiring  pending    -              no suitable node"),
                rows.stream().map(Processes.Instance::line).toList());
    }

    @Test
    void aSlotThatRunsNothingShowsItsLastFailureAndARunningSlotHidesItsOldOnes() {
        List<Processes.Instance> rows = SwarmProcesses.rows(WEB, List.of(
                task("run1", 1, "m", "running", "running", "new", 30001, "started", 9),
                task("old1", 1, "m", "failed", "shutdown", "new", 0, "task: non-zero exit (1)", 3),
                task("new2", 2, "w", "starting", "running", "new", 0, "starting", 9),
                task("bad2", 2, "w", "failed", "shutdown", "new", 0, "task: non-zero exit (2)", 8),
                task("older2", 2, "w", "failed", "shutdown", "new", 0, "task: non-zero exit (3)", 2),
                task("done2", 2, "w", "shutdown", "shutdown", "old", 0, "shutdown", 9)), NODES);
        assertEquals(List.of("run1/live/running/", "new2/live/starting/starting", "bad2/replaced/failed/task: non-zero exit (2)"),
                rows.stream().map(i -> i.id() + "/" + i.role() + "/" + i.state() + "/" + i.status()).toList());
    }

    @Test
    void aContainerOfAnAppOnThisHostKeepsItsLine() {
        assertEquals("web.1        0123456789ab  v3    live      running    127.0.0.1:32768  Up 5 minutes",
                new Processes.Instance("0123456789ab", "web.1", "web", 3, "running", "Up 5 minutes", Optional.of(32768), "live")
                        .line());
        assertEquals("run.x1y2z3   0123456789ab  v3    run       running    Up 2 seconds",
                new Processes.Instance("0123456789ab", "run.x1y2z3", "run", 3, "running", "Up 2 seconds", Optional.empty(), "run")
                        .line());
    }

    @Test
    void enterGoesIntoTheLowestRunningTaskOnThisHost() {
        List<SwarmServices.Task> tasks = List.of(
                task("w1", 1, "w", "running", "running", "new", 1, "", 0),
                task("m3", 3, "m", "running", "running", "new", 1, "", 0),
                task("m2", 2, "m", "running", "running", "new", 1, "", 0),
                task("m4", 4, "m", "starting", "running", "new", 1, "", 0));
        assertEquals("m2", SwarmProcesses.enterTarget(BLOG, ProcessType.WEB, OptionalInt.empty(), tasks, NODES).id());
        assertEquals("m3", SwarmProcesses.enterTarget(BLOG, ProcessType.WEB, OptionalInt.of(3), tasks, NODES).id());
    }

    @Test
    void enterOnATaskOfAnotherNodeSaysWhereItRunsAndWhatToDo() {
        List<SwarmServices.Task> tasks = List.of(
                task("w1", 1, "w", "running", "running", "new", 1, "", 0),
                task("w2", 2, "w", "running", "running", "new", 1, "", 0),
                task("m3", 3, "m", "starting", "running", "new", 1, "", 0));
        PierException away = assertThrows(PierException.class,
                () -> SwarmProcesses.enterTarget(BLOG, ProcessType.WEB, OptionalInt.empty(), tasks, NODES));
        assertEquals("blog's web tasks run on 10.0.0.2; enter reaches tasks on this host only: pier scheduler:set blog"
                + " constraint node.role==manager, or ssh to that node", away.getMessage());
        PierException one = assertThrows(PierException.class,
                () -> SwarmProcesses.enterTarget(BLOG, ProcessType.WEB, OptionalInt.of(2), tasks, NODES));
        assertEquals("blog's web.2 task runs on 10.0.0.2; enter reaches tasks on this host only: pier scheduler:set blog"
                + " constraint node.role==manager, or ssh to that node", one.getMessage());
        PierException none = assertThrows(PierException.class,
                () -> SwarmProcesses.enterTarget(BLOG, ProcessType.of("worker"), OptionalInt.empty(), List.of(), NODES));
        assertEquals("no running worker task of blog: pier ps blog shows what runs", none.getMessage());
        PierException starting = assertThrows(PierException.class,
                () -> SwarmProcesses.enterTarget(BLOG, ProcessType.WEB, OptionalInt.of(3), tasks, NODES));
        assertEquals("no running web.3 task of blog: pier ps blog shows what runs", starting.getMessage());
    }

    @Test
    void aLogLineIsNamedByItsTasksInstanceAndByItsTypeWhenSwarmNoLongerKeepsTheTask() {
        SwarmProcesses.LogSource source = SwarmProcesses.logSource(WEB, List.of(
                task("t1", 1, "m", "running", "running", "new", 0, "", 0),
                task("t0", 1, "m", "failed", "shutdown", "new", 0, "", 0),
                task("t2", 2, "w", "running", "running", "new", 0, "", 0)));
        assertEquals("web.1", source.instance("t1"));
        assertEquals("web.1", source.instance("t0"));
        assertEquals("web.2", source.instance("t2"));
        assertEquals("web", source.instance("gone"));
        assertEquals("web", source.instance(""), "the engine's own complaint");
        assertEquals("2024-05-01T12:00:01Z app[web.2]: hello", Logs.line("2024-05-01T12:00:01Z", "web.2", "hello"));
    }
}
