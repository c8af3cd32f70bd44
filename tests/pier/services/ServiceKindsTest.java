package pier.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.engine.Templates;
import pier.names.ServiceName;

class ServiceKindsTest {
    @TempDir
    Path overrides;

    @Test
    void pierShipsPostgresMariadbAndRedisAndAnAdminAddsKindsBesideThem() throws Exception {
        Templates templates = new Templates(overrides);
        assertEquals(List.of("mariadb", "postgres", "redis"), ServiceKinds.names(templates, overrides.resolve("services")));
        Path memcached = Files.createDirectories(overrides.resolve("services/memcached"));
        Files.writeString(memcached.resolve("service.properties"), "port=11211\ndata=/data\nlink.env=MEMCACHED_URL\n"
                + "link.url=memcached://${host}:${port}\nready=true\nexport=true\nimport=true\nfigures=true\nconnect=true\n");
        Files.createDirectories(overrides.resolve("services/Not-A-Kind"));
        assertEquals(List.of("mariadb", "memcached", "postgres", "redis"), ServiceKinds.names(templates, overrides.resolve("services")));
        assertEquals("MEMCACHED_URL=memcached://memcached-sessions:11211",
                entry(new Service(ServiceKind.load(templates, "memcached"), ServiceName.of("sessions"))));
    }

    @Test
    void eachShippedKindLoadsAndLinksWithTheVariablesItsAppsRead() {
        Templates templates = new Templates(overrides);
        Service db = new Service(ServiceKind.load(templates, "postgres"), ServiceName.of("shop-db"));
        assertEquals("DATABASE_URL=postgres://shop_db:pw@postgres-shop-db:5432/shop_db", entry(db));
        Service maria = new Service(ServiceKind.load(templates, "mariadb"), ServiceName.of("wp"));
        Map<String, String> env = maria.kind().linkEnv(maria.values("pw"));
        assertEquals("mysql://wp:pw@mariadb-wp:3306/wp", env.get("DATABASE_URL"));
        assertEquals(Map.of("DATABASE_URL", "mysql://wp:pw@mariadb-wp:3306/wp", "DB_HOST", "mariadb-wp", "DB_PORT", "3306",
                "DB_NAME", "wp", "DB_USER", "wp", "DB_PASSWORD", "pw"), env);
        assertEquals(List.of("DATABASE_URL", "DB_HOST", "DB_NAME", "DB_PASSWORD", "DB_PORT", "DB_USER"), List.copyOf(maria.kind().linkKeys()));
        Service cache = new Service(ServiceKind.load(templates, "redis"), ServiceName.of("cache"));
        assertEquals("REDIS_URL=redis://:pw@redis-cache:6379/0", entry(cache));
        assertEquals(List.of("REDISCLI_AUTH=pw"), cache.kind().containerEnv(cache.values("pw"), false));
        assertEquals(List.of("POSTGRES_PASSWORD=pw"), db.kind().containerEnv(db.values("pw"), true));
        assertEquals(List.of(), db.kind().containerEnv(db.values("pw"), false));
        assertTrue(cache.kind().imageCommand().contains("--requirepass"), cache.kind().imageCommand());
        assertEquals("pier_redis_cache", cache.dockerName());
    }

    @Test
    void aKindThatIsMissingOrWrongIsRefusedNamingWhat() throws Exception {
        Templates templates = new Templates(overrides);
        assertTrue(assertThrows(PierException.class, () -> ServiceKind.load(templates, "mongodb")).getMessage()
                .contains("pier has mariadb, postgres, redis"));
        assertThrows(PierException.class, () -> ServiceKind.load(templates, "../etc"));
        Path bad = Files.createDirectories(overrides.resolve("services/bad"));
        Files.writeString(bad.resolve("service.properties"), "port=99999\ndata=/data\nlink.env=X_URL\nlink.url=x\n");
        assertTrue(assertThrows(PierException.class, () -> ServiceKind.load(templates, "bad")).getMessage().contains("port"));
        Path lower = Files.createDirectories(overrides.resolve("services/lower"));
        Files.writeString(lower.resolve("service.properties"), "port=1\ndata=/data\nlink.env=lower\nlink.url=x\n");
        assertTrue(assertThrows(PierException.class, () -> ServiceKind.load(templates, "lower")).getMessage().contains("link.env"));
    }

    @Test
    void aRestoredBackupMustMatchTheServiceTableForTable() {
        assertEquals(Optional.empty(), ServiceBackups.compare(List.of("public.t 3"), List.of("public.t 3"), List.of("public.t 3")));
        assertEquals(Optional.of("the restored public.t has 2 where the service has 3"),
                ServiceBackups.compare(List.of("public.t 3"), List.of("public.t 3"), List.of("public.t 2")));
        assertTrue(ServiceBackups.compare(List.of("public.t 3", "public.u 1"), List.of("public.t 3", "public.u 1"),
                List.of("public.t 3")).orElseThrow().contains("lacks public.u"));
        // Written to during the dump: any count between before and after is what a consistent dump may hold.
        assertEquals(Optional.empty(), ServiceBackups.compare(List.of("public.t 3"), List.of("public.t 9"), List.of("public.t 5")));
        assertFalse(ServiceBackups.compare(List.of("public.t 3"), List.of("public.t 9"), List.of("public.t 10")).isEmpty());
        assertFalse(ServiceBackups.compare(List.of("public.t 3"), List.of("public.t 3"), List.of()).isEmpty());
        // Redis's INFO line as it is, with no count of its own: refused, never compared as a name.
        assertThrows(PierException.class, () -> ServiceBackups.compare(List.of("db0:keys=3,expires=1,avg_ttl=9"),
                List.of("db0:keys=3,expires=1,avg_ttl=9"), List.of("db0:keys=3,expires=1,avg_ttl=8")));
    }

    private static String entry(Service service) {
        return service.kind().linkEnv(service.values("pw")).entrySet().iterator().next().toString();
    }
}
