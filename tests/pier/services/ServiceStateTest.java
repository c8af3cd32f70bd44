package pier.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.engine.Container;
import pier.engine.Images;
import pier.engine.Labels;
import pier.engine.Scheduler;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.ServiceName;
import pier.state.PierHome;
import pier.state.Resources;

/**
 * The services as their state directories hold them, built in a temp dir: one walk serves linking, an app's removal
 * and the minute tick, and a kind's template is read only where it is needed.
 */
class ServiceStateTest {
    private static final AppName BLOG = AppName.of("blog");
    /** A kind no template declares: its services' template is absent. */
    private static final String GONE = "gonekind";

    @TempDir
    Path dir;
    PierHome home;
    Templates templates;
    final List<Container> containers = new ArrayList<>();
    final List<Map<String, String>> queries = new ArrayList<>();
    final List<String> disconnected = new ArrayList<>();
    final List<String> progress = new ArrayList<>();

    @BeforeEach
    void setUp() {
        home = new PierHome(dir.resolve("home"));
        templates = new Templates(dir.resolve("overrides"));
    }

    @Test
    void linkedToAndForgetAgreeOnTheStateTree() throws Exception {
        service("postgres", "db", "links", "blog\nshop\n");
        service("redis", "cache", "links", "blog\n");
        service("mariadb", "wp", "links", "shop\n");
        service(GONE, "old", "links", "blog\n");
        // Links left without a password are no service's: destroy deletes the password first.
        Files.createDirectories(home.services().resolve("postgres/half"));
        Files.writeString(home.services().resolve("postgres/half/links"), "blog\n");
        breakKind("mariadb");
        container("c-db", "postgres", "db");
        container("c-cache", "redis", "cache");
        container("c-old", GONE, "old");
        Services services = services();

        assertEquals(List.of("postgres db", "redis cache"), services.linkedTo(BLOG).stream().map(Service::toString).toList());
        services.forget(BLOG);

        String network = Resources.network(BLOG);
        String overlay = Resources.swarmNetwork(BLOG);
        // Of a kind no template declares too: the link must not outlive the app. Its overlay too, wherever it ran.
        assertEquals(List.of("c-old " + network, "c-old " + overlay, "c-db " + network, "c-db " + overlay, "c-cache " + network,
                "c-cache " + overlay), disconnected);
        assertEquals(List.of(), services.linkedTo(BLOG));
        assertEquals("shop\n", Files.readString(home.services().resolve("postgres/db/links")));
        assertEquals("", Files.readString(home.services().resolve(GONE + "/old/links")));
        assertEquals("blog\n", Files.readString(home.services().resolve("postgres/half/links")));
    }

    @Test
    void aTickFindsDueSchedulesInTheFilesAndReadsAKindOnlyWhenItsBackupIsDue() throws Exception {
        breakKind("postgres");
        service("postgres", "db", ServiceBackups.SCHEDULE, "0 3 * * *\n");
        service("redis", "cache", ServiceBackups.SCHEDULE, "30 12 * * *\nkeep=2\n");
        service("redis", "sessions");
        service(GONE, "old", ServiceBackups.SCHEDULE, "0 3 * * *\n");
        List<List<String>> started = new ArrayList<>();
        ServiceBackups backups = new ServiceBackups(home, services(), scheduler(), (log, args) -> started.add(args));

        // Nothing of postgres's is due: its broken template is not read, and nothing warns of it.
        assertEquals(List.of("redis cache backup started"), backups.tick(LocalDateTime.parse("2026-12-01T12:30:41"), progress::add));
        assertEquals(List.of(List.of("redis:backup", "cache", "--keep", "2")), started);
        assertEquals(List.of(), progress);

        started.clear();
        assertEquals(List.of(), backups.tick(LocalDateTime.parse("2026-12-02T03:00"), progress::add));
        assertEquals(List.of(), started);
        assertEquals(2, progress.size(), progress.toString());
        assertTrue(progress.get(0).contains(GONE + " old: no service kind"), progress.get(0));
        assertTrue(progress.get(1).contains("postgres db: services/postgres/service.properties"), progress.get(1));
        assertEquals(List.of(), queries);
    }

    @Test
    void aKindsListAsksTheEngineOnceAndFindsWhatEachServiceWould() throws Exception {
        service("postgres", "db");
        service("postgres", "shop");
        service("postgres", "idle");
        container("c-db-old", "postgres", "db");
        container("c-db-new", "postgres", "db");
        containers.add(new Container("c-db-check", "check", Map.of(Labels.SERVICE_KIND, "postgres", Labels.SERVICE, "db",
                Labels.SERVICE_CHECK, "db.dump"), "running", "Up 1 second", Optional.empty()));
        container("c-shop", "postgres", "shop");
        // The kind's image labels every container made from it, a service's or not.
        containers.add(new Container("c-image", "other", Map.of(Labels.SERVICE_KIND, "postgres"), "running", "Up", Optional.empty()));
        Services services = services();

        List<Services.Info> listed = services.list("postgres");

        assertEquals(List.of(Map.of(Labels.SERVICE_KIND, "postgres")), queries);
        assertEquals(List.of("db c-db-new", "idle -", "shop c-shop"),
                listed.stream().map(i -> i.service().name() + " " + i.container()).toList());
        for (Services.Info info : listed) {
            assertEquals(services.info(info.service()), info);
        }
    }

    private Services services() {
        Images images = (Images) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Images.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        return new Services(home, templates, scheduler(), images);
    }

    /** The engine as far as the walk asks it: containers by label, and taking one off a network. */
    @SuppressWarnings("unchecked")
    private Scheduler scheduler() {
        return (Scheduler) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Scheduler.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "containers" -> {
                        Map<String, String> labels = (Map<String, String>) args[0];
                        queries.add(labels);
                        yield containers.stream().filter(c -> c.labels().entrySet().containsAll(labels.entrySet())).toList();
                    }
                    case "disconnect" -> {
                        disconnected.add(args[0] + " " + args[1]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A service's state directory with its password and, in pairs, its other files and their text. */
    private void service(String kind, String name, String... files) throws Exception {
        Path state = Files.createDirectories(home.services().resolve(kind).resolve(name));
        Files.writeString(state.resolve(ServiceState.PASSWORD), "pw\n");
        for (int i = 0; i < files.length; i += 2) {
            Files.writeString(state.resolve(files[i]), files[i + 1]);
        }
    }

    private void container(String id, String kind, String name) {
        containers.add(new Container(id, id, Service.labels(kind, ServiceName.of(name)), "running", "Up " + id, Optional.empty()));
    }

    /** An admin's copy of the kind's template that no longer loads. */
    private void breakKind(String kind) throws Exception {
        Path template = Files.createDirectories(dir.resolve("overrides/services").resolve(kind));
        Files.writeString(template.resolve("service.properties"), "port=5432\n");
    }
}
