package pier.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import pier.apps.Apps;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.build.Buildpacks;
import pier.engine.Container;
import pier.engine.ContainerSpec;
import pier.engine.ContainerState;
import pier.engine.Images;
import pier.engine.Labels;
import pier.engine.Scheduler;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.ServiceName;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Settings;

/**
 * The services of every kind: creating one (its image built from the kind's Dockerfile on the base image, once per
 * Dockerfile), its container and volume, the apps it is linked to, and the commands its kind gives (ready, setup,
 * export, import, figures, connect) run in its container. A service container publishes no port: it is on a network
 * of its own and joins the networks of each app it is linked to ({@link ServiceNetworks}), so no other app reaches it.
 */
public final class Services {
    /** Each service container's limits: generous for a small database, and never all of the host. */
    static final Resources.Limits LIMITS = new Resources.Limits(1L << 30, 0, 1024);
    static final Duration READY = Duration.ofSeconds(120);
    static final Duration BUILD = Duration.ofMinutes(20);
    static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final PierHome home;
    private final Templates templates;
    private final Scheduler scheduler;
    private final Images images;
    private final ServiceNetworks networks;

    public Services(PierHome home, Templates templates, Scheduler scheduler, Images images) {
        this.home = home;
        this.templates = templates;
        this.scheduler = scheduler;
        this.images = images;
        this.networks = new ServiceNetworks(home, scheduler);
    }

    public List<String> kinds() {
        return ServiceKinds.names(templates);
    }

    /** The service {@code name} of {@code kind}, whether it exists or not (the kind must). */
    public Service service(String kind, ServiceName name) {
        return new Service(ServiceKinds.kind(templates, kind), name);
    }

    public boolean exists(Service service) {
        return service.state(home).exists();
    }

    /** The service, which must exist. */
    public Service require(String kind, ServiceName name) {
        Service service = service(kind, name);
        if (!exists(service)) {
            throw PierException.failed("no " + kind + " service " + name + ": pier " + kind + ":list shows them");
        }
        return service;
    }

    /** What {@code KIND:list} shows: every service of {@code kind}, their containers from one question to the engine. */
    public List<Info> list(String kind) {
        ServiceKind checked = ServiceKinds.kind(templates, kind);
        Map<String, Container> containers = containersByName(checked.name());
        return ServiceState.of(home, checked.name()).stream().map(state -> new Service(checked, state.name()))
                .map(service -> info(service, Optional.ofNullable(containers.get(service.name().value())))).toList();
    }

    /** Each service's container as {@link #container} finds it, by the service's name. */
    private Map<String, Container> containersByName(String kind) {
        // Oldest first, so each name keeps its newest.
        return containers(Map.of(Labels.SERVICE_KIND, kind)).stream().filter(c -> c.labels().containsKey(Labels.SERVICE))
                .collect(Collectors.toMap(c -> c.labels().get(Labels.SERVICE), c -> c, (older, newer) -> newer));
    }

    /** Builds the kind's image if needed, then starts the service with a new password and a new volume. */
    public void create(Service service, Progress progress) {
        try (Lock ignored = lock(service)) {
            if (exists(service)) {
                throw PierException.failed(service + " exists already: pier " + service.kind().name() + ":info " + service.name());
            }
            progress.step("Creating " + service.kind().title() + " service " + service.name());
            if (scheduler.volumeExists(service.dockerName())) {
                // Data pier no longer records (a destroy that was cut short, say): never taken over, never deleted here.
                throw PierException.failed("the Docker volume " + service.dockerName() + " exists already, with data no service"
                        + " of pier's owns; look at it, then remove it (docker volume rm " + service.dockerName() + ") or pick another name");
            }
            String image = image(service, progress);
            String password = password();
            boolean volumeMade = false;
            try {
                AtomicFile.write(service.dir(home).resolve(ServiceState.PASSWORD), password + "\n", "rw-------");
                scheduler.createVolume(service.dockerName(), service.labels());
                volumeMade = true;
                String id = start(service, image, service.dockerName(), service.dockerName(), service.labels());
                awaitReady(service, id, progress);
                setUp(service, id);
            } catch (RuntimeException e) {
                container(service).ifPresent(c -> scheduler.remove(c.id()));
                if (volumeMade) {
                    scheduler.removeVolume(service.dockerName());
                }
                scheduler.removeNetwork(service.dockerName());
                deleteState(service);
                throw e;
            }
            progress.detail(service.kind().title() + " " + service.name() + " runs; link it to an app with pier "
                    + service.kind().name() + ":link " + service.name() + " APP");
        }
    }

