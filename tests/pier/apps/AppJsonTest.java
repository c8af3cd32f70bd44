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
    void notJsonOrNotAnObjectIsOneError() {
        assertTrue(refused("{formation").startsWith("app.json is not valid JSON"));
        assertTrue(refused("[]").startsWith("app.json must hold one JSON object"));
    }
}
