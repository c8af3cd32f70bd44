package pier.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pier.base.PierException;
import pier.names.ProcessType;

class AppJsonTest {
    private final List<String> notes = new ArrayList<>();

    private AppJson parse(String json) {
        return AppJson.parse(json, notes::add);
    }

    private String refused(String json) {
        return assertThrows(PierException.class, () -> parse(json)).getMessage();
    }

    @Test
    void formationGivesEachTypesQuantity() {
        AppJson a = parse("{\"formation\": {\"web\": {\"quantity\": 0}, \"worker\": {\"quantity\": 2, \"max_parallel\": 1}}}");
        assertEquals(Map.of(ProcessType.WEB, 0, ProcessType.of("worker"), 2), a.formation());
    }

    @Test
    void aFileWithoutFormationOrScriptsDeclaresNothing() {
        assertEquals(AppJson.NONE, parse("{\"name\": \"blog\", \"healthchecks\": {}}"));
    }

    @Test
    void aBadQuantityIsRefusedByName() {
        assertTrue(refused("{\"formation\": {\"worker\": {\"quantity\": -1}}}").contains("formation.worker.quantity"));
        assertTrue(refused("{\"formation\": {\"worker\": {\"quantity\": \"2\"}}}").contains("whole number from 0 to 50"));
        assertTrue(refused("{\"formation\": {\"worker\": {\"quantity\": 51}}}").contains("from 0 to 50"));
        assertTrue(refused("{\"formation\": {\"worker\": 1}}").contains("formation.worker.quantity"));
        assertTrue(refused("{\"formation\": [1]}").contains("formation must be an object"));
    }

    @Test
    void theReleaseTypeAndBadTypeNamesAreRefused() {
        assertTrue(refused("{\"formation\": {\"release\": {\"quantity\": 1}}}").contains("formation.release"));
        assertTrue(refused("{\"formation\": {\"../etc\": {\"quantity\": 1}}}").startsWith("app.json: formation:"));
    }

    @Test
    void dokkusDeployScriptsAreReadAndOthersAreNoted() {
        AppJson a = parse("{\"scripts\": {\"dokku\": {\"predeploy\": \" rake db:migrate \", \"postdeploy\": \"curl x\","
                + " \"prebuild\": \"x\"}, \"postdeploy\": \"heroku's\"}}");
        assertEquals(new AppJson.DeployScripts("rake db:migrate", "curl x"), a.scripts());
        assertEquals(2, notes.size(), notes.toString());
    }

    @Test
    void aScriptThatIsNotOneCommandLineIsRefused() {
        assertTrue(refused("{\"scripts\": {\"dokku\": {\"predeploy\": [\"a\"]}}}").contains("scripts.dokku.predeploy"));
        assertTrue(refused("{\"scripts\": {\"dokku\": {\"predeploy\": \"a\\nb\"}}}").contains("one command line"));
        assertTrue(refused("{\"scripts\": {\"dokku\": {\"postdeploy\": \"  \"}}}").contains("scripts.dokku.postdeploy"));
    }

    @Test
    void cronEntriesAreReadWithAStableIdAndForbidOverlapByDefault() {
        AppJson a = parse("{\"cron\": [{\"command\": \"./cleanup\", \"schedule\": \"@daily\"},"
                + " {\"command\": \"./report\", \"schedule\": \"*/5 * * * *\", \"concurrency_policy\": \"allow\"}]}");
        assertEquals(2, a.cron().size());
        assertEquals(false, a.cron().get(0).overlap());
        assertEquals(true, a.cron().get(1).overlap());
        assertTrue(a.cron().get(0).id().matches("[0-9a-f]{8}"), a.cron().get(0).id());
        assertEquals(a.cron().get(0).id(), parse("{\"cron\": [{\"schedule\": \"@daily\", \"command\": \"./cleanup\"}]}")
                .cron().get(0).id(), "the same entry keeps its id in another push");
    }

    @Test
    void aBadCronEntryIsRefusedByItsIndex() {
        assertTrue(refused("{\"cron\": [{\"command\": \"x\", \"schedule\": \"61 * * * *\"}]}").startsWith("app.json: cron[0]: the schedule"));
        assertTrue(refused("{\"cron\": [{\"command\": \"x\"}]}").contains("needs a command and a schedule"));
        assertTrue(refused("{\"cron\": [{\"command\": \"x\", \"schedule\": \"@daily\", \"concurrency_policy\": \"replace\"}]}")
                .contains("concurrency_policy"));
        assertTrue(refused("{\"cron\": [{\"command\": \"x\", \"schedule\": \"@daily\"}, {\"command\": \"x\", \"schedule\": \"@daily\"}]}")
                .contains("cron[1] repeats"));
        assertTrue(refused("{\"cron\": {}}").contains("cron must be a list"));
    }

    @Test
    void notJsonOrNotAnObjectIsOneError() {
        assertTrue(refused("{formation").startsWith("app.json is not valid JSON"));
        assertTrue(refused("[]").startsWith("app.json must hold one JSON object"));
    }
}
