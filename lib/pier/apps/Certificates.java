package pier.apps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import pier.base.PierException;
import pier.engine.Nginx;
import pier.names.AppName;
import pier.names.Domain;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.PropertiesText;
import pier.state.Settings;

/**
 * Which certificate serves which of an app's names, where certificates are kept, and how one is put in place. An
 * app's own pair lives in {@code apps/APP/tls/} ({@code server.crt}, {@code server.key}, the {@code source} it came
 * from), the global one in {@code tls/}; both 0600, the pier user's, read by Nginx's master as root. An app's own
 * certificate serves the names it covers; otherwise the global one serves the app's names it covers; the rest stay
 * plain HTTP. A pair is checked whole ({@link CertificatePair}) before any file changes, and a site Nginx refuses
 * with the new files puts the old files back: a certificate change never leaves a half-changed server. Changes only
 * re-render sites and reload Nginx: no app restarts.
 */
public final class Certificates {
    public static final String CHAIN = "server.crt";
    public static final String KEY = "server.key";
    static final String SOURCE = "source";
    static final String SETTINGS = "settings.properties";
    /** Beside the global pair while it is being removed: no site is rendered with it any more. */
    private static final String WITHDRAWN = "withdrawn";
    /** Settings of {@code certs:set}: plain HTTP answers 301 to HTTPS (default on), HSTS is sent (default off). */
    public static final String REDIRECT = "redirect";
    public static final String HSTS = "hsts";
    private static final String KEY_MODE = "rw-------";
    private static final String DIR_MODE = "rwx------";

    /** Where a certificate came from: {@code certs:add}, {@code certs:generate} (and later ACME, "letsencrypt"). */
    public static final String OWN = "own";
    public static final String SELF_SIGNED = "self-signed";
    public static final String GLOBAL = "global";
    public static final String NONE = "none";

    /**
     * What putting a certificate in place did: its serial, the names it serves, those it does not, how many sites
     * changed (Nginx reloaded), and for the global one the apps whose sites could not be re-rendered, and why.
     */
    public record Installed(String serial, List<Domain> served, List<Domain> uncovered, int sitesChanged, List<String> skipped) {
        public Installed {
            served = List.copyOf(served);
            uncovered = List.copyOf(uncovered);
            skipped = List.copyOf(skipped);
        }
    }

    /** {@code certs:report}: the certificate that serves the app and the names it serves over HTTPS. */
    public record Report(AppName app, String source, Optional<String> issuer, List<String> names, Optional<Instant> notAfter,
                         Optional<String> serial, List<Domain> https, boolean redirect, boolean hsts) {
        public Report {
            names = List.copyOf(names);
            https = List.copyOf(https);
        }
    }

    private final PierHome home;
    private final Routing routing;

    public Certificates(PierHome home, Routing routing) {
        this.home = home;
        this.routing = routing;
    }

    // ---- what serves an app (read by Routing at every render) ----

    /** The HTTPS part of the app's site for {@code names}: its own certificate, else the global one, else none. */
    public Optional<Nginx.Tls> tls(AppName app, List<Domain> names) {
        for (Path dir : List.of(home.tls(app), home.globalTls())) {
            if (Files.exists(dir.resolve(WITHDRAWN))) {
                continue;
            }
            Optional<Stored> stored = stored(dir);
            if (stored.isPresent()) {
                List<Domain> covered = CertificatePair.coverage(CertificatePair.names(stored.get().leaf()), names).covered();
                if (!covered.isEmpty()) {
                    return Optional.of(new Nginx.Tls(covered, dir.resolve(CHAIN), dir.resolve(KEY), stored.get().fingerprint(),
                            setting(app, REDIRECT, true), setting(app, HSTS, false)));
                }
            }
        }
        return Optional.empty();
    }

    /** A stored chain: read back to know its names; a damaged one fails the app's command rather than pass for absent. */
    private record Stored(Path dir, List<X509Certificate> chain, String fingerprint, String source) {
        X509Certificate leaf() {
            return chain.get(0);
        }
    }

