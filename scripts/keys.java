///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/*.java
package pier.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import pier.Cli;
import pier.Json;
import pier.KeyName;
import pier.Keys;
import pier.Pier;
import pier.PierException;
import pier.SshKey;

/** pier's admin key commands: ssh-keys:add, ssh-keys:list, ssh-keys:remove. */
@Command(name = "ssh-keys", description = "Manage the admin SSH keys allowed to push and run every command.",
        mixinStandardHelpOptions = true, subcommands = {keys.Add.class, keys.ListKeys.class, keys.Remove.class})
public class keys {
    static final Class<?>[] COMMANDS = {Add.class, ListKeys.class, Remove.class};

    public static void main(String... args) {
        System.exit(Cli.execute(new keys(), args));
    }

    @Command(name = "ssh-keys:add", description = "Add an admin key, read from FILE or from stdin.", mixinStandardHelpOptions = true)
    static class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "a name for the key, e.g. alice")
        String name;
        @Parameters(index = "1", arity = "0..1", paramLabel = "FILE", description = "the public key file; stdin when omitted")
        Path file;

        public Integer call() throws IOException {
            KeyName keyName = KeyName.of(name);
            String text;
            try {
                text = file != null ? Files.readString(file) : new String(System.in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw PierException.failed("cannot read " + file + " as the pier user (" + e.getClass().getSimpleName()
                        + "); pass the key on stdin instead: pier ssh-keys:add " + keyName + " < " + file);
            }
            Keys.Entry entry = Pier.local().keys().add(keyName, SshKey.parse(text));
            spec.commandLine().getOut().println("-----> Added key " + entry.name() + " (" + entry.fingerprint() + ")");
            return 0;
        }
    }

    @Command(name = "ssh-keys:list", description = "List the admin keys with their fingerprints.", mixinStandardHelpOptions = true)
    static class ListKeys implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--format", defaultValue = "text", description = "text or json")
        Cli.Format format;

        public Integer call() {
            var entries = Pier.local().keys().list();
            var out = spec.commandLine().getOut();
            if (format == Cli.Format.json) {
                out.println(Json.of(entries.stream().map(e -> Map.of("name", e.name().value(),
                        "type", e.key().type(), "fingerprint", e.fingerprint())).toList()));
            } else {
                entries.forEach(e -> out.println(e.name() + "  " + e.key().type() + "  " + e.fingerprint()));
            }
            return 0;
        }
    }

    @Command(name = "ssh-keys:remove", description = "Remove a key; it can no longer connect.", mixinStandardHelpOptions = true)
    static class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME")
        String name;

        public Integer call() {
            KeyName keyName = KeyName.of(name);
            Pier.local().keys().remove(keyName);
            spec.commandLine().getOut().println("-----> Removed key " + keyName);
            return 0;
        }
    }
}
