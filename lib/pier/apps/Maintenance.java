package pier.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import pier.engine.Templates;
import pier.names.AppName;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * An app in maintenance: its site answers every request with 503 and the maintenance page (from the template
 * {@code nginx/maintenance.html.ftl}, which an admin may replace) while its containers keep running, so turning it
 * off serves the app again at once. The mark is {@code apps/APP/maintenance}; the page is written under
 * {@link PierHome#PAGES}, where Nginx's workers can read it. Either change re-renders the site through
 * {@code nginx -t}; one Nginx refuses leaves the app as it was.
 */
public final class Maintenance {
    static final String PAGE = "pier-maintenance.html";

    private final PierHome home;
    private final Routing routing;
    private final Templates templates;
    private final Path pages;

    public Maintenance(PierHome home, Routing routing, Templates templates) {
        this(home, routing, templates, PierHome.PAGES);
    }

    Maintenance(PierHome home, Routing routing, Templates templates, Path pages) {
        this.home = home;
        this.routing = routing;
        this.templates = templates;
        this.pages = pages;
    }

    /** Where the app's site finds its maintenance page while the app is in maintenance; empty otherwise. */
    public static Optional<Path> page(PierHome home, AppName app) {
        return Files.exists(mark(home, app)) ? Optional.of(PierHome.PAGES.resolve(app.value())) : Optional.empty();
    }

    public boolean on(AppName app) {
        return set(app, true);
    }

    public boolean off(AppName app) {
        return set(app, false);
    }

    public boolean isOn(AppName app) {
        new Apps(home).require(app);
        return Files.exists(mark(home, app));
    }

    /** Turns maintenance on or off; false when it was so already. */
    private boolean set(AppName app, boolean on) {
        new Apps(home).require(app);
        try (Lock ignored = Lock.app(home, app)) {
            Path mark = mark(home, app);
            if (Files.exists(mark) == on) {
                return false;
            }
            if (on) {
                Path dir = pages.resolve(app.value());
                AtomicFile.directory(dir);
                AtomicFile.write(dir.resolve(PAGE), templates.render("nginx/maintenance.html.ftl",
                        Map.of("app", app.value())), "rw-r--r--");
                AtomicFile.write(mark, "on\n", "rw-r--r--");
            } else {
                AtomicFile.delete(mark);
            }
            try {
                routing.rerender(app);
            } catch (RuntimeException e) {
                if (on) {
                    AtomicFile.delete(mark);
                } else {
                    AtomicFile.write(mark, "on\n", "rw-r--r--");
                }
                throw e;
            }
            return true;
        }
    }

    private static Path mark(PierHome home, AppName app) {
        return home.app(app).resolve("maintenance");
    }


}
