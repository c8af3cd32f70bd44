package pier.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import pier.base.PierException;
import pier.base.Shown;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.KeyName;
import pier.state.AtomicFile;
import pier.state.Damaged;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * The SSH keys allowed to reach pier, one {@code NAME.pub} each under {@code keys/} with its {@link Grants}
 * beside it, and the {@code authorized_keys} rendered from them. Every line there forces pier's own command
 * with {@code restrict}, so no key ever reaches a shell, a forwarding or an agent; keys that may run
 * {@code enter} also get a pty for its terminal. A key is known by its fingerprint: one key has one name, whatever it is granted.
 */
public final class Keys {
    /** A stored key, the name it was added under and what it may do. */
    public record Entry(KeyName name, SshKey key, Grants grants) {
        public String fingerprint() {
            return key.fingerprint();
        }
    }

    /** The outcome of a grant: the key as stored now, and its role on the app before (if it had one). */
    public record Granted(Entry entry, Optional<Role> before, boolean newKey) {
    }

    private final PierHome home;
    private final Templates templates;

    public Keys(PierHome home, Templates templates) {
        this.home = home;
        this.templates = templates;
    }

    /** Every readable key, by name; a damaged key is reported on stderr and skipped (see {@link #scan}). */
    public List<Entry> list() {
        Scan scan = scan();
        scan.damaged().forEach(Damaged::report);
        return scan.keys();
    }

    /** What {@link #list} reads: the readable keys, and the key files it skips as damaged. */
    public record Scan(List<Entry> keys, List<Damaged> damaged) {
    }