    /** What {@code KIND:info} shows. */
    public record Info(Service service, String status, String container, String volume, List<AppName> links,
                       Map<String, String> linkEnv) {
    }

    public Info info(Service service) {
        return info(service, container(service));
    }

    private Info info(Service service, Optional<Container> container) {
        Map<String, String> env = service.kind().linkEnv(service.values("********"));
        return new Info(service, container.map(Container::status).orElse("missing (pier " + service.kind().name()
                + ":restart " + service.name() + " makes it again)"), container.map(Container::shortId).orElse("-"),
                service.dockerName(), links(service), env);
    }

    /** Removes the container, its data and its state; refused while an app is linked to it. */
    public void destroy(Service service, Progress progress) {
        try (Lock ignored = lock(service)) {
            List<AppName> linked = links(service);
            if (!linked.isEmpty()) {
                throw PierException.failed(service + " is linked to " + String.join(", ", linked.stream().map(AppName::value).toList())
                        + ": unlink it first (pier " + service.kind().name() + ":unlink " + service.name() + " " + linked.get(0) + ")");
            }
            progress.step("Destroying " + service.kind().title() + " service " + service.name() + " and its data");
            container(service).ifPresent(c -> scheduler.stopAndRemove(c.id(), STOP_GRACE));
            scheduler.removeVolume(service.dockerName());
            scheduler.removeNetwork(service.dockerName());
            deleteState(service);
        }
    }

    /** Stops and starts the service (made again from its kind's image if its container is gone) and waits until it answers. */
    public void restart(Service service, Progress progress) {
        try (Lock ignored = lock(service)) {
            progress.step("Restarting " + service.kind().title() + " service " + service.name());
            String id = running(service, progress, true);
            awaitReady(service, id, progress);
        }
    }

    public void logs(Service service, int tail, boolean follow, Consumer<Scheduler.LogLine> line) {
        Container container = container(service).orElseThrow(() -> missing(service));
        scheduler.logs(container.id(), tail, follow, line);
    }

    /** The env a link sets in an app, with the real password. */
    public Map<String, String> linkEnv(Service service) {
        return service.kind().linkEnv(service.values(password(service)));
    }

    public List<AppName> links(Service service) {
        return service.state(home).links();
    }

    /**
     * Every service linked to {@code app}. Only their kinds' templates are read, so a broken kind of other services
     * blocks nothing here; a kind an admin removed is left out, as it has no commands left to unlink with.
     */
    public List<Service> linkedTo(AppName app) {
        List<String> kinds = kinds();
        return ServiceState.all(home).stream().filter(state -> kinds.contains(state.kind()) && state.links().contains(app))
                .map(state -> service(state.kind(), state.name())).toList();
    }

    /**
     * Records the link and joins the service to {@code app}'s networks (its overlay too when it runs on the swarm);
     * {@code restart} then sets the app's env (and restarts it). A failed restart takes the service off the app's
     * networks again. False when linked already.
     */
    public boolean link(Service service, AppName app, Runnable restart) {
        new Apps(home).require(app);
        try (Lock ignored = lock(service)) {
            List<AppName> linked = links(service);
            if (linked.contains(app)) {
                return false;
            }
            for (Service other : linkedTo(app)) {
                for (String key : service.kind().linkKeys()) {
                    if (other.kind().linkKeys().contains(key)) {
                        throw PierException.failed(app + " has " + key + " from " + other + " already: unlink it first (pier "
                                + other.kind().name() + ":unlink " + other.name() + " " + app + ")");
                    }
                }
            }
            Container container = container(service).filter(Container::running).orElseThrow(() -> missing(service));
            // Recorded before the joins read the app's placement: a scheduler:set meanwhile writes the placement before it
            // reads the links, so one of the two puts the service on the overlay (ServiceNetworks.place).
            writeLinks(service, add(linked, app));
            try {
                networks.join(container.id(), service.host(), List.of(app));
                restart.run();
            } catch (RuntimeException e) {
                writeLinks(service, linked);
                networks.leave(container.id(), app);
                throw e;
            }
            return true;
        }
    }

