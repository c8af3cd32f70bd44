package pier.apps;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import pier.access.Actor;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.Domain;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * The names each app answers on: its default {@code APP.GLOBAL} ({@code APP.localhost} until a global domain
 * is set) plus the ones an admin gave it, kept in {@code apps/APP/domains}, one ASCII name per line, sorted.
 * A name belongs to one app at most: an app's own names, the names it redirects ({@link Redirects}) and the
 * default names of all apps are checked under one server-wide lock, so two changes never claim the same name at once.
 * <p>
 * A change is routed before it is stored: the {@link Router} renders and applies the app's site (Nginx
 * checks it and puts the old one back if it fails), and only then is the list written. A refused change
 * leaves the old list and the old site. An app that is not deployed has no site, so its list is just stored.
 */
public final class AppDomains {
    /** Settings key: the domain suffixes a non-admin key may claim, comma-separated; unset means any name. */
    public static final String DEVELOPER_SUFFIXES = "domains.developer.suffixes";

    /** The server-wide lock every claim of a name holds; taken after an app's lock, before Nginx's. */
    static final String LOCK = "domains";

    /** Points an app's site at the names it now answers on. */
    @FunctionalInterface
    public interface Router {
        /** Returns false when the app has no site yet (not deployed); throws to refuse the change. */
        boolean route(AppName app, List<Domain> served);
    }

    /** For tools and tests that only store: no app has a site. */
    public static final Router STORE_ONLY = (app, served) -> false;

    /** What a change did: the names added and removed, what the app answers on now, and whether Nginx was reloaded. */
    public record Change(AppName app, List<Domain> added, List<Domain> removed, List<Domain> served, boolean routed) {
        public Change {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            served = List.copyOf(served);
        }

        public boolean changed() {
            return !added.isEmpty() || !removed.isEmpty();
        }
    }

    private final PierHome home;
    private final Actor actor;
    private final Router router;

    /** Changes made for {@code actor}, who may claim only the names its role allows. */
    public AppDomains(PierHome home, Actor actor, Router router) {
        this.home = home;
        this.actor = actor;
        this.router = router;
    }

    /** Reads only, or changes the stored lists without touching Nginx, as someone on the server. */
    public AppDomains(PierHome home) {
        this(home, Actor.LOCAL, STORE_ONLY);
    }

    /** The name every app gets: {@code APP.GLOBAL}, or {@code APP.localhost} until a global domain is set. */
    public Domain defaultDomain(AppName app) {
        return defaultUnder(new Settings(home).globalDomain(), app);
    }

    private static Domain defaultUnder(Optional<Domain> global, AppName app) {
        return global.orElse(Domain.of("localhost")).under(app);
    }