    private Optional<Stored> stored(Path dir) {
        Path chain = dir.resolve(CHAIN);
        if (!Files.isRegularFile(chain) || !Files.isRegularFile(dir.resolve(KEY))) {
            return Optional.empty();
        }
        String pem = AtomicFile.read(chain).orElse("");
        try {
            String source = AtomicFile.read(dir.resolve(SOURCE)).map(String::strip).filter(s -> !s.isEmpty()).orElse(OWN);
            return Optional.of(new Stored(dir, CertificatePair.certificates(pem), fingerprint(pem), source));
        } catch (PierException e) {
            throw PierException.failed(chain + " is damaged (" + e.getMessage() + "); replace it with pier certs:add, "
                    + "or remove it with pier certs:remove");
        }
    }

    private static String fingerprint(String pem) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(pem.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- an app's own certificate ----

    /**
     * Checks {@code chainPem} and {@code keyPem} as {@code certs:add} does (parse, key, order, dates, at least one of the
     * app's names), then serves them for the app's names they cover.
     */
    public Installed add(AppName app, String chainPem, String keyPem) {
        return install(app, CertificatePair.parse(chainPem, keyPem), OWN);
    }

    /** A new self-signed certificate for all the app's names, served at once. */
    public Installed generate(AppName app) {
        new Apps(home).require(app);
        return install(app, CertificatePair.selfSigned(new Apps(home).domains(app), Instant.now()), SELF_SIGNED);
    }

    /**
     * Puts a checked pair in place as the app's own, recorded as from {@code source} ("own", "self-signed"; the ACME
     * client passes "letsencrypt"), and re-renders the app's site if it has one. If Nginx refuses it, the previous files
     * are put back and this throws.
     */
    public Installed install(AppName app, CertificatePair pair, String source) {
        new Apps(home).require(app);
        try (Lock ignored = Lock.app(home, app)) {
            pair.checkValidAt(Instant.now());
            CertificatePair.Coverage coverage = pair.requireCovers(new Apps(home).domains(app), app + "'s");
            Path dir = home.tls(app);
            Snapshot before = Snapshot.of(dir);
            try {
                write(dir, pair, source);
                int changed = refresh(app) ? 1 : 0;
                return new Installed(pair.serial(), coverage.covered(), coverage.uncovered(), changed, List.of());
            } catch (RuntimeException e) {
                before.restore(dir);
                throw e;
            }
        }
    }

    /** Takes the app's own certificate away (its names go back to plain HTTP, or the global one); false if it had none. */
    public boolean remove(AppName app) {
        new Apps(home).require(app);
        try (Lock ignored = Lock.app(home, app)) {
            Path dir = home.tls(app);
            if (!Files.exists(dir.resolve(CHAIN)) && !Files.exists(dir.resolve(KEY))) {
                return false;
            }
            Snapshot before = Snapshot.of(dir);
            try {
                delete(dir);
                refresh(app);
            } catch (RuntimeException e) {
                before.restore(dir);
                throw e;
            }
            return true;
        }
    }

    /** Sets {@code redirect} or {@code hsts} for the app and re-renders its site; false when it had that value already. */
    public boolean set(AppName app, String name, boolean value) {
        new Apps(home).require(app);
        if (!name.equals(REDIRECT) && !name.equals(HSTS)) {
            throw PierException.usage("unknown setting " + name + ": certs:set takes " + REDIRECT + " or " + HSTS);
        }
        try (Lock ignored = Lock.app(home, app)) {
            Path file = home.tls(app).resolve(SETTINGS);
            Optional<String> before = AtomicFile.read(file);
            Properties props = PropertiesText.parse(before.orElse(""));
            if (setting(app, name, name.equals(REDIRECT)) == value) {
                return false;
            }
            props.setProperty(name, value ? "on" : "off");
            ensureDirectory(home.tls(app));
            AtomicFile.write(file, PropertiesText.of(props, "HTTPS settings of " + app + ", set with pier certs:set"), "rw-r--r--");
            try {
                refresh(app);
            } catch (RuntimeException e) {
                AtomicFile.write(file, before.orElse(""), "rw-r--r--");
                throw e;
            }
            return true;
        }
    }

    private boolean setting(AppName app, String name, boolean fallback) {
        String value = AtomicFile.read(home.tls(app).resolve(SETTINGS)).map(PropertiesText::parse)
                .map(p -> p.getProperty(name, "")).orElse("").strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> fallback;
        };
    }