    /** Unsets the app's env through {@code restart}, then takes the service off the app's networks. False when not linked. */
    public boolean unlink(Service service, AppName app, Runnable restart) {
        try (Lock ignored = lock(service)) {
            List<AppName> linked = links(service);
            if (!linked.contains(app)) {
                return false;
            }
            restart.run();
            List<AppName> rest = new ArrayList<>(linked);
            rest.remove(app);
            writeLinks(service, rest);
            container(service).ifPresent(c -> networks.leave(c.id(), app));
            return true;
        }
    }

    /**
     * Drops every link to {@code app}, which is being destroyed: nothing of it is left to restart. Read from the
     * state directories alone, so a kind whose template an admin broke does not stop an app's removal.
     */
    public void forget(AppName app) {
        for (ServiceState state : ServiceState.all(home)) {
            // Never linked: nothing to change, so no wait on a long backup holding its lock.
            if (Files.exists(state.dir().resolve(ServiceState.LINKS))) {
                forget(state, app);
            }
        }
    }

    private void forget(ServiceState state, AppName app) {
        try (Lock ignored = state.lock()) {
            List<AppName> linked = state.links();
            if (linked.contains(app)) {
                containers(state.labels()).forEach(c -> networks.leave(c.id(), app));
                state.writeLinks(linked.stream().filter(a -> !a.equals(app)).toList());
            }
        }
    }

    /** The kind's client in the service's container, joined to our streams; its exit code. */
    public int connect(Service service, boolean tty, int @Nullable [] size, InputStream in, OutputStream out, OutputStream err) {
        return run(service, service.kind().connect(), tty, size, in, out, err);
    }

    /** Writes a dump of the service to {@code out}, and nothing else; its diagnostics go to {@code err}. */
    public void export(Service service, OutputStream out, OutputStream err) {
        int code = run(service, service.kind().export(), false, null, InputStream.nullInputStream(), out, err);
        if (code != 0) {
            throw PierException.failed("the export of " + service + " failed (exit " + code + ")");
        }
    }

    /** Loads a dump from {@code in} into the service, and waits until it answers again. */
    public void importDump(Service service, InputStream in, OutputStream err, Progress progress) {
        try (Lock ignored = lock(service)) {
            Container container = container(service).filter(Container::running).orElseThrow(() -> missing(service));
            importInto(service, container.id(), in, err, progress);
        }
    }

    void importInto(Service service, String id, InputStream in, OutputStream err, Progress progress) {
        int code = scheduler.execAttached(id, List.of("/bin/sh", "-c", service.kind().importCommand()), false, null, in,
                OutputStream.nullOutputStream(), err);
        if (code != 0) {
            throw PierException.failed("the import into " + service + " failed (exit " + code + ")");
        }
        if (!service.kind().importRestart().isEmpty()) {
            int before = scheduler.state(id).restartCount();
            // The command ends the server, and with it this exec: its exit code says nothing.
            scheduler.exec(id, List.of("/bin/sh", "-c", service.kind().importRestart()), Duration.ofSeconds(30));
            awaitRestarted(id, before);
            awaitReady(service, id, progress);
        }
    }

    /** The kind's figures of the service: one "NAME COUNT" line each, sorted. */
    List<String> figures(Service service, String id) {
        Scheduler.ExecResult result = scheduler.exec(id, List.of("/bin/sh", "-c", service.kind().figures()), Duration.ofMinutes(10));
        if (result.exitCode() != 0) {
            throw PierException.failed("cannot count what " + service + " holds: " + Shown.firstLine(result.output()));
        }
        return result.output().lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
    }

    Optional<Container> container(Service service) {
        return newest(scheduler, service.labels());
    }

    /** The newest of the services' containers carrying {@code labels}: a service's own. */
    static Optional<Container> newest(Scheduler scheduler, Map<String, String> labels) {
        return containers(scheduler, labels).stream().reduce((first, second) -> second);
    }

