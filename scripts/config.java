///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;
import static pier.access.Access.Shown.KEYS_ONLY;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.Pier;
import pier.access.Rule;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.EnvKey;
import pier.state.Config;
import pier.state.Env;

/** pier's config commands: config, config:get, config:set, config:unset, per app or --global. */
@Command(name = "config", description = "Show and change the environment apps run with.", mixinStandardHelpOptions = true,
        subcommands = {config.Show.class, config.Get.class, config.Set.class, config.Unset.class})
public class config {
    public static void main(String... args) {
        System.exit(Cli.execute(config::new, args));
    }

    /** The APP-or---global head every config command shares; the rest of the words are returned. */
    static final class Scope {
        @Option(names = "--global", description = "server-wide values instead of one app's (an app's own value wins)")
        boolean global;

        Optional<AppName> app;

        List<String> split(List<String> words, String usage) {
            List<String> rest = new ArrayList<>(words == null ? List.of() : words);
            if (global) {
                app = Optional.empty();
            } else if (rest.isEmpty()) {
                throw PierException.usage("give an app or --global: " + usage);
            } else {
                app = Optional.of(AppName.of(rest.remove(0)));
            }
            return rest;
        }

        void requireApp(Pier pier) {
            app.ifPresent(pier.apps()::require);
        }
    }

    @Command(name = "config", description = "Show the config of APP (or --global).", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class Show extends PierCommand {
        @Mixin
        Scope scope = new Scope();
        @Parameters(arity = "0..1", paramLabel = "APP")
        List<String> words;
        @Mixin
        FormatMixin format;

        protected int run() {
            if (!scope.split(words, "pier config APP").isEmpty()) {
                throw PierException.usage("config takes one app");
            }
            scope.requireApp(pier());
            Env env = pier().config().of(scope.app);
            if (format.json()) {
                Map<String, String> values = new LinkedHashMap<>();
                env.values().forEach((k, v) -> values.put(k.value(), v));
                format.print(values);
                return 0;
            }
            var out = out();
            out.println("=====> " + scope.app.map(a -> a + " config").orElse("global config"));
            env.values().forEach((k, v) -> out.println(k + "=" + shown(v)));
            return 0;
        }

        /** Plain when it prints on one line as itself, else JSON-quoted so nothing is hidden or split. */
        private static String shown(String value) {
            boolean plain = value.codePoints().noneMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029)
                    && !value.startsWith("\"") && value.strip().equals(value);
            return plain ? value : JsonOutput.of(value);
        }
    }

    @Command(name = "config:get", description = "Print one value of APP (or --global), exactly.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class Get extends PierCommand {
        @Mixin
        Scope scope = new Scope();
        @Parameters(paramLabel = "APP KEY", arity = "1..2")
        List<String> words;

        protected int run() {
            List<String> rest = scope.split(words, "pier config:get APP KEY");
            if (rest.size() != 1) {
                throw PierException.usage("config:get takes one KEY: pier config:get APP KEY");
            }
            EnvKey key = EnvKey.of(rest.get(0));
            scope.requireApp(pier());
            Optional<String> value = pier().config().of(scope.app).get(key);
            if (value.isEmpty()) {
                throw PierException.failed(key + " is not set" + scope.app.map(a -> " for " + a).orElse(" globally"));
            }
            out().println(value.get());
            return 0;
        }
    }

    @Command(name = "config:set", description = "Set values and restart the app with them (no rebuild, no downtime).",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true, shown = KEYS_ONLY)
    static class Set extends PierCommand {
        @Mixin
        Scope scope = new Scope();
        @Parameters(paramLabel = "APP KEY=VALUE", arity = "1..*", description = "the app (unless --global), then KEY=VALUE pairs")
        List<String> words;
        @Option(names = "--no-restart", description = "store only; the values apply at the next deploy or restart")
        boolean noRestart;
        @Option(names = "--encoded", description = "the values are base64 (for bytes a shell or ssh would mangle)")
        boolean encoded;
        @Option(names = "--stdin", description = "give one KEY and read its value from stdin (one trailing newline dropped),"
                + " so it never shows in a process list: echo \"$TOKEN\" | pier config:set APP TOKEN --stdin")
        boolean stdin;

        protected int run() {
            List<String> rest = scope.split(words, "pier config:set APP KEY=VALUE...");
            if (stdin && (encoded || rest.size() != 1)) {
                throw PierException.usage("--stdin takes exactly one KEY (no =VALUE, no --encoded): pier config:set APP KEY --stdin");
            }
            if (stdin && System.console() != null) {
                System.err.println("reading the value of " + rest.get(0) + " from stdin; end with Ctrl-D");
            }
            Map<EnvKey, String> pairs = stdin ? Config.pairFrom(rest.get(0), System.in) : Config.pairs(rest, encoded);
            String what = "Setting " + String.join(", ", pairs.keySet().stream().map(EnvKey::value).toList());
            scope.requireApp(pier());
            pier().changeConfig(scope.app, what, !noRestart, progress(), c -> c.set(scope.app, pairs));
            return 0;
        }
    }

    @Command(name = "config:unset", description = "Remove values and restart the app without them.", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Unset extends PierCommand {
        @Mixin
        Scope scope = new Scope();
        @Parameters(paramLabel = "APP KEY", arity = "1..*", description = "the app (unless --global), then keys")
        List<String> words;
        @Option(names = "--no-restart", description = "store only; the change applies at the next deploy or restart")
        boolean noRestart;

        protected int run() {
            List<String> rest = scope.split(words, "pier config:unset APP KEY...");
            if (rest.isEmpty()) {
                throw PierException.usage("give at least one KEY to unset");
            }
            List<EnvKey> keys = rest.stream().map(EnvKey::of).map(Config::checked).toList();
            scope.requireApp(pier());
            pier().changeConfig(scope.app, "Unsetting " + String.join(", ", rest), !noRestart, progress(),
                    c -> c.unset(scope.app, keys));
            return 0;
        }
    }
}
