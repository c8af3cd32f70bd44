///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.SERVER;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import pier.access.Keys;
import pier.access.Role;
import pier.access.Rule;
import pier.access.SshKey;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.KeyName;

/**
 * Who may reach pier over SSH: admin keys (ssh-keys:*), and keys granted a role on some apps
 * (deploy:* push and fetch; developer:* also run the apps' commands).
 */
@Command(name = "ssh-keys", description = "Manage the SSH keys allowed to reach pier and what each may do.",
        mixinStandardHelpOptions = true, subcommands = {keys.Add.class, keys.ListKeys.class, keys.Remove.class,
                keys.DeployAllow.class, keys.DeployList.class, keys.DeployRevoke.class,
                keys.DeveloperAllow.class, keys.DeveloperList.class, keys.DeveloperRevoke.class})
public class keys {
    public static void main(String... args) {
        System.exit(Cli.execute(keys::new, args));
    }

    @Command(name = "ssh-keys:add", description = "Add an admin key, read from FILE or from stdin.", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Add extends PierCommand implements InvokerFiles.ReadsFile {
        @Parameters(index = "0", paramLabel = "NAME", description = "a name for the key, e.g. alice")
        String name;
        @Parameters(index = "1", arity = "0..1", paramLabel = "FILE", description = "the public key file; stdin when omitted")
        Path file;

        protected int run() {
            KeyName keyName = KeyName.of(name);
            Keys.Entry entry = pier().keys().add(keyName, readKey(file, "pier ssh-keys:add " + keyName));
            out().println("-----> Added key " + entry.name() + " (" + entry.fingerprint() + ")");
            return 0;
        }

        @Override
        public Path file() {
            return file;
        }

        @Override
        public String handOver(String content) {
            return keyText(content);
        }
    }

    /** The one key line root hands over from its FILE (see InvokerFiles): only a checked key reaches the pier user. */
    static String keyText(String content) {
        SshKey key = SshKey.parse(content);
        return key.line() + (key.comment().isEmpty() ? "" : " " + key.comment()) + "\n";
    }

    /** The public key in FILE, or on stdin (pasted, then Ctrl-D) when there is no FILE. */
    static SshKey readKey(Path file, String command) {
        try {
            if (file != null) {
                return SshKey.parse(Files.readString(file));
            }
            if (System.console() != null) {
                System.err.println("Paste the public key (one line, e.g. ssh-ed25519 AAAA... ci@example), then press Ctrl-D:");
            }
            byte[] bytes = System.in.readNBytes(InvokerFiles.MAX_BYTES + 1);
            if (bytes.length > InvokerFiles.MAX_BYTES) {
                throw PierException.usage("stdin holds more than " + InvokerFiles.MAX_BYTES / 1024 + " KiB: give one public key");
            }
            return SshKey.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw PierException.failed("cannot read " + file + " as the pier user (" + e.getClass().getSimpleName()
                    + "); pass the key on stdin instead: " + command + " < " + file);
        }
    }

    @Command(name = "ssh-keys:list", description = "List every key: name, type, fingerprint and what it may do.", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = false)
    static class ListKeys extends PierCommand {
        @Mixin
        FormatMixin format;

        protected int run() {
            format.rows(pier().keys().list(), e -> new Json(e.name().value(), e.key().type(), e.fingerprint(), e.grants().describe()),
                    e -> e.name() + "  " + e.key().type() + "  " + e.fingerprint() + "  " + e.grants().describe());
            return 0;
        }

        record Json(String name, String type, String fingerprint, String access) {
        }
    }

    @Command(name = "ssh-keys:remove", description = "Remove a key, whatever its role; it can no longer connect.", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class Remove extends PierCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        protected int run() {
            KeyName keyName = KeyName.of(name);
            pier().keys().remove(keyName);
            out().println("-----> Removed key " + keyName);
            return 0;
        }
    }

    /** deploy:allow and developer:allow: the same words, one role each. */
    abstract static class Allow extends PierCommand implements InvokerFiles.ReadsFile {
        private final Role role;

        Allow(Role role) {
            this.role = role;
        }

        @Mixin
        AppMixin app;
        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "a name for the key; default: the key's comment")
        String name;
        @Parameters(index = "2", arity = "0..1", paramLabel = "FILE", description = "the public key file; stdin when omitted")
        Path file;

        protected int run() {
            AppName appName = app.app();
            Optional<KeyName> keyName = Optional.ofNullable(name).map(KeyName::of);
            pier().apps().require(appName);
            Keys.Granted granted = pier().keys().grant(appName, role, keyName,
                    readKey(file, "pier " + role + ":allow " + appName + " " + keyName.map(KeyName::value).orElse("NAME")));
            var out = out();
            Keys.Entry entry = granted.entry();
            out.println("-----> " + entry.name() + " may now " + role.may() + " " + appName
                    + (granted.newKey() ? " (new key " + entry.fingerprint() + ")" : ""));
            granted.before().filter(r -> r != role).ifPresent(r -> out.println("       it was a " + r + " key of " + appName + " until now"));
            out.println("       " + entry.name() + ": " + entry.grants().describe());
            return 0;
        }

        @Override
        public Path file() {
            return file;
        }

        @Override
        public String handOver(String content) {
            return keyText(content);
        }
    }

