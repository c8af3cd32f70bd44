package pier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster of two hosts on this machine: this one, and a second Docker engine in a network namespace of its own with
 * its own sshd ({@link SecondHost}). {@code nodes:add} reaches it over real SSH as root and joins it to the swarm this
 * host then manages; the registry it starts here serves the node over TLS to pier's account only. The tests run in
 * order, and put this host's Docker back as they found it (no swarm, live-restore on) at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodesSystemTest {
    static final String DOMAIN = "pier.test";
    static final Path DAEMON_JSON = Path.of("/etc/docker/daemon.json");
    static final ObjectMapper JSON = new ObjectMapper();

    static final String APP = "swarm-web";
    static final String HOST = APP + "." + DOMAIN;
    static final String SERVICE = "pier-" + APP + "-web";
    static final String CACHE = "swarm-cache";

    static SecondHost node;
    static Path appRepo;
    static Path key;
    static String daemonJson;

    @BeforeAll
    static void aSecondHost() throws Exception {
        // What an earlier, interrupted run left: its app first, as it stops a server-wide change.
        if (Files.exists(SystemHost.PIER)) {
            SystemHost.pier("apps:destroy", APP, "--force");
            SystemHost.pier("redis:destroy", CACHE, "--force");
        }
        key = SystemHost.installWithAdminKey(DOMAIN);
        daemonJson = Files.readString(DAEMON_JSON);
        SystemHost.run("docker", "swarm", "leave", "--force");
        node = SecondHost.start();
    }

    @AfterAll
    static void putDockerBack() throws Exception {
        SystemHost.pier("apps:destroy", APP, "--force");
        SystemHost.pier("redis:destroy", CACHE, "--force");
        if (node != null) {
            node.close();
        }
        SystemHost.run("docker", "swarm", "leave", "--force");
        // Swarm mode leaves its gateway bridge behind: no later test should meet it.
        SystemHost.run("docker", "network", "rm", "docker_gwbridge");
        SystemHost.run("pkill", "-f", "/usr/bin/docker-registry");
        SystemHost.run("pkill", "-f", "nodes:watch");
        if (daemonJson != null) {
            Files.writeString(DAEMON_JSON, daemonJson);
        }
        SystemHost.run("sh", "-c", "kill -HUP $(cat /var/run/docker.pid)");
    }

    @Test
    @Order(1)
    void nodesAddMakesThisHostTheManagerAndJoinsTheNodeOverSshAsRoot() throws Exception {
        Result nodePlan = SystemHost.run(SystemHost.PIER.toString(), "install", "--node", "--dry-run");
        assertEquals(0, nodePlan.code(), nodePlan.output());
        assertTrue(nodePlan.output().contains("would    Docker's live-restore off"), "a node's plan: " + nodePlan.output());

        // A host pier cannot reach changes nothing here: no swarm, live-restore as it was.
        Result unreachable = asAdmin("nodes:add", "10.88.0.3");
        assertEquals(1, unreachable.code(), unreachable.output());
        assertEquals("true inactive", SystemHost.run("docker", "info", "--format", "{{.LiveRestoreEnabled}} {{.Swarm.LocalNodeState}}")
                .output().strip(), unreachable.output());

        Result none = SystemHost.pier("nodes:list");
        assertEquals(0, none.code(), none.output());
        assertTrue(none.output().contains("no cluster"), none.output());

        Result added = asAdmin("nodes:add", SecondHost.ADDRESS);
        assertEquals(0, added.code(), added.output());
        assertTrue(added.output().contains(SecondHost.ADDRESS + " joined the cluster as a worker"), added.output());

        JsonNode nodes = nodes();
        assertEquals(2, nodes.size(), nodes.toString());
        assertEquals("manager", nodes.get(0).get("role").asText());
        assertEquals(SecondHost.MANAGER_ADDRESS, nodes.get(0).get("address").asText());
        JsonNode worker = nodes.get(1);
        assertEquals(Map.of("host", SecondHost.ADDRESS, "address", SecondHost.ADDRESS, "role", "worker", "state", "ready",
                "availability", "active"), Map.of("host", worker.get("host").asText(), "address", worker.get("address").asText(),
                "role", worker.get("role").asText(), "state", worker.get("state").asText(), "availability",
                worker.get("availability").asText()));
        assertEquals("active", node.swarmState());
        assertEquals("false active", SystemHost.run("docker", "info", "--format", "{{.LiveRestoreEnabled}} {{.Swarm.LocalNodeState}}")
                .output().strip(), "swarm mode on this host needs live-restore off");
        assertTrue(Files.readString(DAEMON_JSON).contains("\"log-driver\""), "the other settings stay: " + Files.readString(DAEMON_JSON));
    }

    @Test
    @Order(2)
    void nodesAddAgainChangesNothing() {
        Result again = asAdmin("nodes:add", SecondHost.ADDRESS);
        assertEquals(0, again.code(), again.output());
        assertTrue(again.output().contains("nothing to change"), again.output());
        assertTrue(again.output().contains("is a node of this cluster already"), again.output());
        assertEquals(2, nodes().size());

        Result boot = SystemHost.run(SystemHost.PIER.toString(), "install", "--boot", "--dry-run");
        assertTrue(boot.output().contains("ok       service docker-registry running, when this host manages a cluster"),
                "the boot hook starts the registry of a manager: " + boot.output());
    }

    @Test
    @Order(3)
    void theRegistryServesTheNodeOverTlsToPiersAccountOnly() throws Exception {
        String registry = SecondHost.MANAGER_ADDRESS + ":5000";
        Path trusted = Path.of("/etc/docker/certs.d", registry, "ca.crt");
        assertTrue(Files.exists(trusted), trusted + " is where Docker trusts the registry's certificate");
        String password = Files.readString(Path.of("/var/lib/pier/cluster/registry-password")).strip();
        assertEquals("pier", SystemHost.run("stat", "-c", "%U %a", "/var/lib/pier/cluster/registry-password").output().strip()
                .split(" ")[0]);

        Result anonymous = SystemHost.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", trusted.toString(),
                "https://" + registry + "/v2/");
        assertEquals("401", anonymous.output().strip(), "a container on this host reaches the address: no account, no images");
        Result plain = SystemHost.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://" + registry + "/v2/");
        assertTrue(!plain.output().strip().equals("200"), "plain HTTP must not serve: " + plain.output());
        SystemHost.requireProgram(Path.of("/usr/bin/curl"));
        Result outside = SystemHost.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--connect-timeout", "2", "-k",
                "https://127.0.0.1:5000/v2/");
        assertEquals("000", outside.output().strip(), "the registry listens on the cluster's address only");

        // An image pushed here as pier, pulled there as pier: TLS trusted by both engines, the account taken by both.
        Path context = Files.createTempDirectory("pier-registry-probe");
        Files.writeString(context.resolve("hello"), "from the manager\n");
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY hello /hello\n");
        String image = registry + "/pier-test/probe:1";
        assertEquals(0, SystemHost.run("docker", "build", "-q", "-t", image, context.toString()).code());
        Path here = Files.createTempDirectory("pier-docker-config");
        assertEquals(0, SystemHost.run(null, Map.of(), password, "docker", "--config", here.toString(), "login", "-u", "pier",
                "--password-stdin", registry).code());
        Result pushed = SystemHost.run("docker", "--config", here.toString(), "push", image);
        assertEquals(0, pushed.code(), pushed.output());

        Result refused = node.docker("pull", image);
        assertTrue(refused.code() != 0 && refused.output().contains("no basic auth credentials"), refused.output());
        Path there = Files.createTempDirectory("pier-docker-config");
        Result login = SystemHost.run(null, Map.of(), password, "docker", "-H", "unix://" + SecondHost.SOCKET, "--config",
                there.toString(), "login", "-u", "pier", "--password-stdin", registry);
        assertEquals(0, login.code(), login.output());
        Result pulled = SystemHost.run("docker", "-H", "unix://" + SecondHost.SOCKET, "--config", there.toString(), "pull", image);
        assertEquals(0, pulled.code(), pulled.output());
        SystemHost.run("docker", "rmi", image);
    }

    @Test
    @Order(4)
    void drainAndActivateSetTheNodesAvailability() {
        Result drained = SystemHost.pier("nodes:drain", SecondHost.ADDRESS);
        assertEquals(0, drained.code(), drained.output());
        assertEquals("drain", nodes().get(1).get("availability").asText());
        Result active = SystemHost.pier("nodes:activate", SecondHost.ADDRESS);
        assertEquals(0, active.code(), active.output());
        assertEquals("active", nodes().get(1).get("availability").asText());
    }

    @Test
    @Order(5)
    void anAppOnTheSwarmRunsATaskOnEachHostAndARedeployDropsNoRequest() throws Exception {
        appRepo = SystemHost.busyboxRepo(key);
        Result pushed = pushWho("one");
        assertEquals(0, pushed.code(), pushed.output());
        assertEquals("one", SystemHost.awaitBody(HOST, "one", 30).body());

        Result placed = SystemHost.pier("scheduler:set", APP, "swarm");
        assertEquals(0, placed.code(), placed.output());
        assertTrue(placed.output().contains("on the cluster"), placed.output());
        Result scaled = SystemHost.pier("ps:scale", APP, "web=2");
        assertEquals(0, scaled.code(), scaled.output());
        assertTrue(scaled.output().contains("2 web task(s)"), scaled.output());

        // One task on each host (Swarm spreads them), each answering through Nginx here.
        List<String> tasks = SystemHost.run("docker", "service", "ps", "-q", "--filter", "desired-state=running", SERVICE).output()
                .lines().filter(l -> !l.isBlank()).toList();
        List<String> command = new java.util.ArrayList<>(List.of("docker", "inspect", "--format", "{{.NodeID}}"));
        command.addAll(tasks);
        assertEquals(2, SystemHost.run(command.toArray(String[]::new)).output().lines().filter(l -> !l.isBlank()).distinct().count(),
                "two tasks on two nodes: " + tasks);
        Map<String, Integer> perTask = new java.util.TreeMap<>();
        for (int i = 0; i < 40; i++) {
            SystemHost.Response who = SystemHost.get(HOST, "/who");
            assertEquals(200, who.status(), who.body());
            perTask.merge(who.body(), 1, Integer::sum);
        }
        System.out.println("requests per task: " + perTask);
        assertEquals(2, perTask.size(), "both tasks answer: " + perTask);
        awaitNoLocalContainer();
        psLogsEnterAndRunReachTheTasksOnBothHosts(perTask.keySet());
        domainsAndTlsReachTheTasksOnBothHosts(perTask.keySet());

        // A redeploy: start-first, one task at a time, Nginx following the tasks.
        SystemHost.Load load = SystemHost.Load.on(HOST);
        Result redeployed = pushWho("two");
        List<SystemHost.Response> seen = load.stopAfter(1000);
        assertEquals(0, redeployed.code(), redeployed.output());
        long failed = seen.stream().filter(r -> r.status() != 200).count();
        System.out.println("swarm redeploy under load: " + seen.size() + " requests, " + failed + " failed");
        assertEquals(0, failed, "failed requests: " + seen.stream().filter(r -> r.status() != 200).limit(5).toList());
        assertEquals("two", SystemHost.get(HOST).body());
    }

    @Test
    @Order(6)
    void drainingANodeMovesItsTaskAndNginxFollowsWithinSeconds() throws Exception {
        Path vhost = Path.of("/var/lib/pier/nginx", APP + ".conf");
        if (!Files.readString(vhost).contains(SecondHost.ADDRESS + ":")) {
            // A start-first update may leave both tasks on one host; a task added by a scale goes to the emptier one.
            assertEquals(0, SystemHost.pier("ps:scale", APP, "web=1").code());
            assertEquals(0, SystemHost.pier("ps:scale", APP, "web=2").code());
        }
        assertTrue(Files.readString(vhost).contains(SecondHost.ADDRESS + ":"), "a task on the node: " + Files.readString(vhost));
        SystemHost.Load load = SystemHost.Load.on(HOST);
        long start = System.nanoTime();
        Result drained = SystemHost.pier("nodes:drain", SecondHost.ADDRESS);
        assertEquals(0, drained.code(), drained.output());
        double left = -1;
        double followed = -1;
        for (int i = 0; i < 160 && followed < 0; i++) {
            String routed = Files.readString(vhost);
            double now = (System.nanoTime() - start) / 1e9;
            if (left < 0 && !routed.contains(SecondHost.ADDRESS + ":")) {
                left = now;
            }
            if (left >= 0 && routed.split(SecondHost.MANAGER_ADDRESS + ":", -1).length == 3) {
                followed = now;
            }
            Thread.sleep(250);
        }
        List<SystemHost.Response> seen = load.stopAfter(1000);
        long failed = seen.stream().filter(r -> r.status() != 200).count();
        System.out.printf("node drained: Nginx left the node after %.1f s and routed to both tasks on the manager after %.1f s;"
                + " %d requests, %d failed%n", left, followed, seen.size(), failed);
        assertTrue(left > 0 && followed > 0, "Nginx follows the tasks to the manager within 40 s: " + Files.readString(vhost));
        assertEquals(0, failed, "Nginx retries a request the drained task refused on the task that runs");
        assertEquals(200, SystemHost.get(HOST).status());
        assertEquals(0, SystemHost.pier("nodes:activate", SecondHost.ADDRESS).code());
    }

    @Test
    @Order(7)
    void aStoppedNodesTaskMovesToTheManagerAndNginxFollows() throws Exception {
        Path vhost = Path.of("/var/lib/pier/nginx", APP + ".conf");
        // Back on the node: a task added by a scale goes to the emptier host.
        assertEquals(0, SystemHost.pier("ps:scale", APP, "web=1").code());
        assertEquals(0, SystemHost.pier("ps:scale", APP, "web=2").code());
        assertTrue(Files.readString(vhost).contains(SecondHost.ADDRESS + ":"), "a task on the node: " + Files.readString(vhost));
        SystemHost.Load load = SystemHost.Load.on(HOST);
        long start = System.nanoTime();
        node.stopDocker();
        double followed = -1;
        for (int i = 0; i < 240 && followed < 0; i++) {
            String routed = Files.readString(vhost);
            if (!routed.contains(SecondHost.ADDRESS + ":") && routed.split(SecondHost.MANAGER_ADDRESS + ":", -1).length == 3) {
                followed = (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(250);
        }
        List<SystemHost.Response> seen = load.stopAfter(1000);
        long failed = seen.stream().filter(r -> r.status() != 200).count();
        System.out.printf("node stopped: Nginx routed to both tasks on the manager after %.1f s; %d requests, %d failed%n",
                followed, seen.size(), failed);
        node.startDockerAgain();
        assertTrue(followed > 0, "Nginx follows the tasks to the manager within 60 s: " + Files.readString(vhost));
        assertEquals(0, failed, "Nginx retries a request the stopped node refused on the task that runs: "
                + seen.stream().filter(r -> r.status() != 200).limit(5).toList());
        for (int i = 0; i < 120 && !SystemHost.pier("nodes:list").output().lines()
                .anyMatch(l -> l.contains(SecondHost.ADDRESS) && l.contains("ready")); i++) {
            Thread.sleep(500);
        }
        assertTrue(SystemHost.pier("nodes:list").output().contains("ready"), "the node is back: " + SystemHost.pier("nodes:list").output());
    }

    /** A name of the app's own and a certificate route to the tasks on both hosts, as to local containers. */
    private static void domainsAndTlsReachTheTasksOnBothHosts(java.util.Set<String> hostnames) {
        String other = "www.swarm-shop.example";
        assertEquals(0, SystemHost.pier("domains:add", APP, other).code());
        assertEquals(hostnames, new java.util.TreeSet<>(answers(other, "/who", 10).keySet()), "both tasks on the app's own name");
        Result generated = SystemHost.pier("certs:generate", APP);
        assertEquals(0, generated.code(), generated.output());
        Path served = CertsSystemTest.HOME.tls(pier.names.AppName.of(APP)).resolve("server.crt");
        java.util.Set<String> overTls = new java.util.TreeSet<>();
        for (int i = 0; i < 10; i++) {
            SystemHost.Response r = CertsSystemTest.https(other, "/who", served);
            assertEquals(200, r.status(), r.body());
            overTls.add(r.body());
        }
        assertEquals(hostnames, overTls, "both tasks over HTTPS");
        assertEquals(0, SystemHost.pier("certs:remove", APP).code());
        assertEquals(0, SystemHost.pier("domains:remove", APP, other).code());
        assertEquals(200, SystemHost.get(HOST).status(), "plain HTTP again, without the certificate");
    }

    /** What an admin looks at and goes into: each task, wherever it runs; {@code hostnames} are the tasks' own. */
    private static void psLogsEnterAndRunReachTheTasksOnBothHosts(java.util.Set<String> hostnames) {
        Result ps = SystemHost.pier("ps", APP);
        assertEquals(0, ps.code(), ps.output());
        assertTrue(ps.output().lines().findFirst().orElse("").matches("=====> " + APP + " v\\d+ \\(web=2\\) on the swarm"), ps.output());
        List<String> tasks = ps.output().lines().filter(l -> l.matches("web\\.\\d+ .* live +running .*")).toList();
        assertEquals(2, tasks.size(), ps.output());
        String here = tasks.stream().filter(l -> l.contains("(this host)")).findFirst().orElseThrow(() -> new AssertionError(ps.output()));
        String there = tasks.stream().filter(l -> l.contains(" " + SecondHost.ADDRESS + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(ps.output()));

        // The manager gathers every node's task logs: each task's start line is there, the second host's included.
        Result logs = SystemHost.pier("logs", "-n", "50", APP);
        assertEquals(0, logs.code(), logs.output());
        for (String hostname : hostnames) {
            assertTrue(logs.output().lines().anyMatch(l -> l.matches(".*app\\[web\\.\\d+\\]: task " + hostname + " started.*")),
                    hostname + "'s start line in:\n" + logs.output());
        }

        String taskHere = here.split(" +")[0];
        Result entered = SystemHost.pierWithInput("/bin/busybox cat /www/who\n", "enter", APP, taskHere);
        assertEquals(0, entered.code(), entered.output());
        assertTrue(hostnames.stream().anyMatch(h -> entered.output().contains(h)), entered.output());
        String taskThere = there.split(" +")[0];
        Result refused = SystemHost.pier("enter", APP, taskThere);
        assertEquals(1, refused.code(), refused.output());
        assertTrue(refused.output().contains("runs on " + SecondHost.ADDRESS) && refused.output().contains("this host only"),
                refused.output());

        Result run = SystemHost.pier("run", APP, "/bin/busybox", "cat", "/www/index.html");
        assertEquals(0, run.code(), run.output());
        assertTrue(run.output().contains("one"), run.output());
    }

    /** config:set and releases:rollback take the same path as on one host: every task of the new release has its env. */
    @Test
    @Order(8)
    void configSetAndRollbackOnTheSwarmReachEveryTaskWithoutADroppedRequest() throws Exception {
        SystemHost.Load load = SystemHost.Load.on(HOST);
        Result set = SystemHost.pier("config:set", APP, "GREETING=hello");
        assertEquals(0, set.code(), set.output());
        assertEquals(Map.of("greeting=hello", 20), answers("/greeting", 20), "every task has the new config");

        int releases = JSON.readTree(SystemHost.pier("releases", APP, "--format", "json").output()).size();
        Result rollback = SystemHost.pier("releases:rollback", APP);
        assertEquals(0, rollback.code(), rollback.output());
        assertTrue(rollback.output().contains("Rolling " + APP + " back to v"), rollback.output());
        List<SystemHost.Response> seen = load.stopAfter(500);
        Map<String, Integer> after = answers("/greeting", 20);
        if (!after.equals(Map.of("greeting=", 20))) {
            System.out.println(rollback.output() + "\n" + Files.readString(Path.of("/var/lib/pier/nginx", APP + ".conf")) + "\n"
                    + SystemHost.run("docker", "service", "ps", "--no-trunc", SERVICE).output());
        }
        assertEquals(Map.of("greeting=", 20), after, "the release before, without the setting, on every task");
        assertEquals("two", SystemHost.get(HOST).body());
        long failed = seen.stream().filter(r -> r.status() != 200).count();
        System.out.println("swarm config:set and rollback under load: " + seen.size() + " requests, " + failed + " failed");
        assertEquals(0, failed, "failed requests: " + seen.stream().filter(r -> r.status() != 200).limit(5).toList());
        assertEquals(releases + 1, JSON.readTree(SystemHost.pier("releases", APP, "--format", "json").output()).size(),
                "the rollback is a release of its own");

        // Stopped, Swarm would start its tasks again: ps:stop removes the services, ps:start makes them anew.
        Result stopped = SystemHost.pier("ps:stop", APP);
        assertEquals(0, stopped.code(), stopped.output());
        assertEquals(503, SystemHost.get(HOST).status());
        assertEquals("", SystemHost.run("docker", "service", "ls", "-q", "--filter", "label=pier.app=" + APP).output().strip());
        Result started = SystemHost.pier("ps:start", APP);
        assertEquals(0, started.code(), started.output());
        assertEquals("two", SystemHost.get(HOST).body());
        Result again = SystemHost.pier("ps:start", APP);
        assertTrue(again.output().contains("is running already"), again.output());
    }

    @Test
    @Order(9)
    void theRegistryKeepsOnlyTheRollbackWindowAndRegistryGcFreesTheRest() throws Exception {
        Path settings = Path.of("/var/lib/pier/settings.properties");
        String before = Files.exists(settings) ? Files.readString(settings) : null;
        Files.writeString(settings, (before == null ? "" : before + "\n") + "images.keep=1\n");
        try {
            // A new build serving the same page: one image more than the window holds.
            Files.writeString(appRepo.resolve("www/build.txt"), "third build\n");
            Result pushed = pushWho("two");
            assertEquals(0, pushed.code(), pushed.output());
            assertTrue(pushed.output().contains("from the cluster's registry"), pushed.output());
        } finally {
            if (before == null) {
                Files.delete(settings);
            } else {
                Files.writeString(settings, before);
            }
        }
        JsonNode tags = JSON.readTree(registry("/v2/pier/" + APP + "/tags/list")).path("tags");
        assertEquals(1, tags.size(), "the window of one image alone: " + tags);
        String kept = tags.get(0).asText();

        long stored = storedBytes();
        Result gc = SystemHost.pier("registry:gc");
        assertEquals(0, gc.code(), gc.output());
        long after = storedBytes();
        System.out.printf("registry:gc: %d -> %d bytes stored%n", stored, after);
        assertTrue(after < stored, "the deleted images' layers are freed: " + stored + " -> " + after + "\n" + gc.output());
        // The kept image is whole: its manifest, config and every layer are still served to the nodes.
        JsonNode manifest = JSON.readTree(registry("/v2/pier/" + APP + "/manifests/" + kept,
                "application/vnd.docker.distribution.manifest.v2+json"));
        List<String> blobs = new java.util.ArrayList<>(List.of(manifest.path("config").path("digest").asText()));
        manifest.path("layers").forEach(l -> blobs.add(l.path("digest").asText()));
        for (String blob : blobs) {
            assertEquals("200", registryStatus("/v2/pier/" + APP + "/blobs/" + blob), blob + " of " + kept);
        }
        assertEquals("two", SystemHost.get(HOST).body());
    }

    @Test
    @Order(10)
    void aLinkedDatabaseIsReachedFromTheTasksOnEveryHostOverTheOverlay() throws Exception {
        BaseImage.ensure();
        SystemHost.pier("redis:destroy", CACHE, "--force");
        Result created = SystemHost.pier("redis:create", CACHE);
        assertEquals(0, created.code(), created.output());
        Result linked = SystemHost.pier("redis:link", CACHE, APP);
        assertEquals(0, linked.code(), linked.output());
        // A task on each host: a task added by a scale goes to the emptier one.
        assertEquals(0, SystemHost.pier("ps:scale", APP, "web=1").code());
        assertEquals(0, SystemHost.pier("ps:scale", APP, "web=2").code());
        Map<String, String> tasks = runningTasks();
        String manager = SystemHost.run("docker", "info", "--format", "{{.Swarm.NodeID}}").output().strip();
        assertEquals(2, tasks.size(), "a task on each host: " + tasks);
        String here = tasks.get(manager);
        String there = tasks.entrySet().stream().filter(e -> !e.getKey().equals(manager)).map(Map.Entry::getValue).findFirst()
                .orElseThrow();
        String ping = "echo PING | /bin/busybox nc -w 5 redis-" + CACHE + " 6379";
        for (Result answer : List.of(SystemHost.run("docker", "exec", here, "/bin/busybox", "sh", "-c", ping),
                node.docker("exec", there, "/bin/busybox", "sh", "-c", ping))) {
            // No password given: Redis itself answers that it wants one.
            assertTrue(answer.output().contains("NOAUTH"), "Redis answers the task: " + answer.output());
        }
        assertTrue(node.docker("exec", there, "/bin/busybox", "env").output().contains("REDIS_URL=redis://:"),
                "the task on the node has the link's env");
    }

    /** The container of each task meant to run (an update's old ones may still be stopping), by its node's id. */
    private static Map<String, String> runningTasks() {
        List<String> tasks = SystemHost.run("docker", "service", "ps", "-q", "--filter", "desired-state=running", SERVICE).output()
                .lines().filter(l -> !l.isBlank()).toList();
        List<String> command = new java.util.ArrayList<>(List.of("docker", "inspect", "--format",
                "{{.NodeID}} {{.Status.ContainerStatus.ContainerID}}"));
        command.addAll(tasks);
        Map<String, String> byNode = new java.util.TreeMap<>();
        SystemHost.run(command.toArray(String[]::new)).output().lines().map(l -> l.strip().split(" "))
                .filter(f -> f.length == 2).forEach(f -> byNode.put(f[0], f[1]));
        return byNode;
    }

    /** The registry's answer to pier's account, over its own certificate; what the nodes are answered too. */
    private static String registry(String path, String... accept) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--cacert",
                "/etc/docker/registry/pier-registry.crt", "-u", "pier:" + registryPassword()));
        for (String type : accept) {
            command.addAll(List.of("-H", "Accept: " + type));
        }
        command.add("https://" + SecondHost.MANAGER_ADDRESS + ":5000" + path);
        Result r = SystemHost.run(command.toArray(String[]::new));
        assertEquals(0, r.code(), r.output());
        return r.output();
    }

    private static String registryStatus(String path) throws IOException {
        return SystemHost.run("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "-I", "--cacert",
                "/etc/docker/registry/pier-registry.crt", "-u", "pier:" + registryPassword(),
                "https://" + SecondHost.MANAGER_ADDRESS + ":5000" + path).output().strip();
    }

    private static String registryPassword() throws IOException {
        return Files.readString(Path.of("/var/lib/pier/cluster/registry-password")).strip();
    }

    private static long storedBytes() {
        return Long.parseLong(SystemHost.run("du", "-sb", "/var/lib/docker-registry").output().split("\\s+")[0]);
    }

    @Test
    @Order(11)
    void aVolumePinsTheSwarmAppToThisHostWhereEveryTaskSharesIt() throws Exception {
        String volume = APP + "-data";
        SystemHost.pier("volume:destroy", volume, "--force");
        assertEquals(0, SystemHost.pier("volume:create", volume, "/data").code());
        Result linked = SystemHost.pier("volume:link", APP, volume);
        assertEquals(0, linked.code(), linked.output());
        assertTrue(linked.output().contains("its tasks run here only (the manager)"), linked.output());
        Path vhost = Path.of("/var/lib/pier/nginx", APP + ".conf");
        String routed = Files.readString(vhost);
        assertFalse(routed.contains(SecondHost.ADDRESS + ":"), "no task on the node: " + routed);
        assertEquals(3, routed.split(SecondHost.MANAGER_ADDRESS + ":", -1).length, "both tasks on the manager: " + routed);

        // What one container writes to the volume, every task reads.
        Result wrote = SystemHost.pier("run", APP, "sh", "-c", "echo kept > /data/proof");
        assertEquals(0, wrote.code(), wrote.output());
        // The tasks meant to run (the update's old ones may still be stopping), by their containers.
        List<String> tasks = SystemHost.run("docker", "service", "ps", "-q", "--filter", "desired-state=running", SERVICE).output()
                .lines().filter(l -> !l.isBlank()).toList();
        List<String> command = new java.util.ArrayList<>(List.of("docker", "inspect", "--format", "{{.Status.ContainerStatus.ContainerID}}"));
        command.addAll(tasks);
        List<String> containers = SystemHost.run(command.toArray(String[]::new)).output().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(2, containers.size(), "two tasks here: " + tasks);
        for (String container : containers) {
            assertEquals("kept", SystemHost.run("docker", "exec", container, "/bin/busybox", "cat", "/data/proof").output().strip());
        }

        Result unlinked = SystemHost.pier("volume:unlink", APP, volume);
        assertEquals(0, unlinked.code(), unlinked.output());
        assertFalse(unlinked.output().contains("run here only"), unlinked.output());
        assertEquals(0, SystemHost.pier("volume:destroy", volume, "--force").code());
        assertEquals("two", SystemHost.get(HOST).body());
    }

    /** How many of {@code n} requests through Nginx got each body. */
    private static Map<String, Integer> answers(String path, int n) {
        return answers(HOST, path, n);
    }

    private static Map<String, Integer> answers(String host, String path, int n) {
        Map<String, Integer> bodies = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            SystemHost.Response r = SystemHost.get(host, path);
            bodies.merge(r.status() + " " + r.body().strip(), 1, Integer::sum);
        }
        return bodies.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                e -> e.getKey().startsWith("200 ") ? e.getKey().substring(4) : e.getKey(), Map.Entry::getValue));
    }

    @Test
    @Order(12)
    void aFailingReleaseRollsBackOnTheSwarmAndDockerBringsTheAppHome() throws Exception {
        Files.writeString(appRepo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n"
                + "CMD [\"/bin/busybox\", \"sleep\", \"3600\"]\n");
        assertEquals(0, SystemHost.git(appRepo, key, "commit", "-q", "-a", "-m", "serves nothing").code());
        Result broken = SystemHost.git(appRepo, key, "push", "pier@localhost:" + APP, "main");
        assertTrue(broken.code() != 0, broken.output());
        assertTrue(broken.output().contains("rolled the service back"), broken.output());
        assertEquals("two", SystemHost.get(HOST).body(), "the release before keeps serving");

        Result home = SystemHost.pier("scheduler:set", APP, "docker");
        assertEquals(0, home.code(), home.output());
        assertTrue(home.output().contains("removed the swarm service " + SERVICE), home.output());
        assertEquals("two", SystemHost.get(HOST).body());
        // The database left the overlay with the app, and the app here still has it.
        String networks = SystemHost.run("docker", "inspect", "--format", "{{json .NetworkSettings.Networks}}",
                "pier_redis_" + CACHE).output();
        assertFalse(networks.contains("pier-" + APP + "-swarm"), networks);
        assertTrue(networks.contains("\"pier-" + APP + "\""), networks);
        assertEquals(0, SystemHost.pier("redis:unlink", CACHE, APP).code());
        assertEquals(0, SystemHost.pier("redis:destroy", CACHE, "--force").code());
        assertEquals("", SystemHost.run("docker", "service", "ls", "-q", "--filter", "label=pier.app=" + APP).output().strip());
        Result report = SystemHost.pier("scheduler:report", APP);
        assertTrue(report.output().contains("docker (this host)"), report.output());
    }

    @Test
    @Order(13)
    void badNodesAndUntrustedHostsAreRefusedWithOneLineAndChangeNothing() throws Exception {
        Result bad = asAdmin("nodes:add", "root@" + SecondHost.ADDRESS);
        assertEquals(2, bad.code(), bad.output());
        assertTrue(bad.output().startsWith("error: invalid node"), bad.output());

        Result manager = SystemHost.pier("nodes:drain", SecondHost.MANAGER_ADDRESS);
        assertEquals(2, manager.code(), manager.output());
        assertTrue(manager.output().contains("manager"), manager.output());

        // A host key the admin never accepted: pier does not connect, and the node stays as it was.
        Path stranger = Files.createTempDirectory("pier-admin");
        Files.createDirectories(stranger.resolve(".ssh"));
        Files.copy(SecondHost.ADMIN_HOME.resolve(".ssh/id_ed25519"), stranger.resolve(".ssh/id_ed25519"));
        Result unknown = SystemHost.run(null, Map.of("HOME", stranger.toString()), null, SystemHost.PIER.toString(),
                "nodes:remove", SecondHost.ADDRESS);
        assertEquals(1, unknown.code(), unknown.output());
        assertTrue(unknown.output().contains("not in " + stranger.resolve(".ssh/known_hosts")), unknown.output());

        Result unreachable = asAdmin("nodes:add", "10.88.0.3");
        assertEquals(1, unreachable.code(), unreachable.output());
        assertTrue(unreachable.output().lines().anyMatch(l -> l.startsWith("error: ") && l.contains("10.88.0.3")), unreachable.output());
        assertEquals(2, nodes().size());

        Result overSsh = SystemHost.ssh(key, null, "nodes:add", SecondHost.ADDRESS);
        assertTrue(overSsh.code() != 0, "nodes:add reaches a host as root: only on the server itself");
        assertEquals("active", nodes().get(1).get("availability").asText(), "the refused remove drained nothing");
    }

    @Test
    @Order(14)
    void nodesRemoveHasTheNodeLeaveAndForgetsIt() {
        Result removed = asAdmin("nodes:remove", SecondHost.ADDRESS);
        assertEquals(0, removed.code(), removed.output());
        assertEquals(1, nodes().size(), nodes().toString());
        assertEquals("inactive", node.swarmState());
        Result gone = SystemHost.pier("nodes:drain", SecondHost.ADDRESS);
        assertEquals(2, gone.code(), gone.output());
    }

    /** Commits a page saying {@code body} and an httpd that also tells which task answered (/who) and pushes it. */
    private static Result pushWho(String body) throws Exception {
        Files.writeString(appRepo.resolve("www/index.html"), body + "\n");
        Files.writeString(appRepo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\nCOPY www /www\n"
                + "CMD [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox hostname > /www/who; echo greeting=$GREETING > /www/greeting;"
                + " echo task $(/bin/busybox hostname) started greeting=$GREETING; exec /bin/busybox httpd -f -p $PORT -h /www\"]\n");
        assertEquals(0, SystemHost.git(appRepo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(appRepo, key, "commit", "-q", "-m", body).code());
        return SystemHost.git(appRepo, key, "push", "pier@localhost:" + APP, "main");
    }

    /** The retire of the release that ran here ends with no container of the app on this host outside the swarm. */
    private static void awaitNoLocalContainer() throws InterruptedException {
        for (int i = 0; i < 60; i++) {
            String local = SystemHost.run("docker", "ps", "-aq", "--filter", "label=pier.app=" + APP, "--filter",
                    "label=pier.process=web").output();
            String swarm = SystemHost.run("docker", "ps", "-aq", "--filter", "label=com.docker.swarm.service.name=" + SERVICE).output();
            if (local.lines().filter(l -> !l.isBlank()).allMatch(swarm::contains)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the app's container on this host was not retired after it moved to the swarm");
    }

    /** pier as root on this host with the admin's HOME, whose .ssh reaches the second host. */
    private static Result asAdmin(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = SystemHost.PIER.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return SystemHost.run(null, Map.of("HOME", SecondHost.ADMIN_HOME.toString()), null, command);
    }

    private static JsonNode nodes() {
        Result list = SystemHost.pier("nodes:list", "--format", "json");
        assertEquals(0, list.code(), list.output());
        try {
            return JSON.readTree(list.output());
        } catch (Exception e) {
            throw new AssertionError(list.output(), e);
        }
    }
}
