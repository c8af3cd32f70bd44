package pier.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pier.access.Events;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.Acme;
import pier.engine.ServedCertificate;
import pier.names.AppName;
import pier.names.Domain;
import pier.state.AtomicFile;
import pier.state.PierHome;
import pier.state.PropertiesText;
import pier.state.Settings;

/**
 * Let's Encrypt (or any ACME server) certificates for apps: one certificate for all of an app's names (its domains and
 * the names it redirects), issued by {@code letsencrypt:enable} and renewed by the host's daily trigger, which runs
 * {@code letsencrypt:renew} ({@code install/HostSchedule}). A renewal is due at a third of the certificate's lifetime
 * left, and never later than {@value #RENEW_BEFORE} before it expires. After each issue, the certificate Nginx
 * serves for every name is compared with the new one, and a difference is an error. What happened to each app is kept
 * in {@code apps/APP/letsencrypt} (dates, serial, the last error) and in the event log, never key material.
 */
public final class LetsEncrypt {
    public static final String EMAIL = "letsencrypt.email";
    public static final String SERVER = "letsencrypt.server";
    public static final String SERVER_CA = "letsencrypt.server-ca";
    public static final String RENEW_BEFORE = "letsencrypt.renew-before";
    public static final String PRODUCTION = "acme://letsencrypt.org";
    public static final String STAGING = "acme://letsencrypt.org/staging";
    static final Duration DEFAULT_RENEW_BEFORE = Duration.ofDays(7);
    /** Where {@link Certificates} records a certificate that came from here. */
    static final String SOURCE = "letsencrypt";
    /** How long Nginx's old workers may still present the old certificate after the reload. */
    static final Duration SERVED_WAIT = Duration.ofSeconds(5);

