package pier.apps;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import pier.access.Actor;
import pier.base.PierException;
import pier.engine.Nginx;
import pier.names.AppName;
import pier.names.Domain;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * Names an app answers with a permanent redirect to another name, path kept ({@code redirect:set blog www.blog.com
 * blog.com}), as Dokku's redirect plugin has it. A redirected name is claimed as a domain is: it belongs to this app
 * and to no other, and a key may claim only what its role allows ({@link AppDomains}). Kept in
 * {@code apps/APP/redirects}, one {@code FROM TO} pair a line; each change re-renders the site through
 * {@code nginx -t}, and one Nginx refuses leaves the list as it was.
 */
public final class Redirects {
    private final PierHome home;
    private final Actor actor;
    private final Routing routing;

    public Redirects(PierHome home, Actor actor, Routing routing) {
        this.home = home;
        this.actor = actor;
        this.routing = routing;
    }

    /** The app's redirects, by source name; a damaged line fails, naming the file and the line. */
    public static List<Nginx.Redirect> of(PierHome home, AppName app) {
        return List.copyOf(read(home, app).values());
    }

    /** The names the app redirects from. */
    static List<Domain> sources(PierHome home, AppName app) {
        return List.copyOf(read(home, app).keySet());
    }

    /** Makes {@code from} answer 301 to {@code to}; false when it did so already. */
    public boolean set(AppName app, Domain from, Domain to) {
        if (from.wildcard() || to.wildcard()) {
            throw PierException.usage("a redirect goes from one name to one name; " + (from.wildcard() ? from : to)
                    + " is a wildcard");
        }
        if (from.equals(to)) {
            throw PierException.usage("a redirect from " + from + " to itself would loop; name another target");
        }
        AppDomains domains = new AppDomains(home, actor, AppDomains.STORE_ONLY);
        try (Lock appLock = Lock.app(home, app); Lock claims = Lock.global(home, AppDomains.LOCK)) {
            new Apps(home).require(app);
            TreeMap<Domain, Nginx.Redirect> before = read(home, app);
            Nginx.Redirect wanted = new Nginx.Redirect(from, to);
            if (wanted.equals(before.get(from))) {
                return false;
            }
            if (domains.served(app).contains(from)) {
                throw PierException.failed(from + " is a name " + app + " answers on; to redirect it instead, remove it"
                        + " first: pier domains:remove " + app + " " + from);
            }
            domains.refuseTaken(app, List.of(from));
            domains.refuseBeyondRole(actor, List.of(from));
            TreeMap<Domain, Nginx.Redirect> after = new TreeMap<>(before);
            after.put(from, wanted);
            change(app, before, after);
            return true;
        }
    }

    /** Stops redirecting {@code from}; false when the app did not redirect it. */
    public boolean unset(AppName app, Domain from) {
        try (Lock appLock = Lock.app(home, app); Lock claims = Lock.global(home, AppDomains.LOCK)) {
            new Apps(home).require(app);
            TreeMap<Domain, Nginx.Redirect> before = read(home, app);
            if (!before.containsKey(from)) {
                return false;
            }
            TreeMap<Domain, Nginx.Redirect> after = new TreeMap<>(before);
            after.remove(from);
            change(app, before, after);
            return true;
        }
    }

    public List<Nginx.Redirect> list(AppName app) {
        new Apps(home).require(app);
        return of(home, app);
    }

    private void change(AppName app, TreeMap<Domain, Nginx.Redirect> before, TreeMap<Domain, Nginx.Redirect> after) {
        Path file = file(home, app);
        AtomicFile.write(file, text(after), "rw-r--r--");
        try {
            routing.rerender(app);
        } catch (RuntimeException e) {
            AtomicFile.write(file, text(before), "rw-r--r--");
            throw e;
        }
    }

    private static TreeMap<Domain, Nginx.Redirect> read(PierHome home, AppName app) {
        TreeMap<Domain, Nginx.Redirect> redirects = new TreeMap<>();
        Optional<String> text = AtomicFile.read(file(home, app));
        if (text.isEmpty()) {
            return redirects;
        }
        List<String> lines = text.get().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] pair = line.split("\\s+");
            try {
                if (pair.length != 2) {
                    throw PierException.failed("expected FROM TO");
                }
                Nginx.Redirect r = new Nginx.Redirect(Domain.of(pair[0]), Domain.of(pair[1]));
                redirects.put(r.from(), r);
            } catch (PierException e) {
                throw PierException.failed(file(home, app) + " line " + (i + 1) + ": " + e.getMessage()
                        + "; fix or remove that line");
            }
        }
        return redirects;
    }

    private static String text(TreeMap<Domain, Nginx.Redirect> redirects) {
        List<String> lines = new ArrayList<>();
        redirects.values().forEach(r -> lines.add(r.from().value() + " " + r.to().value()));
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    private static Path file(PierHome home, AppName app) {
        return home.app(app).resolve("redirects");
    }
}
