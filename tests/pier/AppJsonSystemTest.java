package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import pier.SystemHost.Result;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import pier.apps.CronEntry;
import pier.apps.CronSchedule;
import pier.apps.Releases;
import pier.names.AppName;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Dokku users push, in Dokku's formats: a worker-only app whose app.json formation runs no web process, with
 * predeploy and postdeploy scripts and a process that finishes at once (Dokku's {@code custom: echo -n}); a
 * failing predeploy; and an app that throws at start, whose cause line the push shows although the stack trace
 * after it scrolled it out. The tests run in order, on one app.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppJsonSystemTest {
    static final String APP = "appjson";
    /** A second app, with a web process (the first one's formation scaled web to 0). */
    static final String CRASHING = "appjson-crash";
    /** A third app, with cron entries: pushed first, so the other tests run while the host's minute comes round. */
    static final String CRON = "appjson-cron";
    static final String EVERY = "echo cron-every ran as $DYNO";
    static final String HELD = "echo cron-suspended ran";
    static final String SLOW = "echo cron-slow started; /bin/busybox sleep 150";
    static final String WORKER = "worker: trap 'exit 0' TERM; while true; do echo \"tick $DYNO\"; /bin/busybox sleep 1; done";

    static Path key;
    static Path repo;
    /** When the cron app's HELD entry was suspended, in whole seconds as the event log has them. */
    static Instant suspended;

    @BeforeAll
    static void installAndStartClean() throws IOException, InterruptedException {
        key = SystemHost.installWithAdminKey("pier.test");
        SystemHost.pier("apps:destroy", APP, "--force");
        SystemHost.pier("apps:destroy", CRASHING, "--force");
        SystemHost.pier("apps:destroy", CRON, "--force");
        repo = SystemHost.busyboxRepo(key);
        pushCronApp();
    }

    static void pushCronApp() throws IOException, InterruptedException {
        // The host's tick starts at each minute's second 0 and takes a few seconds. A tick that read the entries
        // before the suspend below would still start the suspended one, so push and suspend between two ticks.
        int second = java.time.LocalTime.now().getSecond();
        if (second < 10 || second > 45) {
            Thread.sleep(((second < 10 ? 10 : 70) - second) * 1000L);
        }
        Result push = pushTo(CRON, """
                {"formation": {"web": {"quantity": 0}},
                 "cron": [{"command": "%s", "schedule": "* * * * *"},
                          {"command": "%s", "schedule": "* * * * *"},
                          {"command": "%s", "schedule": "* * * * *"}]}
                """.formatted(EVERY, HELD, SLOW), WORKER);
        assertEquals(0, push.code(), push.output());
        assertTrue(push.output().contains("app.json cron " + id("* * * * *", EVERY) + ": * * * * *  " + EVERY), push.output());
        assertEquals(0, SystemHost.pier("cron:suspend", CRON, id("* * * * *", HELD)).code());
        // Whole seconds, as the event log has them; no tick runs between the push and here.
        suspended = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    @AfterAll
    static void cleanUp() {
        if (key != null) {
            SystemHost.pier("apps:destroy", APP, "--force");
            SystemHost.pier("apps:destroy", CRASHING, "--force");
            SystemHost.pier("apps:destroy", CRON, "--force");
        }
    }

    /** Commits a busybox image (busybox as /bin/sh) with this Procfile and app.json (none when null), and pushes it. */
    static Result push(String appJson, String... procfile) throws IOException {
        return pushTo(APP, appJson, procfile);
    }

    static Result pushTo(String app, String appJson, String... procfile) throws IOException {
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\n");
        Files.writeString(repo.resolve("Procfile"), String.join("\n", procfile) + "\n");
        if (appJson == null) {
            Files.deleteIfExists(repo.resolve("app.json"));
        } else {
            Files.writeString(repo.resolve("app.json"), appJson);
        }
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "--allow-empty", "-m", "change").code());
        return SystemHost.git(repo, key, "push", "pier@localhost:" + app, "main");
    }

    /** Each container as "name role state" (pier ps --format json). */
    static List<String> ps() throws IOException {
        Result r = SystemHost.pier("ps", APP, "--format", "json");
        assertEquals(0, r.code(), r.output());
        List<String> out = new ArrayList<>();
        ProcessesSystemTest.json(r.output()).get("containers").forEach(c -> out.add(c.get("name").asText() + " "
                + c.get("role").asText() + " " + c.get("state").asText()));
        return out.stream().sorted().toList();
    }

    static int current() {
        return new Releases(new PierHome(PierHome.DEFAULT), AppName.of(APP)).current().orElseThrow().id();
    }

    @Test
    @Order(1)
    void aWorkerOnlyAppWithFormationRunsItsScriptsAndNoWeb() throws IOException {
        Result push = push("""
                {"formation": {"web": {"quantity": 0}, "worker": {"quantity": 1}, "custom": {"quantity": 1}},
                 "scripts": {"dokku": {"predeploy": "echo predeploy ran as $DYNO",
                                       "postdeploy": "echo postdeploy ran as $DYNO"}}}
                """, WORKER, "custom: echo -n");

        assertEquals(0, push.code(), push.output());
        String out = push.output();
        assertTrue(out.contains("predeploy ran as predeploy.1"), out);
        assertTrue(out.contains("postdeploy ran as postdeploy.1"), out);
        assertTrue(out.indexOf("ran as predeploy.1") < out.indexOf("Switching Nginx")
                && out.indexOf("Switching Nginx") < out.indexOf("ran as postdeploy.1"), "predeploy before the switch, postdeploy after: " + out);
        assertTrue(out.contains("custom.1 exited 0: it has finished"), out);
        assertEquals(List.of("custom.1 live exited", "worker.1 live running"), ps(), "the worker and the finished process; no web");
        assertEquals("custom=1 worker=1", SystemHost.pier("ps:scale", APP).output().strip(),
                "the formation became the app's scale");
    }

    @Test
    @Order(2)
    void aFailingPredeployKeepsTheLiveRelease() throws IOException {
        int before = current();
        Result push = push("{\"scripts\": {\"dokku\": {\"predeploy\": \"echo cannot migrate; exit 3\"}}}", WORKER);

        assertEquals(1, push.code(), push.output());
        assertTrue(push.output().contains("cannot migrate"), push.output());
        assertTrue(push.output().contains("the app.json predeploy command exited with code 3"), push.output());
        assertEquals(before, current(), "the live release is the same");
        assertTrue(ps().contains("worker.1 live running"), ps().toString());
    }

    @Test
    @Order(3)
    void anAppThatThrowsAtStartShowsItsCauseLineThoughItsStackTraceScrolledItOut() throws IOException {
        Result push = pushTo(CRASHING, null, "web: echo 'TypeError: express.logger is not a function'; "
                + "for i in $(/bin/busybox seq 40); do echo \"    at Module._load (frame $i)\"; done; exit 1", WORKER);

        assertEquals(1, push.code(), push.output());
        assertTrue(push.output().contains("web.1 first error: TypeError: express.logger is not a function"), push.output());
        assertTrue(push.output().contains("at Module._load (frame 40)"), push.output());
        assertFalse(push.output().contains("at Module._load (frame 10)"), "the last 30 lines only: " + push.output());
        assertTrue(push.output().contains("exited with code 1 before answering HTTP; its error: TypeError: express.logger"
                + " is not a function"), push.output());
    }

    static String id(String schedule, String command) {
        return new CronEntry(CronSchedule.parse(schedule), command, false).id();
    }

    /** The events of the cron app from {@code events.log}, as "result<TAB>command" after {@code since}. */
    static List<String> cronEvents(Instant since) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(PierHome.DEFAULT.resolve("events.log"))) {
            String[] f = line.split("\t", 5);
            if (f.length == 5 && f[1].equals("cron") && f[2].equals(CRON) && !Instant.parse(f[0]).isBefore(since)) {
                out.add(f[3] + "\t" + f[4]);
            }
        }
        return out;
    }

    @Test
    @Order(4)
    void cronEntriesRunOnTheHostsScheduleUnlessSuspendedAndAnOverlappingRunIsSkipped() throws Exception {
        String everyId = id("* * * * *", EVERY);
        String heldId = id("* * * * *", HELD);
        String slowId = id("* * * * *", SLOW);
        JsonNode list = ProcessesSystemTest.json(SystemHost.pier("cron:list", CRON, "--format", "json").output());
        assertEquals(3, list.size(), list.toString());
        list.forEach(e -> assertEquals(e.get("id").asText().equals(heldId), e.get("suspended").asBoolean(), e.toString()));

        // The host's own scheduler (here cron, as the installer set it up) starts the due entries.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(75);
        while (!cronEvents(suspended).contains("started\tcron " + slowId) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
        assertTrue(cronEvents(suspended).contains("started\tcron " + everyId), cronEvents(suspended).toString());
        assertTrue(cronEvents(suspended).contains("started\tcron " + slowId), cronEvents(suspended).toString());
        Result logs = SystemHost.pier("logs", CRON, "--process", "cron", "-n", "20");
        assertTrue(logs.output().contains("app[cron." + everyId + "]: cron-every ran as cron." + everyId), logs.output());

        // A tick for a later minute while the slow run still goes: it is skipped; the quick one ended and is recorded.
        String next = java.time.LocalDateTime.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusMinutes(1).toString();
        Result tick = SystemHost.pier("cron:tick", "--at", next);
        assertEquals(0, tick.code(), tick.output());
        assertTrue(tick.output().contains(CRON + " cron " + slowId + " skipped: the previous run still runs"), tick.output());
        List<String> events = cronEvents(suspended);
        assertTrue(events.contains("skipped\tcron " + slowId + " the previous run still runs (concurrency_policy forbid)"),
                events.toString());
        assertTrue(events.stream().anyMatch(e -> e.startsWith("ok\tcron " + everyId + " exit 0 after ")), events.toString());
        assertTrue(events.stream().noneMatch(e -> e.contains(heldId)), "the suspended entry never ran: " + events);

        Result run = SystemHost.pier("cron:run", CRON, heldId);
        assertEquals(0, run.code(), run.output());
        assertTrue(run.output().contains("cron-suspended ran"), "cron:run runs a suspended entry: " + run.output());
    }
}
