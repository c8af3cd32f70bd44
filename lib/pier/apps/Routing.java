package pier.apps;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** Points the site at the containers a deploy just started and checked: the switch. */
    public void switchTo(AppName app, List<Domain> domains, List<Nginx.Upstream> upstreams) {
        proxy.apply(new Nginx.Vhost(app, domains, upstreams));
    }

    /** Where the app's site points now, as last applied (which may be a release not recorded yet). */
    public List<Nginx.Upstream> routed(AppName app) {
        return proxy.routed(app);
    }

    /**
     * The local ports of the live release's running web containers. Containers of an older release still draining
     * before their retirement are not among them.
     */
    public List<Nginx.Upstream> upstreams(AppName app) {
        Map<String, String> labels = new HashMap<>(Map.of(Labels.APP, app.value(), Labels.PROCESS, ProcessType.WEB.value()));
        new Releases(home, app).current().ifPresent(r -> labels.put(Labels.RELEASE, Integer.toString(r.id())));
        return scheduler.get().containers(labels).stream()
                .filter(Container::running)
                .flatMap(c -> c.publicPort().stream())
                .map(port -> new Nginx.Upstream("127.0.0.1", port))
                .distinct().toList();
    }

    /**
     * Points the app's site at {@code domains}; returns false when the app has no site (not deployed yet). A stopped
     * app, or one scaled to web=0, gets the page that answers 503. Otherwise refuses when no web container runs,
     * since a site without its upstreams cannot be rendered.
     */
    public boolean route(AppName app, List<Domain> domains) {
        if (!Files.exists(home.vhost(app))) {
            return false;
        }
        boolean noWeb = new Apps(home).stopped(app)
                || new Releases(home, app).current().map(r -> r.count(ProcessType.WEB) == 0).orElse(false);
        List<Nginx.Upstream> upstreams = noWeb ? List.of() : upstreams(app);
        if (upstreams.isEmpty() && !noWeb) {
            throw PierException.failed("no web container of " + app + " is running, so Nginx cannot be pointed at its"
                    + " new names; deploy it again (git push) and retry");
        }
        switchTo(app, domains, upstreams);
        return true;
    }

    /** Re-renders the app's site for its running containers and current names; an undeployed app has none. */
    public void reroute(AppName app) {
        route(app, new Apps(home).domains(app));
    }
}
