package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The SSH keys allowed to reach pier, one file each under {@code keys/}, and the {@code authorized_keys}
 * rendered from them. Every line there forces pier's own command with {@code restrict,pty}, so no key ever
 * reaches a shell, a forwarding or an agent; the pty only gives {@code enter} a terminal.
 */
public final class Keys {
    /** A stored key and the name it was added under. */
    public record Entry(KeyName name, SshKey key) {
        public String fingerprint() {
            return key.fingerprint();
        }
    }

    private final PierHome home;
    private final Templates templates;

    public Keys(PierHome home, Templates templates) {
        this.home = home;
        this.templates = templates;
    }

    public List<Entry> list() {
        if (!Files.isDirectory(home.keys())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(home.keys())) {
            List<Entry> entries = new ArrayList<>();
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".pub")).forEach(n -> {
                KeyName name = KeyName.of(n.substring(0, n.length() - 4));
                entries.add(new Entry(name, SshKey.parse(AtomicFile.read(home.keys().resolve(n)).orElseThrow())));
            });
            entries.sort(java.util.Comparator.comparing(Entry::name));
            return entries;
        } catch (IOException e) {
            throw PierException.failed("cannot read keys in " + home.keys() + ": " + e.getMessage(), e);
        }
    }

    public Optional<Entry> get(KeyName name) {
        return list().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    public Entry add(KeyName name, SshKey key) {
        try (Lock ignored = Lock.keys(home)) {
            for (Entry e : list()) {
                if (e.name().equals(name)) {
                    throw PierException.failed("a key named " + name + " exists already: remove it first with pier ssh-keys:remove " + name);
                }
                if (e.fingerprint().equals(key.fingerprint())) {
                    throw PierException.failed("this key is already added as " + e.name());
                }
            }
            AtomicFile.write(home.keys().resolve(name + ".pub"), key.line() + "\n", "rw-r--r--");
            sync();
            return new Entry(name, key);
        }
    }

    public void remove(KeyName name) {
        try (Lock ignored = Lock.keys(home)) {
            Path file = home.keys().resolve(name + ".pub");
            if (!Files.exists(file)) {
                throw PierException.failed("no key named " + name + ": see pier ssh-keys:list");
            }
            Files.delete(file);
            sync();
        } catch (IOException e) {
            throw PierException.failed("cannot remove key " + name + ": " + e.getMessage(), e);
        }
    }

    /** Rewrites authorized_keys from the stored keys; returns true when its content changed. */
    public boolean sync() {
        String content = render();
        try {
            Files.createDirectories(home.authorizedKeys().getParent());
            Files.setPosixFilePermissions(home.authorizedKeys().getParent(),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw PierException.failed("cannot prepare " + home.authorizedKeys().getParent() + ": " + e.getMessage(), e);
        }
        return AtomicFile.write(home.authorizedKeys(), content, "rw-------");
    }

    public String render() {
        List<Map<String, String>> keys = list().stream().map(e -> Map.of(
                "name", e.name().value(), "line", e.key().line())).toList();
        return templates.render("ssh/authorized_keys.ftl", Map.of("keys", keys, "command", Launcher.PATH.toString()));
    }
}
