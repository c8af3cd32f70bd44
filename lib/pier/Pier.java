package pier;

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