    private List<Container> containers(Map<String, String> labels) {
        return containers(scheduler, labels);
    }

    /** The services' containers carrying {@code labels}, oldest first; never a backup's throwaway check. */
    private static List<Container> containers(Scheduler scheduler, Map<String, String> labels) {
        return scheduler.containers(labels).stream().filter(c -> !c.labels().containsKey(Labels.SERVICE_CHECK)).toList();
    }

    /**
     * The service's running container: started again when stopped, made again when gone (its volume keeps the data),
     * and on the networks of every app linked to it.
     */
    String running(Service service, Progress progress, boolean restart) {
        Optional<Container> container = container(service);
        String id;
        if (container.isPresent()) {
            id = container.get().id();
            if (restart) {
                scheduler.stop(id, STOP_GRACE);
            }
            scheduler.resume(id);
        } else {
            progress.detail("its container is gone: making it again from " + service.kind().name() + "'s image, on its volume");
            id = start(service, image(service, progress), service.dockerName(), service.dockerName(), service.labels());
        }
        // One made again is on its own network alone; one kept may have lost a join (an overlay's, to a restart of dockerd).
        networks.join(id, service.host(), links(service)).forEach(network -> progress.detail("joined " + network + " as "
                + service.host()));
        return id;
    }

    /** Starts a container of the service's image on {@code volume}, with its password; the engine keeps it running. */
    String start(Service service, String image, String containerName, String volume, Map<String, String> labels) {
        String password = password(service);
        List<String> env = new ArrayList<>(List.of(Service.USER_ENV + "=" + service.database(),
                Service.PASSWORD_ENV + "=" + password, Service.DATABASE_ENV + "=" + service.database()));
        boolean admins = adminImage(service.kind().name()).filter(image::equals).isPresent();
        env.addAll(service.kind().containerEnv(service.values(password), admins));
        List<String> command = admins && !service.kind().imageCommand().isEmpty()
                ? List.of("/bin/sh", "-c", service.kind().imageCommand()) : null;
        ContainerSpec spec = new ContainerSpec(containerName, image, env, labels, 0, service.kind().port(),
                List.of(new ContainerSpec.Mount(volume, service.kind().data().value())), command,
                new Resources.Confinement(service.dockerName(), LIMITS, "10m", 3));
        String id = scheduler.start(spec);
        scheduler.keepRunning(id);
        return id;
    }

    /** Waits until the kind's ready command succeeds in the container; fails with its last lines if it stops. */
    void awaitReady(Service service, String id, Progress progress) {
        long deadline = System.nanoTime() + READY.toNanos();
        progress.detail("waiting for " + service + " to answer");
        while (true) {
            ContainerState state = scheduler.state(id);
            if (!state.running() && !state.restarting()) {
                throw PierException.failed(service + " stopped (exit " + state.exitCode() + "): "
                        + String.join(" | ", scheduler.tail(id, 5)));
            }
            if (state.running() && scheduler.exec(id, List.of("/bin/sh", "-c", service.kind().ready()), Duration.ofSeconds(10)).exitCode() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw PierException.failed(service + " did not answer within " + READY.toSeconds() + " s: "
                        + String.join(" | ", scheduler.tail(id, 5)));
            }
            sleep(500);
        }
    }

    /** Waits for the engine to have started the container again since it had {@code before} restarts. */
    private void awaitRestarted(String id, int before) {
        long deadline = System.nanoTime() + READY.toNanos();
        while (scheduler.state(id).restartCount() == before && System.nanoTime() < deadline) {
            sleep(200);
        }
    }

    void setUp(Service service, String id) {
        Scheduler.ExecResult setup = scheduler.exec(id, List.of("/bin/sh", "-c", service.kind().setup()), Duration.ofMinutes(2));
        if (setup.exitCode() != 0) {
            throw PierException.failed("setting up " + service + " failed: " + Shown.firstLine(setup.output()));
        }
    }

    /** The settings key of the image an admin runs a kind's services from instead of pier's build of it. */
    static String imageKey(String kind) {
        return "services." + kind + ".image";
    }

