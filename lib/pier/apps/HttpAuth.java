package pier.apps;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.AuthUser;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * HTTP basic auth in front of an app, as Dokku's http-auth plugin has it: while it is on, Nginx asks every request
 * for one of the app's users. Each password is kept only as a bcrypt hash, in {@code apps/APP/http-auth} (pier's
 * own) and in the copy Nginx reads under {@link PierHome#PASSWORDS}. ACME challenges stay open. Each change
 * re-renders the site through {@code nginx -t}; one Nginx refuses leaves the app as it was.
 */
public final class HttpAuth {
    /**
     * Nginx checks the hash at every request, inside a worker's event loop: cost 10 takes ~100 ms of CPU a request
     * on a small server, cost 5 about 3 ms. A salted bcrypt of cost 5 still keeps the password out of the file.
     */
    static final int COST = 5;
    /** bcrypt reads only the first 72 bytes of a password: a longer one would pass with any tail. */
    static final int MAX_PASSWORD_BYTES = 72;

    private final PierHome home;
    private final Routing routing;
    private final Path passwords;
    private final SecureRandom random = new SecureRandom();

    public HttpAuth(PierHome home, Routing routing) {
        this(home, routing, PierHome.PASSWORDS);
    }

    HttpAuth(PierHome home, Routing routing, Path passwords) {
        this.home = home;
        this.routing = routing;
        this.passwords = passwords;
    }

    /** The password file the app's site names while auth is on; empty when it is off. */
    public static Optional<Path> file(PierHome home, AppName app) {
        return Files.exists(mark(home, app)) ? Optional.of(PierHome.PASSWORDS.resolve(app.value())) : Optional.empty();
    }

    /** Turns auth on with {@code user} (or changes that user's password); true when it was off before. */
    public boolean on(AppName app, AuthUser user, String password) {
        String hash = hash(password);
        new Apps(home).require(app);
        try (Lock ignored = Lock.app(home, app)) {
            TreeMap<String, String> users = read(app);
            Optional<String> before = AtomicFile.read(mark(home, app));
            users.put(user.value(), hash);
            String text = text(users);
            publish(app, text);
            AtomicFile.write(mark(home, app), text, "rw-------");
            try {
                routing.rerender(app);
            } catch (RuntimeException e) {
                if (before.isPresent()) {
                    AtomicFile.write(mark(home, app), before.get(), "rw-------");
                    publish(app, before.get());
                } else {
                    AtomicFile.delete(mark(home, app));
                    AtomicFile.delete(passwords.resolve(app.value()));
                }
                throw e;
            }
            return before.isEmpty();
        }
    }

    /** Turns auth off and forgets every user; false when it was off already. */
    public boolean off(AppName app) {
        new Apps(home).require(app);
        try (Lock ignored = Lock.app(home, app)) {
            Optional<String> before = AtomicFile.read(mark(home, app));
            if (before.isEmpty()) {
                return false;
            }
            AtomicFile.delete(mark(home, app));
            try {
                routing.rerender(app);
            } catch (RuntimeException e) {
                AtomicFile.write(mark(home, app), before.get(), "rw-------");
                throw e;
            }
            // Only once the site no longer names it.
            AtomicFile.delete(passwords.resolve(app.value()));
            return true;
        }
    }

    /** The app's users, sorted; empty when auth is off. */
    public List<String> users(AppName app) {
        new Apps(home).require(app);
        return List.copyOf(read(app).keySet());
    }

    /** The bcrypt hash Nginx checks {@code password} against; refuses what bcrypt or the file cannot hold. */
    String hash(String password) {
        if (password.isEmpty()) {
            throw PierException.usage("the password is empty: give it on stdin, e.g. echo 'SECRET' | pier http-auth:on APP USER");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw PierException.usage("the password is longer than " + MAX_PASSWORD_BYTES + " bytes, all bcrypt checks;"
                    + " choose a shorter one");
        }
        if (password.chars().anyMatch(Character::isISOControl)) {
            throw PierException.usage("the password holds a control character (a tab, a carriage return?); give one line of"
                    + " printable characters");
        }
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, COST);
    }

    private TreeMap<String, String> read(AppName app) {
        TreeMap<String, String> users = new TreeMap<>();
        AtomicFile.read(mark(home, app)).ifPresent(text -> text.lines().filter(l -> l.contains(":"))
                .forEach(l -> users.put(l.substring(0, l.indexOf(':')), l.substring(l.indexOf(':') + 1))));
        return users;
    }

    private static String text(TreeMap<String, String> users) {
        StringBuilder out = new StringBuilder();
        users.forEach((user, hash) -> out.append(user).append(':').append(hash).append('\n'));
        return out.toString();
    }

    /** The copy Nginx's workers read: pier's group may read it (see {@link PierHome#PASSWORDS}), others may not. */
    private void publish(AppName app, String text) {
        AtomicFile.directory(passwords);
        AtomicFile.write(passwords.resolve(app.value()), text, "rw-r-----");
    }

    private static Path mark(PierHome home, AppName app) {
        return home.app(app).resolve("http-auth");
    }

}
