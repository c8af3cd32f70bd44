package pier;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import pier.access.Actor;
import pier.access.Events;
import pier.access.Keys;
import pier.apps.AppDomains;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.apps.Certificates;
import pier.apps.Releases;
import pier.apps.Routing;
import pier.apps.Volumes;
import pier.services.Service;
import pier.services.ServiceBackups;
import pier.services.ServiceNetworks;
import pier.services.Services;
import pier.base.PierException;
import pier.base.Progress;
import pier.build.Buildpacks;
import pier.deploy.Deploy;
import pier.deploy.DiskUsage;
import pier.deploy.GitService;
import pier.deploy.Processes;
import pier.deploy.PushDeploy;
import pier.deploy.Reconcile;
import pier.engine.Docker;
import pier.engine.Nginx;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.EnvKey;
import pier.names.ProcessType;
import pier.names.VolumeName;
import pier.state.Config;
import pier.state.Env;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Settings;
import pier.state.Undo;

/**
 * The scripting entry point: one server's pier, as a script or a command sees it, acting for one {@link Actor}.
 * {@code Pier.local().apps().create(AppName.of("blog"))} is what {@code pier apps:create blog} runs.
 * Docker is connected on first use, so commands that never touch it start faster.
 * <p>
 * It is the facade, so it is as long as the list of things an admin can do; each method only wires the package
 * that owns the rule (see ARCHITECTURE.md), and the rules themselves live there.
 */
public final class Pier implements AutoCloseable {
    private final PierHome home;
    private final Templates templates;
    private final Actor actor;
    private @Nullable Docker docker;

    /** A pier acting for someone on the server itself ({@link Actor#LOCAL}). */
    public Pier(PierHome home, Templates templates) {
        this(home, templates, Actor.LOCAL);
    }

    public Pier(PierHome home, Templates templates, Actor actor) {
        this.home = home;
        this.templates = templates;
        this.actor = actor;
    }

    /** This server's pier, acting for someone on the server itself. */
    public static Pier local() {
        return local(Actor.LOCAL);
    }

    /** This server's pier, acting for {@code actor}: an SSH key's command runs with the key's name and rights. */
    public static Pier local(Actor actor) {
        return new Pier(PierHome.current(), Templates.standard(), actor);
    }

    /** Who this pier acts for: the releases, events and role checks it makes name them. */
    public Actor actor() {
        return actor;
    }

    public PierHome home() {
        return home;
    }

    public Templates templates() {
        return templates;
    }

    public Apps apps() {
        return new Apps(home);
    }

    /**
     * The apps' domains; a change re-renders the app's Nginx site (checked with {@code nginx -t}) before it is
     * stored, and restarts nothing. Docker is only asked for the upstreams of an app that has a site.
     */
    public AppDomains domains() {
        return new AppDomains(home, actor, (app, served) -> routing().route(app, served));
    }

    public Keys keys() {
        return new Keys(home, templates);
    }

    public Settings settings() {
        return new Settings(home);
    }

    public Nginx nginx() {
        return new Nginx(home, templates);
    }

    /** A git push from receive to event: the deploy, the retire and the audit line. */
    public PushDeploy pushDeploy() {
        return new PushDeploy(git(), this::deploy, events());
    }

    public GitService git() {
        return new GitService(home);
    }

    public Releases releases(AppName app) {
        return new Releases(home, app);
    }

    public synchronized Docker docker() {
        if (docker == null) {
            docker = Docker.connect();
        }
        return docker;
    }

    /** How pushes without a Dockerfile are built: the buildpacks, each app's choice and the base image. */
    public Buildpacks buildpacks() {
        return new Buildpacks(home, templates);
    }

    public Config config() {
        return new Config(home);
    }

    public Events events() {
        return new Events(home);
    }