    /** The image an admin set for {@code kind} ({@code KIND:image}), if any. */
    public Optional<String> adminImage(String kind) {
        return new Settings(home).get(imageKey(ServiceKinds.kind(templates, kind).name())).map(String::strip).filter(s -> !s.isEmpty());
    }

    /**
     * Runs new services of {@code kind} (and any made again) from {@code image}, which must be on this host already
     * (pier pulls nothing); null: back to pier's build from the kind's Dockerfile. Running services keep theirs.
     */
    public void adminImage(String kind, @Nullable String image) {
        ServiceKind checked = ServiceKinds.kind(templates, kind);
        String tag = image == null ? null : Buildpacks.checkImage(image);
        if (tag != null && !images.imageExists(tag)) {
            throw PierException.failed("the image " + tag + " is not on this host: pull it first (docker pull " + tag
                    + "); pier pulls nothing itself");
        }
        try (Lock ignored = Lock.global(home, "settings")) {
            new Settings(home).set(imageKey(checked.name()), tag);
        }
    }

    /** The kind's image: the admin's ({@code KIND:image}), else built from its Dockerfile on the base image, once per Dockerfile. */
    String image(Service service, Progress progress) {
        ServiceKind kind = service.kind();
        Optional<String> chosen = adminImage(kind.name());
        if (chosen.isPresent()) {
            if (!images.imageExists(chosen.get())) {
                throw PierException.failed("the image " + chosen.get() + " set with pier " + kind.name() + ":image is not on this host:"
                        + " pull it (docker pull " + chosen.get() + "), or go back to pier's own with pier " + kind.name() + ":image --default");
            }
            return chosen.get();
        }
        String dockerfile = templates.render("services/" + kind.name() + "/Dockerfile.ftl", Map.of("base",
                new Buildpacks(home, templates).baseImage(), "port", kind.port(), "data", kind.data().value()));
        String tag = "pier-service-" + kind.name() + ":" + sha256(dockerfile).substring(0, 12);
        if (images.imageExists(tag)) {
            return tag;
        }
        progress.detail("building the " + kind.title() + " image from the distro's packages (once)");
        Path dir = null;
        try {
            dir = Files.createTempDirectory("pier-service-build-");
            Files.writeString(dir.resolve("Dockerfile"), dockerfile);
            images.build(dir.toFile(), tag, Map.of(Labels.SERVICE_KIND, kind.name()), service.dockerName(), 0, BUILD,
                    line -> progress.detail(line));
            return tag;
        } catch (IOException e) {
            throw PierException.failed("cannot prepare the build of " + tag + ": " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                AtomicFile.delete(dir.resolve("Dockerfile"));
                AtomicFile.delete(dir);
            }
        }
    }

    String password(Service service) {
        return AtomicFile.read(service.dir(home).resolve(ServiceState.PASSWORD)).map(String::strip)
                .orElseThrow(() -> PierException.failed("no password for " + service + " in " + service.dir(home)));
    }

    Lock lock(Service service) {
        return service.state(home).lock();
    }

    private static PierException missing(Service service) {
        return PierException.failed(service + " is not running: pier " + service.kind().name() + ":restart " + service.name());
    }

    private void writeLinks(Service service, List<AppName> apps) {
        service.state(home).writeLinks(apps);
    }

    private static List<AppName> add(List<AppName> apps, AppName app) {
        List<AppName> all = new ArrayList<>(apps);
        all.add(app);
        return all;
    }

    private void deleteState(Service service) {
        Path dir = service.dir(home);
        AtomicFile.delete(dir.resolve(ServiceState.PASSWORD));
        AtomicFile.delete(dir.resolve(ServiceState.LINKS));
        AtomicFile.delete(dir.resolve(ServiceBackups.SCHEDULE));
        AtomicFile.delete(dir);
    }

    private int run(Service service, String command, boolean tty, int @Nullable [] size, InputStream in, OutputStream out,
                    OutputStream err) {
        Container container = container(service).filter(Container::running).orElseThrow(() -> missing(service));
        return scheduler.execAttached(container.id(), List.of("/bin/sh", "-c", command), tty, size, in, out, err);
    }

    private static String password() {
        String letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            out.append(letters.charAt(random.nextInt(letters.length())));
        }
        return out.toString();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted", e);
        }
    }
}