    abstract static class ListRole extends PierCommand {
        private final Role role;

        ListRole(Role role) {
            this.role = role;
        }

        @Parameters(arity = "0..1", paramLabel = "APP", description = "only the keys of this app", converter = AppMixin.Converter.class)
        AppName app;
        @Mixin
        FormatMixin format;

        protected int run() {
            Optional<AppName> appName = Optional.ofNullable(app);
            appName.ifPresent(pier().apps()::require);
            var entries = pier().keys().list().stream().filter(e -> appName.isPresent()
                    ? e.grants().on(appName.get()).equals(Optional.of(role))
                    : e.grants().apps().containsValue(role)).toList();
            format.rows(entries, e -> new Json(e.name().value(), e.fingerprint(), e.grants().describe()),
                    e -> e.name() + "  " + e.fingerprint() + "  " + e.grants().describe());
            return 0;
        }

        record Json(String name, String fingerprint, String access) {
        }
    }

    abstract static class Revoke extends PierCommand {
        private final Role role;

        Revoke(Role role) {
            this.role = role;
        }

        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        protected int run() {
            KeyName keyName = KeyName.of(name);
            Optional<Keys.Entry> left = pier().keys().revoke(keyName, app.app(), role);
            out().println("-----> " + keyName + " may no longer " + role.may() + " " + app.app());
            out().println(left.map(e -> "       " + keyName + ": " + e.grants().describe())
                    .orElse("       " + keyName + " had no other app and was removed"));
            return 0;
        }
    }

    @Command(name = "deploy:allow", mixinStandardHelpOptions = true,
            description = "Let a key push to and fetch APP, and nothing else (e.g. a CI system's); the key from FILE or stdin.")
    @Rule(scope = SERVER, changes = true)
    static class DeployAllow extends Allow {
        DeployAllow() {
            super(Role.deploy);
        }
    }

    @Command(name = "deploy:list", mixinStandardHelpOptions = true, description = "List the deploy keys (of APP).")
    @Rule(scope = SERVER, changes = false)
    static class DeployList extends ListRole {
        DeployList() {
            super(Role.deploy);
        }
    }

    @Command(name = "deploy:revoke", mixinStandardHelpOptions = true, description = "Take APP from a deploy key; with no app left it is removed.")
    @Rule(scope = SERVER, changes = true)
    static class DeployRevoke extends Revoke {
        DeployRevoke() {
            super(Role.deploy);
        }
    }

    @Command(name = "developer:allow", mixinStandardHelpOptions = true,
            description = "Let a key push to APP and run its commands (config, domains, ps, logs, run, releases); the key from FILE or stdin.")
    @Rule(scope = SERVER, changes = true)
    static class DeveloperAllow extends Allow {
        DeveloperAllow() {
            super(Role.developer);
        }
    }

    @Command(name = "developer:list", mixinStandardHelpOptions = true, description = "List the developer keys (of APP).")
    @Rule(scope = SERVER, changes = false)
    static class DeveloperList extends ListRole {
        DeveloperList() {
            super(Role.developer);
        }
    }

    @Command(name = "developer:revoke", mixinStandardHelpOptions = true,
            description = "Take APP from a developer key; with no app left it is removed.")
    @Rule(scope = SERVER, changes = true)
    static class DeveloperRevoke extends Revoke {
        DeveloperRevoke() {
            super(Role.developer);
        }
    }
}