    /** Destroys the app (containers, images, site, repository, releases), its service links and every key's grant on it. */
    public void destroy(AppName app, Progress progress) {
        // The services leave the app's network first: Docker keeps a network something is still on.
        services().forget(app);
        deploy().removeSwarmServices(app, progress)
                .forEach(service -> progress.detail("removed the swarm service " + service));
        apps().destroy(app, docker(), nginx(), progress);
        keys().forget(app);
    }

    /**
     * Changes config under the app's lock and, with {@code restart}, starts new containers with it through the
     * health-checked switch. If that restart fails, the config is put back: the running release and the
     * stored config stay as they were. A global change restarts every deployed app, one at a time.
     * {@code change} comes last, so a Kotlin caller writes it as a trailing lambda.
     */
    public void changeConfig(Optional<AppName> app, String what, boolean restart, Progress progress,
                             Consumer<Config> change) {
        if (app.isPresent()) {
            changeAndRestart(app.get(), what, restart, "the config", progress, () -> {
                Env before = config().of(app);
                change.accept(config());
                return () -> config().write(app, before);
            });
            return;
        }
        try (Lock ignored = Lock.global(home, "config")) {
            progress.step(what + " globally");
            change.accept(config());
        }
        if (!restart) {
            progress.detail("stored; it applies at each app's next deploy or restart");
            return;
        }
        // One app that cannot restart must not keep the others on the old config: each is tried, the failures told.
        List<String> failed = new ArrayList<>();
        for (AppName each : apps().list()) {
            try (Lock ignored = Lock.app(home, each)) {
                restartLocked(each, what + " (global)", progress);
            } catch (PierException e) {
                progress.warn(each + " did not restart with it: " + e.getMessage());
                failed.add(each + " (pier ps:restart " + each + " retries)");
            }
        }
        if (!failed.isEmpty()) {
            throw PierException.failed("the global config is stored and the other apps restarted with it, but "
                    + String.join(", ", failed) + " did not");
        }
    }

    /**
     * Makes {@code spec}'s app what the spec says, through the paths the commands take: creates it if missing,
     * chooses its buildpack, sets its own domains (Nginx is only touched for a deployed app) and sets the config
     * values it lacks, which restarts a deployed, running app once, as {@code config:set} does. An unknown buildpack
     * or a domain another app has is refused before the first change, and nothing that matches is written, so a
     * second ensure changes nothing. The app's lock is held throughout: no push lands half-way. A restart that fails
     * puts the config back, as {@code config:set} does; the changes made before it stay, and a second ensure retries.
     */
    public AppSpec.Applied ensure(AppSpec spec, Progress progress) {
        AppName app = spec.name();
        spec.buildpack().filter(b -> !b.equals(Buildpacks.AUTO)).ifPresent(b -> buildpacks().get(b));
        spec.domains().ifPresent(wanted -> domains().refuseTaken(app, wanted));
        List<String> changes = new ArrayList<>();
        try (Lock ignored = Lock.app(home, app)) {
            if (!apps().exists(app)) {
                progress.step("Creating " + app);
                apps().create(app);
                changes.add("created " + app);
            }
            spec.buildpack().ifPresent(b -> {
                if (buildpacks().choose(app, b)) {
                    String how = b.equals(Buildpacks.AUTO) ? "detects its buildpack" : "builds with " + b;
                    progress.step(app + " " + how + " when its repository has no Dockerfile");
                    changes.add(how);
                }
            });
            spec.domains().ifPresent(wanted -> {
                AppDomains.Change change = wanted.isEmpty() ? domains().clear(app) : domains().set(app, wanted);
                change.added().forEach(d -> changes.add("added domain " + d));
                change.removed().forEach(d -> changes.add("removed domain " + d));
                if (change.changed()) {
                    progress.step("Domains of " + app + ": "
                            + String.join(" ", change.served().stream().map(Domain::value).toList()));
                    progress.detail(change.routed() ? "Nginx reloaded (nothing restarted)"
                            : app + " is not deployed yet: stored");
                }
            });
            Map<EnvKey, String> missing = spec.configMissingFrom(config().of(Optional.of(app)));
            if (!missing.isEmpty()) {
                String keys = String.join(", ", missing.keySet().stream().map(EnvKey::value).toList());
                changeConfig(Optional.of(app), "Setting " + keys, true, progress, c -> c.set(Optional.of(app), missing));
                changes.add("set " + keys);
            }
        }
        if (changes.isEmpty()) {
            progress.step(app + " matches its spec: nothing to change");
        }
        return new AppSpec.Applied(app, changes);
    }

