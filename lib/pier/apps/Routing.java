package pier.apps;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import pier.base.PierException;
import pier.engine.Container;
import pier.engine.Labels;
import pier.engine.Nginx;
import pier.engine.Proxy;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.ProcessType;
import pier.state.AtomicFile;
import pier.state.PierHome;

/**
 * Where requests for an app go, decided here and nowhere else: the proxy's site for the app's names, pointed at
 * the live release's running web containers, or at the page that answers 503 when the app is stopped or scaled to
 * web=0. A deploy switches the site to the containers it started; a change of names or a stop re-routes the site
 * to what runs. The proxy checks every site before it takes effect and keeps the old one when the check fails.
 */
public final class Routing {
    private final PierHome home;
    private final Supplier<? extends Scheduler> scheduler;
    private final Proxy proxy;

    /** {@code scheduler} is asked only when a site is re-routed, so a change to an undeployed app needs no engine. */
    public Routing(PierHome home, Supplier<? extends Scheduler> scheduler, Proxy proxy) {
        this.home = home;
        this.scheduler = scheduler;
        this.proxy = proxy;
    }

    /**
     * Points the site at the containers a deploy just started and checked: the switch. The names a certificate covers
     * get HTTPS ({@link Certificates#tls}), the app's proxy settings ({@link ProxySettings}) apply, an app in
     * {@link Maintenance} gets its page, its {@link HttpAuth} asks for a user and its {@link Redirects} answer 301,
     * whichever change renders the site.
     */
    public void switchTo(AppName app, List<Domain> domains, List<Nginx.Upstream> upstreams) {
        List<Nginx.Redirect> redirects = Redirects.of(home, app);
        List<Domain> named = new java.util.ArrayList<>(domains);
        redirects.forEach(r -> named.add(r.from()));
        proxy.apply(new Nginx.Vhost(app, domains, upstreams, new Certificates(home, this).tls(app, named),
                ProxySettings.read(home, app), Maintenance.page(home, app), HttpAuth.file(home, app), redirects));
    }

    /** Where the app's site points now, as last applied (which may be a release not recorded yet). */
    public List<Nginx.Upstream> routed(AppName app) {
        return proxy.routed(app);
    }

    /**
     * Where the live release's running web containers are reached. Containers of an older release still draining
     * before their retirement are not among them.
     */
    public List<Nginx.Upstream> upstreams(AppName app) {
        if (Placement.read(home, app).swarm()) {
            // On the cluster: the web service's running tasks, wherever Swarm placed them.
            return scheduler.get().swarmUpstreams(Labels.swarmService(app.value(), ProcessType.WEB.value()));
        }
        Map<String, String> labels = new HashMap<>(Map.of(Labels.APP, app.value(), Labels.PROCESS, ProcessType.WEB.value()));
        Optional<Release> live = new Releases(home, app).current();
        live.ifPresent(r -> labels.put(Labels.RELEASE, Integer.toString(r.id())));
        int port = live.map(Release::port).orElse(0);
        return scheduler.get().containers(labels).stream()
                .filter(Container::running)
                .flatMap(c -> upstream(c, port).stream())
                .distinct().toList();
    }

    /**
     * Where Nginx reaches a web container listening on {@code containerPort}: its fixed address on the app's network,
     * straight to the container, so a restart of dockerd (which takes Docker's port forwarding down for a moment)
     * drops no request. A container made before pier fixed addresses is reached on its local port.
     */
    public static Optional<Nginx.Upstream> upstream(Container container, int containerPort) {
        if (container.address().isPresent() && containerPort > 0) {
            return Optional.of(new Nginx.Upstream(container.address().get(), containerPort));
        }
        return container.publicPort().map(port -> new Nginx.Upstream("127.0.0.1", port));
    }

    /** What re-routing an app's site came to. */
    public enum Outcome {
        /** The site now serves the names given (or was serving them already). */
        ROUTED,
        /** The app has no site: it was never deployed. */
        NO_SITE,
        /** No web container of the live release runs, so the site was left as it was: {@code ps:reconcile} fixes it. */
        NOTHING_RUNNING
    }

    /**
     * Points the app's site at {@code domains}; returns false when the app has no site (not deployed yet). A stopped
     * app, or one scaled to web=0, gets the page that answers 503. Otherwise refuses when no web container runs,
     * since a site without its upstreams cannot be rendered.
     */
    public boolean route(AppName app, List<Domain> domains) {
        Outcome outcome = tryRoute(app, domains);
        if (outcome == Outcome.NOTHING_RUNNING) {
            throw PierException.failed(nothingRunning(app) + ", so Nginx cannot be pointed at its new names");
        }
        return outcome == Outcome.ROUTED;
    }

    /**
     * {@link #route}, but an app with no running web container is not an error: its site is left as it was and the
     * outcome says so, for a server-wide change that must not be blocked by one broken app.
     */
    public Outcome tryRoute(AppName app, List<Domain> domains) {
        if (!Files.exists(home.vhost(app))) {
            return Outcome.NO_SITE;
        }
        boolean noWeb = new Apps(home).stopped(app)
                || new Releases(home, app).current().map(r -> r.count(ProcessType.WEB) == 0).orElse(false);
        List<Nginx.Upstream> upstreams = noWeb ? List.of() : upstreams(app);
        if (upstreams.isEmpty() && !noWeb) {
            return Outcome.NOTHING_RUNNING;
        }
        switchTo(app, domains, upstreams);
        return Outcome.ROUTED;
    }

    /** Why an app's site could not be re-routed, and the command that fixes it. */
    public static String nothingRunning(AppName app) {
        return "no web container of " + app + " is running (fix it with: pier ps:reconcile " + app + ")";
    }

    /** Re-renders the app's site for its running containers and current names; an undeployed app has none. */
    public void reroute(AppName app) {
        route(app, new Apps(home).domains(app));
    }

    /**
     * Renders the app's site again where it already is, for a change of how it is served (maintenance, auth,
     * redirects); an app with no site yet gets its settings at its first deploy.
     */
    public void rerender(AppName app) {
        if (Files.exists(home.vhost(app))) {
            routeTo(app, routed(app));
        }
    }

    /**
     * Points the app's site, with its current names, at exactly {@code upstreams} (none: the page that answers 503);
     * returns whether the site changed. Nginx checks it first, and is not reloaded when nothing changed.
     */
    public boolean routeTo(AppName app, List<Nginx.Upstream> upstreams) {
        Optional<String> before = AtomicFile.read(home.vhost(app));
        switchTo(app, new Apps(home).domains(app), upstreams);
        return !before.equals(AtomicFile.read(home.vhost(app)));
    }
}