    /** What pier knows of an app's certificate from here. */
    public record State(boolean enabled, Optional<Instant> notBefore, Optional<Instant> notAfter, Optional<String> serial,
                        Optional<Instant> lastAttempt, Optional<String> lastError) {
        /** When the certificate should be renewed; empty when there is none yet. */
        public Optional<Instant> renewAt(Duration renewBefore) {
            if (notBefore.isEmpty() || notAfter.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(LetsEncrypt.renewAt(notBefore.get(), notAfter.get(), renewBefore));
        }
    }

    /** What one issue did: the serial served, the names in it, and each name left out with the reason. */
    public record Outcome(AppName app, String serial, List<Domain> names, Map<Domain, String> failed) {
    }

    private final PierHome home;
    private final Certificates certificates;
    private final Function<Domain, Optional<String>> served;

    public LetsEncrypt(PierHome home, Certificates certificates) {
        this(home, certificates, name -> ServedCertificate.of(name).map(CertificatePair::serial));
    }

    LetsEncrypt(PierHome home, Certificates certificates, Function<Domain, Optional<String>> served) {
        this.home = home;
        this.certificates = certificates;
        this.served = served;
    }

    /**
     * The latest a certificate valid from {@code notBefore} to {@code notAfter} is renewed: when a third of its
     * lifetime is left, or {@code renewBefore} before it expires if that comes first.
     */
    public static Instant renewAt(Instant notBefore, Instant notAfter, Duration renewBefore) {
        Duration third = Duration.between(notBefore, notAfter).dividedBy(3);
        return notAfter.minus(third.compareTo(renewBefore) > 0 ? third : renewBefore);
    }

    /** Marks the app for renewal and issues its certificate now. */
    public Outcome enable(AppName app, Progress progress) {
        new Apps(home).require(app);
        State before = state(app);
        write(app, new State(true, before.notBefore(), before.notAfter(), before.serial(), before.lastAttempt(), before.lastError()));
        return issue(app, progress);
    }

    /** Stops renewing the app, and takes its certificate from here away; false when it was not enabled. */
    public boolean disable(AppName app) {
        new Apps(home).require(app);
        State state = state(app);
        if (!state.enabled()) {
            return false;
        }
        if (certificates.report(app).source().equals(SOURCE)) {
            certificates.remove(app);
        }
        delete(app);
        new Events(home).record(SOURCE, Optional.of(app), "ok", "letsencrypt disabled", List.of());
        return true;
    }

    /** Every app with Let's Encrypt enabled, by name. */
    public List<AppName> enabled() {
        return new Apps(home).list().stream().filter(a -> state(a).enabled()).toList();
    }

    /** Renews every enabled app whose renewal is due at {@code now}; one app's failure does not stop the others. */
    public List<String> renewDue(Instant now, Progress progress) {
        List<String> done = new ArrayList<>();
        Duration renewBefore = renewBefore();
        for (AppName app : enabled()) {
            Optional<Instant> at = state(app).renewAt(renewBefore);
            if (at.isPresent() && now.isBefore(at.get())) {
                continue;
            }
            try {
                Outcome o = issue(app, progress);
                done.add(app + ": renewed, serial " + o.serial());
            } catch (PierException e) {
                progress.warn(app + ": " + e.getMessage());
                done.add(app + ": failed: " + Shown.firstLine(e.getMessage()));
            }
        }
        return done;
    }

    /** Renews the app's certificate now, due or not; refused when Let's Encrypt is not enabled for it. */
    public Outcome renew(AppName app, Progress progress) {
        new Apps(home).require(app);
        if (!state(app).enabled()) {
            throw PierException.failed("Let's Encrypt is not enabled for " + app + "; enable it with: pier letsencrypt:enable " + app);
        }
        return issue(app, progress);
    }

    /** The app's certificate, issued (or renewed) now for all its names, installed and checked as served. */
    Outcome issue(AppName app, Progress progress) {
        new Apps(home).require(app);
        State before = state(app);
        List<Domain> names = new ArrayList<>(new Apps(home).domains(app));
        Redirects.sources(home, app).forEach(names::add);
        names.removeIf(Domain::wildcard);
        Instant attempt = Instant.now();
        try {
            progress.step("Asking " + server() + " for a certificate for " + String.join(" ", names.stream().map(Domain::value).toList()));
            Acme.Issued issued = acme().issue(names, progress);
            issued.failed().forEach((name, why) -> progress.warn(name + " could not be proved: " + Shown.oneLine(why)));
            if (issued.chainPem().isEmpty()) {
                throw PierException.failed("no name of " + app + " could be proved, so no certificate was issued: "
                        + reasons(issued.failed()));
            }
            CertificatePair pair = CertificatePair.parse(issued.chainPem().get(), issued.keyPem().orElseThrow());
            Certificates.Installed installed = certificates.install(app, pair, SOURCE);
            checkServed(installed.served(), pair.serial());
            write(app, new State(true, Optional.of(pair.leaf().getNotBefore().toInstant()),
                    Optional.of(pair.leaf().getNotAfter().toInstant()), Optional.of(pair.serial()), Optional.of(attempt),
                    issued.failed().isEmpty() ? Optional.empty() : Optional.of("left out: " + reasons(issued.failed()))));
            new Events(home).record(SOURCE, Optional.of(app), "ok", (before.serial().isPresent() ? "letsencrypt renewed " : "letsencrypt issued ")
                    + pair.serial() + " for " + String.join(" ", issued.names().stream().map(Domain::value).toList()), List.of());
            progress.step("Serving certificate " + pair.serial() + " for " + app + " until " + pair.leaf().getNotAfter().toInstant());
            return new Outcome(app, pair.serial(), issued.names(), issued.failed());
        } catch (PierException e) {
            write(app, new State(true, before.notBefore(), before.notAfter(), before.serial(), Optional.of(attempt),
                    Optional.of(Shown.oneLine(e.getMessage()))));
            new Events(home).record(SOURCE, Optional.of(app), "failed: " + Shown.oneLine(e.getMessage()), "letsencrypt issue", List.of());
            throw e;
        }
    }

    /** Each name must be served with the new certificate once Nginx's old workers are gone. */
    private void checkServed(List<Domain> names, String serial) {
        for (Domain name : names) {
            long deadline = System.nanoTime() + SERVED_WAIT.toNanos();
            Optional<String> seen = served.apply(name);
            while (!seen.equals(Optional.of(serial)) && System.nanoTime() < deadline) {
                sleep();
                seen = served.apply(name);
            }
            if (!seen.equals(Optional.of(serial))) {
                throw PierException.failed("Nginx serves " + seen.map(s -> "certificate " + s).orElse("no certificate") + " for "
                        + name + ", not the new " + serial + "; see nginx -T and pier certs:report");
            }
        }
    }

    public State state(AppName app) {
        Optional<String> text = AtomicFile.read(file(app));
        if (text.isEmpty()) {
            return new State(false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
        Properties p = PropertiesText.parse(text.get());
        return new State(Boolean.parseBoolean(p.getProperty("enabled")), instant(p, "not-before"), instant(p, "not-after"),
                Optional.ofNullable(p.getProperty("serial")), instant(p, "last-attempt"), Optional.ofNullable(p.getProperty("last-error")));
    }

    /** How long before expiry a renewal is due at the latest ({@value #RENEW_BEFORE}, e.g. {@code 7d}, {@code 36h}). */
    public Duration renewBefore() {
        return new Settings(home).get(RENEW_BEFORE).map(LetsEncrypt::duration).orElse(DEFAULT_RENEW_BEFORE);
    }

    public String server() {
        return new Settings(home).get(SERVER).orElse(PRODUCTION);
    }

    /** Checks and stores one {@code letsencrypt:set} setting: email, server, server-ca or renew-before (null: unset). */
    public void set(String key, String value) {
        String setting = switch (key) {
            case "email" -> {
                if (value != null && !value.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                    throw PierException.usage("invalid email " + Shown.quote(value) + ": give an address such as admin@example.com");
                }
                yield EMAIL;
            }
            case "server" -> {
                if (value != null && !value.matches("(https://|acme://)\\S+") && !value.equals("staging") && !value.equals("production")) {
                    throw PierException.usage("invalid server " + Shown.quote(value) + ": give staging, production, or an ACME"
                            + " directory URL (https://...)");
                }
                yield SERVER;
            }
            case "server-ca" -> {
                if (value != null && !Files.isReadable(Path.of(value))) {
                    throw PierException.usage(value + " cannot be read by pier: give a PEM certificate file pier can read");
                }
                yield SERVER_CA;
            }
            case "renew-before" -> {
                if (value != null) {
                    duration(value);
                }
                yield RENEW_BEFORE;
            }
            default -> throw PierException.usage("unknown setting " + Shown.quote(key) + ": use email, server, server-ca or renew-before");
        };
        String stored = value == null ? null : value.equals("staging") ? STAGING : value.equals("production") ? PRODUCTION : value;
        new Settings(home).set(setting, stored);
    }

    static Duration duration(String text) {
        Matcher m = Pattern.compile("([0-9]{1,4})([dh])").matcher(text);
        if (!m.matches()) {
            throw PierException.usage("invalid duration " + Shown.quote(text) + ": give days or hours, such as 7d or 36h");
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("d") ? Duration.ofDays(n) : Duration.ofHours(n);
    }

    private Acme acme() {
        Settings settings = new Settings(home);
        return new Acme(server(), settings.get(SERVER_CA).map(Path::of), home.root().resolve("letsencrypt/account.key"),
                settings.get(EMAIL), PierHome.ACME_CHALLENGES);
    }

    private static String reasons(Map<Domain, String> failed) {
        List<String> out = new ArrayList<>();
        failed.forEach((name, why) -> out.add(name + " (" + Shown.oneLine(why) + ")"));
        return String.join(", ", out);
    }

    private void write(AppName app, State s) {
        Properties p = new Properties();
        p.setProperty("enabled", Boolean.toString(s.enabled()));
        s.notBefore().ifPresent(i -> p.setProperty("not-before", i.toString()));
        s.notAfter().ifPresent(i -> p.setProperty("not-after", i.toString()));
        s.serial().ifPresent(v -> p.setProperty("serial", v));
        s.lastAttempt().ifPresent(i -> p.setProperty("last-attempt", i.toString()));
        s.lastError().ifPresent(v -> p.setProperty("last-error", v));
        AtomicFile.write(file(app), PropertiesText.of(p, "pier letsencrypt state of " + app), "rw-r--r--");
    }

    private void delete(AppName app) {
        try {
            Files.deleteIfExists(file(app));
        } catch (java.io.IOException e) {
            throw PierException.failed("cannot remove " + file(app) + ": " + e.getMessage(), e);
        }
    }

    private Path file(AppName app) {
        return home.app(app).resolve("letsencrypt");
    }

    private static Optional<Instant> instant(Properties p, String key) {
        try {
            return Optional.ofNullable(p.getProperty(key)).map(Instant::parse);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted", e);
        }
    }
}