    /** The names an admin gave the app, sorted; its default name is not among them. */
    public List<Domain> of(AppName app) {
        Optional<String> text = AtomicFile.read(home.domains(app));
        if (text.isEmpty()) {
            return List.of();
        }
        TreeSet<Domain> names = new TreeSet<>();
        List<String> lines = text.get().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                names.add(Domain.of(line));
            } catch (PierException e) {
                throw PierException.failed(home.domains(app) + " line " + (i + 1) + ": " + e.getMessage()
                        + "; fix or remove that line");
            }
        }
        return List.copyOf(names);
    }

    /** Every name the app answers on, in a stable order: the default one first, then its own, sorted. */
    public List<Domain> served(AppName app) {
        return served(app, of(app));
    }

    private List<Domain> served(AppName app, Collection<Domain> own) {
        List<Domain> all = new ArrayList<>();
        Domain fallback = defaultDomain(app);
        all.add(fallback);
        own.stream().filter(d -> !d.equals(fallback)).sorted().forEach(all::add);
        return all;
    }

    /** The app that answers on {@code domain}, by its own list or its default name. */
    public Optional<AppName> owner(Domain domain) {
        Optional<Domain> global = new Settings(home).globalDomain();
        for (AppName app : new Apps(home).list()) {
            if (defaultUnder(global, app).equals(domain) || claimed(app).contains(domain)) {
                return Optional.of(app);
            }
        }
        return Optional.empty();
    }

    /** Adds names to the app; a name it already has is left as it is, a name another app has is refused. */
    public Change add(AppName app, Collection<Domain> domains) {
        List<Domain> wanted = atLeastOne(domains, "add");
        return change(app, own -> {
            TreeSet<Domain> next = new TreeSet<>(own);
            next.addAll(wanted);
            return next;
        });
    }

    /** Removes names from the app; its default name and names it does not have are refused. */
    public Change remove(AppName app, Collection<Domain> domains) {
        List<Domain> unwanted = atLeastOne(domains, "remove");
        return change(app, own -> {
            Domain fallback = defaultDomain(app);
            for (Domain d : unwanted) {
                if (d.equals(fallback)) {
                    throw PierException.failed(d + " is the default name of " + app + " and cannot be removed;"
                            + " domains:set-global changes it for every app");
                }
                if (!own.contains(d)) {
                    throw PierException.failed(d + " is not a domain of " + app + "; its domains are: "
                            + String.join(" ", served(app, own).stream().map(Domain::value).toList()));
                }
            }
            TreeSet<Domain> next = new TreeSet<>(own);
            unwanted.forEach(next::remove);
            return next;
        });
    }

    /** Replaces the app's names with {@code domains}; its default name stays. */
    public Change set(AppName app, Collection<Domain> domains) {
        List<Domain> wanted = atLeastOne(domains, "set");
        return change(app, own -> new TreeSet<>(wanted));
    }

    /** Removes all the app's own names: it answers on its default name only. */
    public Change clear(AppName app) {
        return change(app, own -> new TreeSet<>());
    }

    /**
     * Refuses a new app whose default name another app already answers on; the caller holds the new app's lock
     * and creates it inside {@code create}, so no claim of that name can slip in between.
     */
    public void claimDefault(AppName app, Runnable create) {
        try (Lock ignored = Lock.global(home, LOCK)) {
            Domain fallback = defaultDomain(app);
            Optional<AppName> owner = ownerOtherThan(app, fallback, new Apps(home).list());
            if (owner.isPresent()) {
                throw PierException.failed("cannot create " + app + ": its default name " + fallback + " is a domain of "
                        + owner.get() + "; remove it there first (pier domains:remove " + owner.get() + " " + fallback
                        + ") or choose another app name");
            }
            create.run();
        }
    }

    /**
     * Changes the server-wide domain if no app's new default name {@code APP.GLOBAL} is a name another app has
     * (null: back to {@code APP.localhost}). Re-routing the deployed apps is the caller's.
     */
    public void claimGlobal(@Nullable Domain global) {
        Settings.checkGlobal(global);
        try (Lock ignored = Lock.global(home, LOCK)) {
            List<AppName> apps = new Apps(home).list();
            for (AppName app : apps) {
                Domain fallback = defaultUnder(Optional.ofNullable(global), app);
                Optional<AppName> owner = ownerOtherThan(app, fallback, apps);
                if (owner.isPresent()) {
                    throw PierException.failed("cannot serve apps under " + global + ": " + fallback
                            + " would be the default name of " + app + " but is a domain of " + owner.get()
                            + "; remove it there first (pier domains:remove " + owner.get() + " " + fallback + ")");
                }
            }
            new Settings(home).globalDomain(global);
        }
    }

    private Change change(AppName app, UnaryOperator<TreeSet<Domain>> edit) {
        try (Lock appLock = Lock.app(home, app); Lock claims = Lock.global(home, LOCK)) {
            new Apps(home).require(app);
            Domain fallback = defaultDomain(app);
            TreeSet<Domain> before = new TreeSet<>(of(app));
            TreeSet<Domain> after = edit.apply(new TreeSet<>(before));
            // The default name is always served; storing it too would only make it outlive a global change.
            after.remove(fallback);
            List<Domain> added = after.stream().filter(d -> !before.contains(d)).toList();
            List<Domain> removed = before.stream().filter(d -> !after.contains(d)).toList();
            refuseTaken(app, added);
            refuseBeyondRole(actor, added);
            List<Domain> redirected = Redirects.sources(home, app);
            for (Domain d : added) {
                if (redirected.contains(d)) {
                    throw PierException.failed(d + " is redirected by " + app + "; to serve it instead, stop that first:"
                            + " pier redirect:unset " + app + " " + d);
                }
            }
            List<Domain> served = served(app, after);
            if (added.isEmpty() && removed.isEmpty()) {
                return new Change(app, added, removed, served, false);
            }
            boolean routed = router.route(app, served);
            AtomicFile.write(home.domains(app), text(after), "rw-r--r--");
            return new Change(app, added, removed, served, routed);
        }
    }

    /**
     * Refuses any of {@code domains} that another app answers on, as a change would; for a caller that checks
     * everything before it changes anything (the check is repeated under the lock when the change is made).
     */
    public void refuseTaken(AppName app, Collection<Domain> domains) {
        List<AppName> apps = new Apps(home).list();
        for (Domain d : domains) {
            Optional<AppName> owner = ownerOtherThan(app, d, apps);
            if (owner.isPresent() && defaultDomain(owner.get()).equals(d)) {
                throw PierException.failed(d + " is the default name of the app " + owner.get()
                        + "; a name belongs to one app, so choose another name for " + app);
            }
            if (owner.isPresent() && Redirects.sources(home, owner.get()).contains(d)) {
                throw PierException.failed(d + " is redirected by the app " + owner.get() + "; a name belongs to one"
                        + " app, so stop that first: pier redirect:unset " + owner.get() + " " + d);
            }
            if (owner.isPresent()) {
                throw PierException.failed(d + " is already a domain of " + owner.get() + "; a name belongs to one"
                        + " app, so remove it there first: pier domains:remove " + owner.get() + " " + d);
            }
        }
    }

    /**
     * What only an admin may claim: a bare IP address (it would take the server's own address from every app), a
     * wildcard that covers the global domain (it would catch every unknown and future app's name), and, when admins
     * set {@value #DEVELOPER_SUFFIXES}, any name outside those suffixes.
     */
    public void refuseBeyondRole(Actor actor, Collection<Domain> domains) {
        if (actor.grants().admin()) {
            return;
        }
        Optional<Domain> global = new Settings(home).globalDomain();
        List<String> suffixes = new Settings(home).list(DEVELOPER_SUFFIXES);
        for (Domain d : domains) {
            String host = d.wildcard() ? d.value().substring(2) : d.value();
            String why = null;
            if (host.matches("[0-9.]+")) {
                why = "it is an IP address";
            } else if (d.wildcard() && global.isPresent() && (global.get().value().equals(host)
                    || global.get().value().endsWith("." + host))) {
                why = "it covers the global domain " + global.get() + ", so it would catch every other app's name";
            } else if (!suffixes.isEmpty() && suffixes.stream().noneMatch(s -> host.equals(s) || host.endsWith("." + s))) {
                why = "developers may claim names under " + String.join(", ", suffixes) + " only";
            }
            if (why != null) {
                throw PierException.failed("key " + actor.name() + " may not claim " + d + ": " + why
                        + "; an admin key can add it with pier domains:add");
            }
        }
    }

    private Optional<AppName> ownerOtherThan(AppName app, Domain domain, List<AppName> apps) {
        Optional<Domain> global = new Settings(home).globalDomain();
        for (AppName other : apps) {
            if (!other.equals(app) && (defaultUnder(global, other).equals(domain) || claimed(other).contains(domain))) {
                return Optional.of(other);
            }
        }
        return Optional.empty();
    }

    /** The names an app holds beyond its default one: its own, and those it redirects ({@link Redirects}). */
    private List<Domain> claimed(AppName app) {
        List<Domain> names = new ArrayList<>(of(app));
        names.addAll(Redirects.sources(home, app));
        return names;
    }

    private static List<Domain> atLeastOne(Collection<Domain> domains, String verb) {
        if (domains == null || domains.isEmpty()) {
            throw PierException.usage("name at least one domain to " + verb + ", such as blog.example.com");
        }
        return List.copyOf(new TreeSet<>(domains));
    }

    private static String text(Collection<Domain> domains) {
        StringBuilder out = new StringBuilder();
        domains.forEach(d -> out.append(d.value()).append('\n'));
        return out.toString();
    }
}
