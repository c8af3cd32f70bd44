package pier.access;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import pier.base.PierException;
import pier.names.AppName;

/**
 * Which key may run which command, decided with the {@link Rule} each command declares. Admin keys run everything.
 * A developer key runs the app's own commands on the apps it was granted, a deploy key only pushes and fetches
 * them; neither runs a server-wide command. A command that declares no rule is server-wide, so a new command is
 * admin-only until someone decides otherwise.
 */
public final class Access {
    /** Where a command reaches. */
    public enum Scope {
        /** Harmless for any key: help. */
        ANYONE,
        /** One app, named by its APP argument; without one (e.g. {@code --global}) it is server-wide. */
        APP,
        /** The whole server: apps, keys, volumes, global settings. */
        SERVER,
        /**
         * One database service, named by its NAME argument: an admin's, and a developer's of an app it is linked to
         * (see {@link #checkService}).
         */
        SERVICE
    }

    /** What of a command's words an event may show: all, KEY=... for KEY=VALUE words, or only the app. */
    public enum Shown {
        ALL, KEYS_ONLY, APP_ONLY
    }

    /** Help, which any key may ask for: it lists only what that key may run. */
    public static final Rule HELP = Declared.Help.class.getAnnotation(Rule.class);

    /** The rule of a command that declares none: server-wide and logged, for admin keys only. */
    public static final Rule UNDECLARED = Declared.Undeclared.class.getAnnotation(Rule.class);

    /**
     * Commands that only mean something on the server itself: never run over SSH, never sent to a server found
     * through a checkout's git remote. The one list both places read (SshCommand and Route).
     */
    public static final Set<String> HOST_ONLY = Set.of("ssh-command", "install", "ps:retire", "nodes:add", "nodes:remove",
            "registry:gc");

    /**
     * Commands root runs as root, not as the pier user: the installer, the node commands that reach a node as root
     * with root's own SSH keys, and the registry's garbage collection, which stops and starts the registry. All are
     * {@link #HOST_ONLY}.
     */
    public static final Set<String> AS_ROOT = Set.of("install", "nodes:add", "nodes:remove", "registry:gc");

    /** Annotation values can only be written on a declaration: these carry the two rules pier itself gives. */
    private static final class Declared {
        @Rule(scope = Scope.ANYONE, changes = false)
        private static final class Help {
        }

        @Rule(scope = Scope.SERVER, changes = true)
        private static final class Undeclared {
        }
    }

    private Access() {
    }

    /**
     * Refuses, with what the key may do instead, unless {@code actor} may run {@code command}, whose rule is
     * {@code rule}, on {@code app}.
     */
    public static void check(Actor actor, String command, Rule rule, Optional<AppName> app) {
        Grants grants = actor.grants();
        if (grants.admin() || rule.scope() == Scope.ANYONE) {
            return;
        }
        if (rule.scope() == Scope.SERVER || app.isEmpty()) {
            throw refused(actor, "run " + command + (app.isEmpty() && rule.scope() == Scope.APP ? " without an app" : "")
                    + ": it is server-wide, for admin keys");
        }
        Optional<Role> role = grants.on(app.get());
        if (role.isEmpty()) {
            throw refused(actor, "run " + command + " on " + app.get() + ": " + what(actor));
        }
        if (role.get() != Role.developer) {
            throw refused(actor, "run " + command + " on " + app.get() + ": a deploy key may only push to and fetch " + app.get());
        }
    }

    /**
     * Refuses unless {@code actor} is an admin or a developer of one of {@code linked}, the apps the service
     * {@code service} is linked to. A service that does not exist is linked to nothing, so a non-admin learns
     * nothing of it.
     */
    public static void checkService(Actor actor, String command, String service, List<AppName> linked) {
        Grants grants = actor.grants();
        if (grants.admin() || linked.stream().anyMatch(app -> grants.on(app).filter(r -> r == Role.developer).isPresent())) {
            return;
        }
        throw refused(actor, "run " + command + " on " + service + ": a developer key may use only the services linked"
                + " to its apps" + (grants.apps().isEmpty() ? "" : " (" + grants.describe() + ")"));
    }

    /** Refuses unless {@code actor} may push to (or fetch) {@code app}: admins any app, others the apps granted. */
    public static void checkGit(Actor actor, AppName app, boolean push) {
        if (actor.grants().admin() || actor.grants().on(app).isPresent()) {
            return;
        }
        throw refused(actor, (push ? "push to " : "fetch ") + app + ": " + what(actor));
    }

    /** Whether {@code actor} may run commands of {@code scope} on at least one app: what help lists. */
    public static boolean mayRun(Actor actor, Scope scope) {
        Grants grants = actor.grants();
        return grants.admin() || scope == Scope.ANYONE
                || (scope == Scope.APP || scope == Scope.SERVICE) && grants.apps().containsValue(Role.developer);
    }

    private static String what(Actor actor) {
        return actor.grants().apps().isEmpty() ? "it is granted no app"
                : "it is granted " + actor.grants().describe() + " only";
    }

    private static PierException refused(Actor actor, String what) {
        return PierException.failed("key " + actor.name() + " may not " + what
                + "; an admin grants more with pier developer:allow or deploy:allow");
    }
}
