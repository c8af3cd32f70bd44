package pier.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Container;
import pier.engine.ContainerSpec;
import pier.engine.ContainerState;
import pier.engine.Images;
import pier.engine.Scheduler;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.ServiceName;
import pier.state.PierHome;

/**
 * Which networks a service's container is on, on an engine in memory: the bridge of each linked app, and the overlay
 * of each linked app on the swarm, as the service's host name; through a link, an unlink, an app's removal, a move of
 * the app to the swarm and back, and a container made again.
 */
class ServiceNetworksTest {
    private static final AppName BLOG = AppName.of("blog");
    private static final AppName SHOP = AppName.of("shop");
    private static final Placement SWARM = Placement.LOCAL.withScheduler(Placement.SWARM);
    private static final String ALIAS = "postgres-db";

    @TempDir
    Path dir;
    PierHome home;
    Templates templates;
    /** What the engine was asked, in order: "connect ID NETWORK ALIAS", "overlay ...", "disconnect ID NETWORK", ... */
    final List<String> asked = new ArrayList<>();
    /** Which container is on which network as what: "ID NETWORK ALIAS". */
    final Set<String> joined = new TreeSet<>();
    final List<Container> containers = new ArrayList<>();
    final List<String> shown = new ArrayList<>();
    final Progress progress = shown::add;

    @BeforeEach
    void setUp() throws Exception {
        home = new PierHome(dir.resolve("home"));
        templates = new Templates(dir.resolve("overrides"));
        new Apps(home).create(BLOG);
        new Apps(home).create(SHOP);
        Path state = Files.createDirectories(home.services().resolve("postgres/db"));
        Files.writeString(state.resolve(ServiceState.PASSWORD), "pw\n");
    }

    @Test
    void aLinkToAnAppOnTheSwarmJoinsItsOverlayAndItsBridgeAsTheServicesHostName() {
        SWARM.write(home, BLOG);
        container("c1", "running");

        assertTrue(services().link(db(), BLOG, () -> asked.add("restart blog")));

        assertEquals(List.of("connect c1 pier-blog " + ALIAS, "overlay c1 pier-blog-swarm " + ALIAS, "restart blog"), asked,
                "joined before the app restarts with the env");
        assertEquals(Set.of("c1 pier-blog " + ALIAS, "c1 pier-blog-swarm " + ALIAS), joined);
    }

    @Test
    void aLinkToAnAppOnThisHostJoinsItsBridgeAlone() {
        container("c1", "running");

        services().link(db(), BLOG, () -> asked.add("restart blog"));

        assertEquals(List.of("connect c1 pier-blog " + ALIAS, "restart blog"), asked);
    }

    @Test
    void aLinkWhoseRestartFailsLeavesBothNetworksAndIsNotRecorded() {
        SWARM.write(home, BLOG);
        container("c1", "running");

        assertThrows(PierException.class, () -> services().link(db(), BLOG, () -> {
            throw PierException.failed("the health check failed");
        }));

        assertEquals(Set.of(), joined);
        assertEquals(List.of(), services().links(db()));
    }

    @Test
    void movingAnAppToTheSwarmJoinsItsServicesToTheOverlayBeforeItRestartsAndAFailedMoveTakesThemOff() {
        container("c1", "running");
        services().link(db(), BLOG, () -> {
        });
        asked.clear();

        // What scheduler:set runs before it restarts the app on the placement it wrote.
        Runnable undo = networks().place(BLOG, Placement.LOCAL, SWARM, progress);

        assertEquals(SWARM, Placement.read(home, BLOG));
        assertEquals(Set.of("c1 pier-blog " + ALIAS, "c1 pier-blog-swarm " + ALIAS), joined);
        assertTrue(shown.contains("       postgres db joined pier-blog-swarm as " + ALIAS), shown.toString());

        undo.run();

        assertEquals(Placement.LOCAL, Placement.read(home, BLOG));
        assertEquals(Set.of("c1 pier-blog " + ALIAS), joined, "on the bridge still: the app runs here");
    }

    @Test
    void movingBackLeavesTheOverlayOnlyOnceTheAppRunsHere() {
        SWARM.write(home, BLOG);
        container("c1", "running");
        services().link(db(), BLOG, () -> {
        });

        networks().place(BLOG, SWARM, Placement.LOCAL, progress);
        assertEquals(Set.of("c1 pier-blog " + ALIAS, "c1 pier-blog-swarm " + ALIAS), joined, "its tasks serve until the restart here");

        // What scheduler:set runs once the app runs here, before the overlay is removed.
        assertEquals(List.of(), networks().follow(BLOG));
        assertEquals(Set.of("c1 pier-blog " + ALIAS), joined);
    }