    /**
     * Every stored key, each read on its own: a key whose {@code .pub} or {@code .grants} is empty or unreadable
     * (say, after a power loss) is damaged and left out, so it can neither log in nor stop any other key's command.
     */
    public Scan scan() {
        if (!Files.isDirectory(home.keys())) {
            return new Scan(List.of(), List.of());
        }
        try (Stream<Path> files = Files.list(home.keys())) {
            List<Entry> entries = new ArrayList<>();
            List<Damaged> damaged = new ArrayList<>();
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".pub")).sorted().forEach(n -> {
                KeyName name;
                try {
                    name = KeyName.of(n.substring(0, n.length() - 4));
                } catch (PierException notAKey) {
                    return; // pier never writes such a name: not one of its keys
                }
                read(name).ifPresent(r -> {
                    r.entry().ifPresent(entries::add);
                    r.damaged().ifPresent(damaged::add);
                });
            });
            entries.sort(java.util.Comparator.comparing(Entry::name));
            return new Scan(List.copyOf(entries), List.copyOf(damaged));
        } catch (IOException e) {
            throw PierException.failed("cannot read keys in " + home.keys() + ": " + e.getMessage(), e);
        }
    }

    /** One key read: its entry, or why its file is damaged. */
    private record Read(Optional<Entry> entry, Optional<Damaged> damaged) {
    }

    /** Reads the key {@code name} alone; empty when it is not stored. */
    private Optional<Read> read(KeyName name) {
        Optional<String> pubText = AtomicFile.read(pub(name));
        if (pubText.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> grantsText = AtomicFile.read(grantsFile(name));
        Optional<Damaged> damaged = Damaged.emptiness(pubText.get()).map(p -> damaged(pub(name), name, p))
                .or(() -> grantsText.flatMap(Damaged::emptiness).map(p -> damaged(grantsFile(name), name, p)));
        if (damaged.isEmpty()) {
            try {
                SshKey key = SshKey.parse(pubText.get());
                Grants grants = grantsText.map(Grants::parse).orElse(Grants.none());
                return Optional.of(new Read(Optional.of(new Entry(name, key, grants)), Optional.empty()));
            } catch (PierException e) {
                damaged = Optional.of(damaged(pub(name), name, Damaged.unparsable(e)));
            }
        }
        return Optional.of(new Read(Optional.empty(), damaged));
    }

    private static Damaged damaged(Path file, KeyName name, String problem) {
        return new Damaged(file, problem, "the key " + name + " cannot log in until it is added again (pier ssh-keys:add "
                + name + " FILE, or deploy:allow / developer:allow), or removed (pier ssh-keys:remove " + name + ")");
    }

    /**
     * The key {@code name}, read alone: another key's damaged file never stands in its way. When its own file is
     * damaged, that is the error, saying what to do.
     */
    public Optional<Entry> get(KeyName name) {
        Optional<Read> read = read(name);
        read.flatMap(Read::damaged).ifPresent(d -> {
            throw d.failure();
        });
        return read.flatMap(Read::entry);
    }

    /**
     * Writes {@code *=admin} for every key stored without a grants file: before roles existed every key was an admin,
     * and since a missing file now grants nothing, an upgrade says so explicitly. Returns the names it changed.
     */
    public List<KeyName> migrateImplicitAdmins(boolean dryRun) {
        try (Lock ignored = Lock.keys(home)) {
            List<KeyName> implicit = implicitAdmins();
            if (!dryRun && !implicit.isEmpty()) {
                implicit.forEach(name -> AtomicFile.write(grantsFile(name), Grants.all().text(), "rw-r--r--"));
                sync();
            }
            return implicit;
        }
    }

    /** The keys stored without a grants file, which today's pier grants nothing. */
    public List<KeyName> implicitAdmins() {
        if (!Files.isDirectory(home.keys())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(home.keys())) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".pub"))
                    .map(n -> KeyName.of(n.substring(0, n.length() - 4)))
                    .filter(name -> !Files.exists(grantsFile(name))).sorted().toList();
        } catch (IOException e) {
            throw PierException.failed("cannot read keys in " + home.keys() + ": " + e.getMessage(), e);
        }
    }

    /** The keys with {@code role} on {@code app}. */
    public List<Entry> withRole(AppName app, Role role) {
        return list().stream().filter(e -> e.grants().on(app).equals(Optional.of(role))).toList();
    }

    /** Adds an admin key: it may run every command and push to every app. */
    public Entry add(KeyName name, SshKey key) {
        try (Lock ignored = Lock.keys(home)) {
            for (Entry e : list()) {
                if (e.name().equals(name)) {
                    throw PierException.failed("a key named " + name + " exists already: remove it first with pier ssh-keys:remove " + name);
                }
                if (e.fingerprint().equals(key.fingerprint())) {
                    throw PierException.failed("this key is already added as " + e.name() + " (" + e.grants().describe()
                            + "); remove it first with pier ssh-keys:remove " + e.name());
                }
            }
            // The grants first, so the key is never there, even for a moment, as something it is not.
            AtomicFile.write(grantsFile(name), Grants.all().text(), "rw-r--r--");
            AtomicFile.write(pub(name), key.line() + "\n", "rw-r--r--");
            sync();
            return new Entry(name, key, Grants.all());
        }
    }

    /**
     * Gives {@code key} {@code role} on {@code app}, adding the key if it is new. Without a name the key is
     * found by its fingerprint, or named by its comment. A key may hold roles on several apps, one role each.
     */
    public Granted grant(AppName app, Role role, Optional<KeyName> name, SshKey key) {
        try (Lock ignored = Lock.keys(home)) {
            List<Entry> all = list();
            Optional<Entry> same = all.stream().filter(e -> e.fingerprint().equals(key.fingerprint())).findFirst();
            if (same.isPresent() && same.get().grants().admin()) {
                throw PierException.failed("this key is the admin key " + same.get().name()
                        + ", which may already push to and run everything");
            }
            if (same.isPresent() && name.isPresent() && !name.get().equals(same.get().name())) {
                throw PierException.failed("this key is already added as " + same.get().name() + "; grant it under that name");
            }
            KeyName chosen = same.map(Entry::name).or(() -> name).orElseGet(() -> nameFromComment(key));
            if (same.isEmpty()) {
                all.stream().filter(e -> e.name().equals(chosen)).findFirst().ifPresent(e -> {
                    throw PierException.failed("a key named " + chosen + " exists already (" + e.fingerprint()
                            + "); give this one another name, or remove that one with pier ssh-keys:remove " + chosen);
                });
            }
            Grants before = same.map(Entry::grants).orElse(Grants.none());
            Grants after = before.with(app, role);
            // The grants are written before the key, so a key never exists, even for a moment, without them.
            AtomicFile.write(grantsFile(chosen), after.text(), "rw-r--r--");
            if (same.isEmpty()) {
                AtomicFile.write(pub(chosen), key.line() + "\n", "rw-r--r--");
            }
            sync();
            return new Granted(new Entry(chosen, key, after), before.on(app), same.isEmpty());
        }
    }

    /** Takes {@code role} on {@code app} from the key; a key left with no app is removed. Returns what is left. */
    public Optional<Entry> revoke(KeyName name, AppName app, Role role) {
        try (Lock ignored = Lock.keys(home)) {
            Entry entry = get(name).orElseThrow(() -> PierException.failed("no key named " + name + ": see pier " + role + ":list " + app));
            if (!entry.grants().on(app).equals(Optional.of(role))) {
                throw PierException.failed(name + " is not a " + role + " key of " + app + " (it is " + entry.grants().describe()
                        + "): see pier " + role + ":list " + app);
            }
            Optional<Entry> left = keep(entry, entry.grants().without(app));
            sync();
            return left;
        }
    }

    /** Drops every grant on a destroyed app, so a new app of the same name starts with none. */
    public void forget(AppName app) {
        try (Lock ignored = Lock.keys(home)) {
            for (Entry entry : list()) {
                if (entry.grants().on(app).isPresent()) {
                    keep(entry, entry.grants().without(app));
                }
            }
            sync();
        }
    }

    public void remove(KeyName name) {
        try (Lock ignored = Lock.keys(home)) {
            if (!Files.exists(pub(name))) {
                throw PierException.failed("no key named " + name + ": see pier ssh-keys:list");
            }
            delete(name);
            sync();
        }
    }

    private Optional<Entry> keep(Entry entry, Grants grants) {
        if (grants.apps().isEmpty()) {
            delete(entry.name());
            return Optional.empty();
        }
        AtomicFile.write(grantsFile(entry.name()), grants.text(), "rw-r--r--");
        return Optional.of(new Entry(entry.name(), entry.key(), grants));
    }

    /** The key goes first, so an interrupted removal leaves no key behind, only a grants file nothing reads. */
    private void delete(KeyName name) {
        AtomicFile.delete(pub(name));
        AtomicFile.delete(grantsFile(name));
    }


    private static KeyName nameFromComment(SshKey key) {
        if (key.comment().isBlank()) {
            throw PierException.usage("the key has no comment to name it by: give a NAME (e.g. ci) before the key");
        }
        try {
            return KeyName.of(key.comment());
        } catch (PierException e) {
            throw PierException.usage("the key's comment " + Shown.quote(key.comment())
                    + " cannot be a key name: give a NAME (1-64 letters, digits, '.', '_', '@' or '-')");
        }
    }

    private Path pub(KeyName name) {
        return home.keys().resolve(name + ".pub");
    }

    private Path grantsFile(KeyName name) {
        return home.keys().resolve(name + ".grants");
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

    /** authorized_keys; a key gets a terminal when it may run app commands (enter needs one). */
    public String render() {
        List<Map<String, Object>> keys = list().stream().map(e -> Map.<String, Object>of(
                "name", e.name().value(), "line", e.key().line(), "pty", Access.mayRun(Actor.of(e), Access.Scope.APP))).toList();
        return templates.render("ssh/authorized_keys.ftl", Map.of("keys", keys, "command", PierHome.LAUNCHER.toString()));
    }
}
