package pier.access;

import java.util.Map;
import java.util.Optional;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;

/**
 * Which key may run which command: the one table of it. Admin keys run everything. A developer key runs the
 * app's own commands on the apps it was granted, a deploy key only pushes and fetches them; neither runs a
 * server-wide command. A command missing from the table is server-wide, so a new command is admin-only
 * until someone decides otherwise.
 */
public final class Access {
    /** Where a command reaches. */
    public enum Scope {
        /** Harmless for any key: help. */
        ANYONE,
        /** One app, named by its APP argument; without one (e.g. {@code --global}) it is server-wide. */
        APP,
        /** The whole server: apps, keys, volumes, global settings. */
        SERVER
    }

    /** What of a command's words an event may show: all, KEY=... for KEY=VALUE words, or only the app. */
    public enum Shown {
        ALL, KEYS_ONLY, APP_ONLY
    }

    /** A command's scope, whether it changes anything (and so is logged as an event), and what of its words are secret. */
    public record Rule(Scope scope, boolean changes, Shown shown) {
        public boolean secretValues() {
            return shown == Shown.KEYS_ONLY;
        }
    }

    private static final Rule READ_APP = new Rule(Scope.APP, false, Shown.ALL);
    private static final Rule CHANGE_APP = new Rule(Scope.APP, true, Shown.ALL);
    private static final Rule READ_SERVER = new Rule(Scope.SERVER, false, Shown.ALL);
    private static final Rule CHANGE_SERVER = new Rule(Scope.SERVER, true, Shown.ALL);

    private static final Map<String, Rule> RULES = Map.ofEntries(
            Map.entry("help", new Rule(Scope.ANYONE, false, Shown.ALL)),
            Map.entry("apps:info", READ_APP),
            Map.entry("config", READ_APP),
            Map.entry("config:get", READ_APP),
            Map.entry("config:set", new Rule(Scope.APP, true, Shown.KEYS_ONLY)),
            Map.entry("config:unset", CHANGE_APP),
            Map.entry("domains", READ_APP),
            Map.entry("domains:add", CHANGE_APP),
            Map.entry("domains:remove", CHANGE_APP),
            Map.entry("domains:set", CHANGE_APP),
            Map.entry("domains:clear", CHANGE_APP),
            Map.entry("builder", READ_APP),
            Map.entry("builder:set", CHANGE_APP),
            Map.entry("ps", READ_APP),
            Map.entry("ps:scale", CHANGE_APP),
            Map.entry("ps:restart", CHANGE_APP),
            Map.entry("ps:start", CHANGE_APP),
            Map.entry("ps:stop", CHANGE_APP),
            Map.entry("ps:rebuild", CHANGE_APP),
            Map.entry("logs", READ_APP),
            // A command line often carries a token: the event shows the app and how many words, not the words.
            Map.entry("run", new Rule(Scope.APP, true, Shown.APP_ONLY)),
            Map.entry("enter", CHANGE_APP),
            Map.entry("releases", READ_APP),
            Map.entry("releases:rollback", CHANGE_APP),
            Map.entry("events", READ_APP),
            Map.entry("resource:report", READ_APP),
            // Limits protect the host from the app: the app's own keys may not lift them.
            Map.entry("resource:limit", CHANGE_SERVER),
            Map.entry("apps:create", CHANGE_SERVER),
            Map.entry("apps:list", READ_SERVER),
            Map.entry("apps:destroy", CHANGE_SERVER),
            Map.entry("domains:set-global", CHANGE_SERVER),
            Map.entry("domains:clear-global", CHANGE_SERVER),
            Map.entry("volume:create", CHANGE_SERVER),
            Map.entry("volume:list", READ_SERVER),
            Map.entry("volume:info", READ_SERVER),
            Map.entry("volume:link", CHANGE_SERVER),
            Map.entry("volume:unlink", CHANGE_SERVER),
            Map.entry("volume:destroy", CHANGE_SERVER),
            Map.entry("builder:list", READ_SERVER),
            Map.entry("builder:base", CHANGE_SERVER),
            Map.entry("builder:images", READ_SERVER),
            Map.entry("builder:allow-image", CHANGE_SERVER),
            Map.entry("builder:disallow-image", CHANGE_SERVER),
            Map.entry("ssh-keys:add", CHANGE_SERVER),
            Map.entry("ssh-keys:list", READ_SERVER),
            Map.entry("ssh-keys:remove", CHANGE_SERVER),
            Map.entry("deploy:allow", CHANGE_SERVER),
            Map.entry("deploy:list", READ_SERVER),
            Map.entry("deploy:revoke", CHANGE_SERVER),
            Map.entry("developer:allow", CHANGE_SERVER),
            Map.entry("developer:list", READ_SERVER),
            Map.entry("developer:revoke", CHANGE_SERVER),
            Map.entry("ps:retire", READ_SERVER),
            Map.entry("install", CHANGE_SERVER),
            Map.entry("ssh-command", READ_SERVER));

    private Access() {
    }

    public static Rule rule(String command) {
        return RULES.getOrDefault(command, CHANGE_SERVER);
    }

    /** True when the table decides {@code command} itself rather than by default. */
    public static boolean listed(String command) {
        return RULES.containsKey(command);
    }

    /** Refuses, with what the key may do instead, unless {@code actor} may run {@code command} on {@code app}. */
    public static void check(Actor actor, String command, Optional<AppName> app) {
        Rule rule = rule(command);
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

    /** Refuses unless {@code actor} may push to (or fetch) {@code app}: admins any app, others the apps granted. */
    public static void checkGit(Actor actor, AppName app, boolean push) {
        if (actor.grants().admin() || actor.grants().on(app).isPresent()) {
            return;
        }
        throw refused(actor, (push ? "push to " : "fetch ") + app + ": " + what(actor));
    }

    /** Whether {@code command} is one {@code actor} may run on at least one app: what help lists. */
    public static boolean mayRun(Actor actor, String command) {
        Rule rule = rule(command);
        Grants grants = actor.grants();
        return grants.admin() || rule.scope() == Scope.ANYONE
                || rule.scope() == Scope.APP && grants.apps().containsValue(Role.developer);
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
