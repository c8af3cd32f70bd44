package pier;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The scripting entry point: one server's pier, as a script or a command sees it.
 * {@code Pier.local().apps().create(AppName.of("blog"))} is what {@code pier apps:create blog} runs.
 * Docker is connected on first use, so commands that never touch it start faster.
 */
public final class Pier implements AutoCloseable {
    private final PierHome home;
    private final Templates templates;
    private Docker docker;

    public Pier(PierHome home, Templates templates) {
        this.home = home;
        this.templates = templates;
    }

    public static Pier local() {
        return new Pier(PierHome.current(), Templates.standard());
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

    public Keys keys() {
        return new Keys(home, templates);
    }

    public Settings settings() {
        return new Settings(home);
    }

    public Nginx nginx() {
        return new Nginx(home, templates);
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

    public Config config() {
        return new Config(home);
    }

    /** Who is acting, for the release record: the SSH key's name, or "local" for a command run on the server. */
    public static String actor() {
        return actor;
    }

    public static void actingAs(String key) {
        actor = key;
    }

    private static String actor = "local";

    /**
     * Changes config under the app's lock and, with {@code restart}, starts new containers with it through the
     * health-checked switch. If that restart fails, the config is put back: the running release and the
     * stored config stay as they were. A global change restarts every deployed app, one at a time.
     */
    public void changeConfig(Optional<AppName> app, Consumer<Config> change, boolean restart, String what,
                             Progress progress) {
        if (app.isPresent()) {
            try (Lock ignored = Lock.app(home, app.get())) {
                progress.step(what + " for " + app.get());
                Env before = config().of(app);
                change.accept(config());
                if (restart) {
                    try {
                        restartLocked(app.get(), progress);
                    } catch (PierException e) {
                        config().write(app, before);
                        throw PierException.failed(e.getMessage() + "; the config was left as it was");
                    }
                } else {
                    progress.detail("stored; it applies at the next deploy or restart");
                }
            }
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
        for (AppName each : apps().list()) {
            try (Lock ignored = Lock.app(home, each)) {
                restartLocked(each, progress);
            }
        }
    }

    private void restartLocked(AppName app, Progress progress) {
        Deploy deploy = deploy();
        deploy.restart(app, actor, progress).ifPresentOrElse(
                deployed -> deploy.retireInBackground(app, deployed, progress),
                () -> progress.detail(app + " is not deployed yet; this applies at its first deploy"));
    }

    public Deploy deploy() {
        return new Deploy(home, docker(), nginx());
    }

    /** Serves every deployed app under the server-wide domain {@code domain} (null: back to localhost). */
    public void globalDomain(Domain domain) {
        settings().globalDomain(domain);
        for (AppName app : apps().list()) {
            try (Lock ignored = Lock.app(home, app)) {
                apps().route(app, docker(), nginx());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (docker != null) {
            docker.close();
        }
    }
}