    /** Parses a {@code certs:set} value: on/off (true/false, yes/no too). */
    public static boolean onOff(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw PierException.usage("give on or off, not " + value);
        };
    }

    // ---- the global certificate ----

    /**
     * Checks a pair as {@code certs:add --global} does (it must cover {@code *.GLOBAL} or a name some app has), puts it
     * in place and re-renders every app's site; if Nginx refuses one, the old files and sites come back.
     */
    public Installed addGlobal(String chainPem, String keyPem) {
        CertificatePair pair = CertificatePair.parse(chainPem, keyPem);
        pair.checkValidAt(Instant.now());
        List<Domain> candidates = new ArrayList<>();
        new Settings(home).globalDomain().ifPresent(g -> candidates.add(Domain.of("*." + g.value())));
        for (AppName app : new Apps(home).list()) {
            try {
                candidates.addAll(new Apps(home).domains(app));
            } catch (PierException damaged) {
                // Its names cannot be read; the refresh below names the app and why.
            }
        }
        if (candidates.isEmpty()) {
            throw PierException.failed("there is no global domain and no app yet: set one first (pier domains:set-global DOMAIN)");
        }
        CertificatePair.Coverage coverage = pair.requireCovers(candidates, "the server's");
        List<String> skipped = new ArrayList<>();
        int changed = changeGlobal(() -> write(home.globalTls(), pair, OWN), skipped);
        return new Installed(pair.serial(), coverage.covered(), List.of(), changed, skipped);
    }

    /**
     * Takes the global certificate away; empty if there was none, else the apps whose sites could not be re-rendered.
     * The sites stop loading the files before the files go: {@code nginx -t} checks every site at each re-render, and
     * one still naming a deleted file would fail them all.
     */
    public Optional<List<String>> removeGlobal() {
        if (!Files.exists(home.globalTls().resolve(CHAIN)) && !Files.exists(home.globalTls().resolve(KEY))) {
            return Optional.empty();
        }
        List<String> skipped = new ArrayList<>();
        Path withdrawn = home.globalTls().resolve(WITHDRAWN);
        try {
            changeGlobal(() -> AtomicFile.write(withdrawn, "", "rw-------"), skipped);
            delete(home.globalTls());
        } finally {
            try {
                Files.deleteIfExists(withdrawn);
            } catch (IOException e) {
                throw PierException.failed("cannot remove " + withdrawn + ": " + e.getMessage(), e);
            }
        }
        return Optional.of(List.copyOf(skipped));
    }

    /**
     * Makes {@code change} to the global files and re-renders every app's site. One app whose site cannot be re-rendered
     * (damaged state, say) does not block the others: it is named in {@code skipped} and keeps its site, unless that site
     * loads the global files, which then cannot go away under it: the files and the sites changed so far are put back.
     */
    private int changeGlobal(Runnable change, List<String> skipped) {
        try (Lock ignored = Lock.global(home, "certs")) {
            Snapshot before = Snapshot.of(home.globalTls());
            change.run();
            List<AppName> changed = new ArrayList<>();
            try {
                for (AppName app : new Apps(home).list()) {
                    try (Lock appLock = Lock.app(home, app)) {
                        if (refresh(app)) {
                            changed.add(app);
                        }
                    } catch (PierException e) {
                        if (loadsGlobal(app)) {
                            throw e;
                        }
                        skipped.add(app + ": " + e.getMessage());
                    }
                }
                return changed.size();
            } catch (RuntimeException e) {
                before.restore(home.globalTls());
                for (AppName app : changed) {
                    try (Lock appLock = Lock.app(home, app)) {
                        refresh(app);
                    }
                }
                throw PierException.failed(e.getMessage() + "; the global certificate was left as it was");
            }
        }
    }

    private boolean loadsGlobal(AppName app) {
        return AtomicFile.read(home.vhost(app)).map(site -> site.contains(home.globalTls().resolve(CHAIN).toString())).orElse(false);
    }

    // ---- report ----

    public Report report(AppName app) {
        new Apps(home).require(app);
        List<Domain> names = new Apps(home).domains(app);
        boolean redirect = setting(app, REDIRECT, true);
        boolean hsts = setting(app, HSTS, false);
        Optional<Stored> own = stored(home.tls(app));
        if (own.isPresent()) {
            return report(app, own.get(), names, redirect, hsts);
        }
        Optional<Stored> global = stored(home.globalTls())
                .filter(s -> !CertificatePair.coverage(CertificatePair.names(s.leaf()), names).covered().isEmpty());
        if (global.isPresent()) {
            Report r = report(app, global.get(), names, redirect, hsts);
            return new Report(app, GLOBAL, r.issuer(), r.names(), r.notAfter(), r.serial(), r.https(), redirect, hsts);
        }
        return new Report(app, NONE, Optional.empty(), List.of(), Optional.empty(), Optional.empty(), List.of(), redirect, hsts);
    }

    private static Report report(AppName app, Stored stored, List<Domain> names, boolean redirect, boolean hsts) {
        X509Certificate leaf = stored.leaf();
        List<String> certified = CertificatePair.names(leaf);
        return new Report(app, stored.source(), Optional.of(leaf.getIssuerX500Principal().getName()), certified,
                Optional.of(leaf.getNotAfter().toInstant()), Optional.of(CertificatePair.serial(leaf)),
                CertificatePair.coverage(certified, names).covered(), redirect, hsts);
    }

    // ---- files ----

    /** Re-renders the app's site with its names and current upstreams; false when it has none (not deployed yet). */
    private boolean refresh(AppName app) {
        if (!Files.exists(home.vhost(app))) {
            return false;
        }
        return routing.routeTo(app, routing.routed(app));
    }

    private static void write(Path dir, CertificatePair pair, String source) {
        ensureDirectory(dir);
        // The key first: until the chain is there, the pair is not taken for present.
        AtomicFile.write(dir.resolve(KEY), pair.keyPem(), KEY_MODE);
        AtomicFile.write(dir.resolve(CHAIN), pair.chainPem(), KEY_MODE);
        AtomicFile.write(dir.resolve(SOURCE), source + "\n", "rw-r--r--");
    }

    private static void delete(Path dir) {
        try {
            for (String name : List.of(CHAIN, KEY, SOURCE)) {
                Files.deleteIfExists(dir.resolve(name));
            }
        } catch (IOException e) {
            throw PierException.failed("cannot remove the certificate in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void ensureDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(DIR_MODE));
            }
        } catch (IOException e) {
            throw PierException.failed("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The certificate files of a directory as they were, to put back when Nginx refuses the new ones. */
    private record Snapshot(Map<String, Optional<byte[]>> files) {
        static Snapshot of(Path dir) {
            Map<String, Optional<byte[]>> files = new LinkedHashMap<>();
            // The removal mark too: a failed removal puts the sites back with the files it kept.
            for (String name : List.of(KEY, CHAIN, SOURCE, WITHDRAWN)) {
                try {
                    Path file = dir.resolve(name);
                    files.put(name, Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty());
                } catch (IOException e) {
                    throw PierException.failed("cannot read " + dir.resolve(name) + ": " + e.getMessage(), e);
                }
            }
            return new Snapshot(files);
        }

        void restore(Path dir) {
            files.forEach((name, content) -> {
                Path file = dir.resolve(name);
                if (content.isPresent()) {
                    AtomicFile.write(file, content.get(), name.equals(SOURCE) ? "rw-r--r--" : KEY_MODE);
                } else {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        throw PierException.failed("cannot remove " + file + ": " + e.getMessage(), e);
                    }
                }
            });
        }
    }
}