    @Test
    void unlinkAndAnAppsRemovalTakeTheServiceOffBridgeAndOverlay() {
        SWARM.write(home, BLOG);
        SWARM.write(home, SHOP);
        container("c1", "running");
        services().link(db(), BLOG, () -> {
        });
        services().link(db(), SHOP, () -> {
        });

        assertTrue(services().unlink(db(), BLOG, () -> {
        }));
        assertEquals(Set.of("c1 pier-shop " + ALIAS, "c1 pier-shop-swarm " + ALIAS), joined);

        // Placed here meanwhile: its overlay is left all the same, and a network it is not on is fine.
        Placement.LOCAL.write(home, SHOP);
        services().forget(SHOP);
        assertEquals(Set.of(), joined);
        assertEquals(List.of(), services().links(db()));
    }

    @Test
    void aContainerMadeAgainRejoinsTheBridgeOfEveryLinkedAppAndTheOverlayOfThoseOnTheSwarm() {
        SWARM.write(home, BLOG);
        container("c1", "running");
        services().link(db(), BLOG, () -> {
        });
        services().link(db(), SHOP, () -> {
        });
        containers.clear();
        joined.clear();

        services().restart(db(), progress);

        assertEquals(Set.of("new pier-blog " + ALIAS, "new pier-blog-swarm " + ALIAS, "new pier-shop " + ALIAS), joined);
        assertTrue(shown.contains("       joined pier-blog-swarm as " + ALIAS), shown.toString());
    }

    @Test
    void aServiceStoppedMeanwhileIsStartedAgainAndRejoinsWhatItLost() {
        SWARM.write(home, BLOG);
        container("c1", "running");
        services().link(db(), BLOG, () -> {
        });
        // dockerd restarted and the container could not come back on the overlay (moby/moby#32607).
        containers.set(0, new Container("c1", "c1", db().labels(), "exited", "Exited (128)", Optional.empty()));
        joined.remove("c1 pier-blog-swarm " + ALIAS);

        assertEquals(List.of("started postgres db again (it was exited)", "postgres db joined pier-blog-swarm as " + ALIAS),
                networks().follow(BLOG));
        assertEquals(List.of(), networks().follow(BLOG), "nothing left to do");
    }

    private Service db() {
        return services().service("postgres", ServiceName.of("db"));
    }

    private Services services() {
        Images images = (Images) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Images.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "imageExists" -> true;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new Services(home, templates, scheduler(), images);
    }

    private ServiceNetworks networks() {
        return new ServiceNetworks(home, scheduler());
    }

    /** The engine as far as a service's networks ask it. */
    @SuppressWarnings("unchecked")
    private Scheduler scheduler() {
        return (Scheduler) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Scheduler.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "containers" -> {
                        Map<String, String> labels = (Map<String, String>) args[0];
                        yield containers.stream().filter(c -> c.labels().entrySet().containsAll(labels.entrySet())).toList();
                    }
                    case "connect", "connectOverlay" -> {
                        asked.add((method.getName().equals("connect") ? "connect " : "overlay ") + args[0] + " " + args[1] + " " + args[3]);
                        yield joined.add(args[0] + " " + args[1] + " " + args[3]);
                    }
                    case "disconnect" -> {
                        asked.add("disconnect " + args[0] + " " + args[1]);
                        joined.removeIf(j -> j.startsWith(args[0] + " " + args[1] + " "));
                        yield null;
                    }
                    case "start" -> {
                        container("new", "running");
                        asked.add("start " + ((ContainerSpec) args[0]).name());
                        yield "new";
                    }
                    case "resume" -> {
                        containers.replaceAll(c -> c.id().equals(args[0])
                                ? new Container(c.id(), c.name(), c.labels(), "running", "Up", Optional.empty()) : c);
                        yield null;
                    }
                    case "keepRunning", "stop" -> null;
                    case "state" -> new ContainerState(true, false, 0, false, 0, "");
                    case "exec" -> new Scheduler.ExecResult(0, "");
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private void container(String id, String state) {
        containers.add(new Container(id, id, db().labels(), state, state, Optional.empty()));
    }
}