    /**
     * Sets resource limits ({@code memory}, {@code cpus}, {@code pids}, each a value or {@code default}) for every
     * process of {@code app}, or for {@code type}, and restarts it with them through the health-checked switch; if the
     * restart fails (a web process that no longer fits its memory, say) the limits are put back.
     */
    public void limitResources(AppName app, Optional<ProcessType> type, Map<String, String> changes, Progress progress) {
        apps().require(app);
        String what = "Limiting " + type.map(t -> t + " processes").orElse("every process") + " to " + String.join(" ",
                changes.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        Resources resources = new Resources(home);
        changeAndRestart(app, what, true, "the limits", progress, () -> resources.set(app, type, changes)
                .<Runnable>map(before -> () -> resources.restore(app, before))
                .orElseThrow(() -> PierException.failed(app + " has those limits already; nothing to change")));
    }

    /**
     * The one way an app's setting changes: under the app's lock, {@code change} makes it and returns its undo; with
     * {@code restart} the app restarts with it, and a failed restart undoes it, so the running release and the stored
     * setting stay as they were.
     */
    private void changeAndRestart(AppName app, String what, boolean restart, String setting, Progress progress,
                                  java.util.function.Supplier<Runnable> change) {
        try (Lock ignored = Lock.app(home, app)) {
            progress.step(what + " for " + app);
            Runnable undo = change.get();
            if (!restart) {
                progress.detail("stored; it applies at the next deploy or restart");
                return;
            }
            Undo.restartOrUndo(() -> restartLocked(app, what, progress), undo, setting, setting.endsWith("s"));
        }
    }

    /**
     * Where the app's processes run ({@code scheduler:set}): this host's Docker or the cluster's swarm, with the
     * swarm's constraints. A deployed app moves at once, by a restart on the new scheduler; a failed move puts the
     * setting back and the app keeps running where it ran. Its linked services go along: onto its overlay before the
     * restart onto the swarm, off it after the move back.
     */
    public void place(AppName app, Placement placement, Progress progress) {
        apps().require(app);
        Placement before = Placement.read(home, app);
        if (before.equals(placement)) {
            throw PierException.failed(app + " runs on " + placement.scheduler() + " with those constraints already; nothing to change");
        }
        if (placement.swarm() && !new pier.deploy.SwarmApps(this::docker).available()) {
            throw PierException.usage("this host manages no cluster: add a node first with pier nodes:add HOST (as root on this"
                    + " host), then place " + app + " on the swarm");
        }
        String what = "Setting the scheduler to " + (placement.swarm() ? "swarm (the cluster)" : "docker (this host)")
                + (placement.constraints().isEmpty() ? "" : " where " + String.join(", ", placement.constraints()));
        // Constraints mean something on the swarm only: on docker they are kept for the next move, with no restart.
        boolean moves = !before.scheduler().equals(placement.scheduler()) || placement.swarm();
        // The linked services join the app's overlay with the placement, before the restart starts its first task.
        ServiceNetworks networks = serviceNetworks();
        changeAndRestart(app, what, moves, "the scheduler", progress, () -> networks.place(app, before, placement, progress));
        // Only once the release here is live, and only on the move: no deploy of a local app asks Docker for services.
        if (before.swarm() && !placement.swarm()) {
            // Off the overlay before it goes: Docker keeps a network a container is on. The services go either way.
            try {
                networks.follow(app);
            } catch (PierException e) {
                progress.warn("the services linked to " + app + " stay on its overlay, which stays too: " + e.getMessage());
            }
            deploy().removeSwarmServices(app, progress).forEach(service -> progress.detail(
                    "removed the swarm service " + service + ": " + app + " runs on this host again"));
        }
    }

    /** What keeps Nginx on the tasks of the apps on the swarm between deploys. */
    public pier.deploy.SwarmWatch swarmWatch() {
        return new pier.deploy.SwarmWatch(home, routing(), new pier.deploy.SwarmApps(this::docker));
    }

    /** Restarts a deployed, running app as a new release described as {@code why}; says why not otherwise. */
    private void restartLocked(AppName app, String why, Progress progress) {
        Deploy deploy = deploy();
        deploy.restart(app, actor.name(), why, progress).ifPresent(deployed -> deploy.retireInBackground(app, deployed, progress));
    }

    public Volumes volumes() {
        return new Volumes(home, docker());
    }

    /** The database services of every kind (postgres, mariadb, redis, and any an admin adds). */
    public Services services() {
        return new Services(home, templates(), docker(), docker());
    }

    /** Which networks the services' containers are on: each linked app's, its overlay too on the swarm. */
    public ServiceNetworks serviceNetworks() {
        return new ServiceNetworks(home, docker());
    }

    public ServiceBackups serviceBackups() {
        return new ServiceBackups(home, services(), docker());
    }

    /**
     * Links a service to an app: the service joins the app's networks, and the app restarts with the kind's env
     * ({@code DATABASE_URL}, ...) the way {@code config:set} restarts it. A failed restart puts both back.
     */
    public void linkService(Service service, AppName app, boolean restart, Progress progress) {
        apps().require(app);
        Services services = services();
        progress.step("Linking " + service + " to " + app);
        Map<EnvKey, String> env = new java.util.LinkedHashMap<>();
        services.linkEnv(service).forEach((key, value) -> env.put(EnvKey.of(key), value));
        if (!services.link(service, app, () -> changeConfig(Optional.of(app), "Setting " + String.join(" ",
                service.kind().linkKeys()), restart, progress, c -> c.set(Optional.of(app), env)))) {
            progress.detail(service + " was linked to " + app + " already; nothing to change");
        }
    }

    /**
     * Unsets the link's env in the app (a restart with no downtime; without {@code restart}, stored for the next one),
     * then takes the service off the app's networks.
     */
    public void unlinkService(Service service, AppName app, boolean restart, Progress progress) {
        apps().require(app);
        Services services = services();
        progress.step("Unlinking " + service + " from " + app);
        List<EnvKey> keys = service.kind().linkKeys().stream().map(EnvKey::of).toList();
        if (!services.unlink(service, app, () -> changeConfig(Optional.of(app), "Unsetting " + String.join(" ",
                service.kind().linkKeys()), restart, progress, c -> c.unset(Optional.of(app), keys)))) {
            progress.detail(service + " was not linked to " + app + "; nothing to change");
        }
    }

    /** What pier holds on disk: each app's images, containers and volumes, the build cache, the state directory. */
    public DiskUsage.Report diskUsage() {
        return new DiskUsage(home, docker(), volumes()).report();
    }

    /**
     * Links {@code volume} to {@code app} and restarts the app with it mounted, the way a config change restarts
     * it (no rebuild, no downtime); an app not deployed yet only stores the link. A failed restart takes it back.
     */
    public void linkVolume(AppName app, VolumeName volume, Progress progress) {
        apps().require(app);
        volumes().require(volume);
        progress.step("Linking volume " + volume + " to " + app);
        if (!volumes().link(app, volume, () -> restartLocked(app, "Link volume " + volume, progress))) {
            progress.detail(volume + " was linked to " + app + " already; nothing to change");
        }
    }

    /** Unlinks {@code volume} from {@code app} and restarts the app without it; its data stays in the volume. */
    public void unlinkVolume(AppName app, VolumeName volume, Progress progress) {
        apps().require(app);
        progress.step("Unlinking volume " + volume + " from " + app);
        if (!volumes().unlink(app, volume, () -> restartLocked(app, "Unlink volume " + volume, progress))) {
            progress.detail(volume + " was not linked to " + app + "; nothing to change");
        }
    }

    /** Where each app's requests go: the one place a site is pointed at containers. */
    public Routing routing() {
        return new Routing(home, this::docker, nginx());
    }

    /**
     * The apps' certificates and the global one: checked whole before anything changes; a change re-renders sites
     * (checked with {@code nginx -t}) and reloads Nginx, and restarts nothing.
     */
    public Certificates certificates() {
        return new Certificates(home, routing());
    }

    /** Let's Encrypt certificates: issued on enable, renewed by the host's daily trigger, checked as served. */
    public pier.apps.LetsEncrypt letsEncrypt() {
        return new pier.apps.LetsEncrypt(home, certificates());
    }

    public Deploy deploy() {
        return new Deploy(home, docker(), nginx(), buildpacks());
    }

    /** Makes what runs match what pier recorded: the live release at its scale, routed by Nginx (ps:reconcile). */
    public Reconcile reconcile() {
        return new Reconcile(home, docker(), routing());
    }

    /** Maintenance mode: the site answers 503 with a page while the app keeps running. */
    public pier.apps.Maintenance maintenance() {
        return new pier.apps.Maintenance(home, routing(), templates());
    }

    /** HTTP basic auth in front of an app (http-auth:on, http-auth:off): bcrypt hashes, checked by Nginx. */
    public pier.apps.HttpAuth httpAuth() {
        return new pier.apps.HttpAuth(home, routing());
    }

    /** Names an app answers with a 301 to another name (redirect:set), claimed as this pier's actor may claim names. */
    public pier.apps.Redirects redirects() {
        return new pier.apps.Redirects(home, actor, routing());
    }

    /** How Nginx proxies each app (nginx:set, nginx:report). */
    public pier.apps.ProxySettings proxySettings() {
        return new pier.apps.ProxySettings(home, routing());
    }

    /** The app.json cron entries: listing, running, suspending them, and the host's minute tick. */
    public pier.deploy.Cron cron() {
        return new pier.deploy.Cron(home, docker());
    }

    public Processes processes() {
        return new Processes(home, docker(), nginx(), deploy(), new pier.deploy.SwarmProcesses(this::docker));
    }

    /**
     * Serves every deployed app under the server-wide domain {@code domain} (null: back to localhost). If Nginx refuses
     * a site, every app is put back on the old names. An app with no running web container does not block the
     * others: its site keeps its old names until {@code ps:reconcile} or its next start, and this fails at the end
     * naming it, after every other app was moved.
     */
    public void globalDomain(@Nullable Domain domain) {
        Optional<Domain> previous = settings().globalDomain();
        domains().claimGlobal(domain);
        List<AppName> routed = new ArrayList<>();
        List<AppName> behind = new ArrayList<>();
        try {
            for (AppName app : apps().list()) {
                try (Lock ignored = Lock.app(home, app)) {
                    Routing.Outcome outcome = routing().tryRoute(app, apps().domains(app));
                    if (outcome == Routing.Outcome.NOTHING_RUNNING) {
                        behind.add(app);
                    } else if (outcome == Routing.Outcome.ROUTED) {
                        routed.add(app);
                    }
                }
            }
        } catch (PierException e) {
            // Put every app back on the old names, so the server is as it was before the command.
            settings().globalDomain(previous.orElse(null));
            for (AppName app : routed) {
                try (Lock ignored = Lock.app(home, app)) {
                    routing().reroute(app);
                }
            }
            throw PierException.failed(e.getMessage() + "; the global domain was left as it was");
        }
        if (!behind.isEmpty()) {
            throw PierException.failed("apps are now served at APP." + (domain == null ? "localhost" : domain) + ", but "
                    + String.join("; ", behind.stream().map(Routing::nothingRunning).toList())
                    + ": its site keeps its old names until then");
        }
    }

    @Override
    public synchronized void close() {
        if (docker != null) {
            docker.close();
        }
    }
}
