package pier.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.Domain;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * Points Nginx at an app. The vhost is rendered from {@code nginx/app.conf.ftl}, swapped in atomically and
 * checked with {@code nginx -t} against the whole configuration; if the check fails the previous file is
 * put back and nothing is reloaded, so a bad change never reaches the running proxy.
 */
public final class Nginx implements Proxy {
    public static final String BINARY = "/usr/sbin/nginx";
    /** The user Debian's nginx.conf runs the workers as: they read what pier publishes for them (pages, password files). */
    public static final String WORKER_USER = "www-data";
    public static final Path PID_FILE = Path.of("/run/nginx.pid");
    private static final Duration RELOAD_WAIT = Duration.ofSeconds(5);

    public record Upstream(String host, int port) {
    }

    /** A name the site answers with a permanent redirect to {@code to}, the path kept (apps/Redirects). */
    public record Redirect(Domain from, Domain to) {
    }

    /**
     * HTTPS for {@code names} (some of the app's names) with the chain and key at these paths, which Nginx's master
     * (root) reads. {@code fingerprint} names the certificate in the site file, so a new certificate at the same path
     * changes the file and is checked and reloaded like any other change. {@code redirect}: plain HTTP for these names
     * answers 301 to HTTPS; {@code hsts}: HTTPS answers carry Strict-Transport-Security.
     */
    public record Tls(List<Domain> names, Path certificate, Path key, String fingerprint, boolean redirect, boolean hsts) {
        public Tls {
            names = List.copyOf(names);
        }
    }

    /**
     * How the site proxies to the app: the largest request body it takes, how long it waits on the app to read and
     * to send, and whether it buffers the app's answers. Checked before they get here ({@code apps/ProxySettings}).
     */
    public record Proxying(String clientMaxBodySize, String readTimeout, String sendTimeout, boolean buffering) {
        /** Nginx's own 1m body limit breaks uploads; 20m takes photos and documents, and stays a limit. */
        public static final Proxying DEFAULT = new Proxying("20m", "60s", "60s", true);
    }

    /**
     * One app's site. {@code maintenance}: the directory of the app's maintenance page, which the site then serves
     * with 503 to every request while the app keeps running.
     */
    /**
     * One app's site: its names and where they go, the names a certificate covers, how it proxies, and what stands
     * in front of the app: its maintenance page, the password file of its HTTP basic auth, and the names it redirects.
     */
    public record Vhost(AppName app, List<Domain> domains, List<Upstream> upstreams, Optional<Tls> tls, Proxying proxying,
                        Optional<Path> maintenance, Optional<Path> passwords, List<Redirect> redirects) {
        public Vhost {
            domains = List.copyOf(domains);
            upstreams = List.copyOf(upstreams);
            redirects = List.copyOf(redirects);
        }

        /** A plain HTTP site. */
        public Vhost(AppName app, List<Domain> domains, List<Upstream> upstreams) {
            this(app, domains, upstreams, Optional.empty(), Proxying.DEFAULT);
        }

        public Vhost(AppName app, List<Domain> domains, List<Upstream> upstreams, Optional<Tls> tls) {
            this(app, domains, upstreams, tls, Proxying.DEFAULT);
        }

        public Vhost(AppName app, List<Domain> domains, List<Upstream> upstreams, Optional<Tls> tls, Proxying proxying) {
            this(app, domains, upstreams, tls, proxying, Optional.empty(), Optional.empty(), List.of());
        }
    }

    private final PierHome home;
    private final Templates templates;

    public Nginx(PierHome home, Templates templates) {
        this.home = home;
        this.templates = templates;
    }

    public String render(Vhost vhost) {
        Map<String, Object> model = new java.util.HashMap<>(Map.of(
                "app", vhost.app().value(),
                "domains", vhost.domains().stream().map(Domain::value).toList(),
                "upstreams", vhost.upstreams(),
                "acmeChallenges", PierHome.ACME_CHALLENGES.toString(),
                "proxying", Map.of("clientMaxBodySize", vhost.proxying().clientMaxBodySize(),
                        "readTimeout", vhost.proxying().readTimeout(), "sendTimeout", vhost.proxying().sendTimeout(),
                        "buffering", vhost.proxying().buffering() ? "on" : "off")));
        // Names with HTTPS and a redirect answer 301 on port 80; every other name is served there as plain HTTP.
        List<Domain> plain = vhost.tls().filter(Tls::redirect)
                .map(tls -> vhost.domains().stream().filter(d -> !tls.names().contains(d)).toList()).orElse(vhost.domains());
        model.put("plainDomains", plain.stream().map(Domain::value).toList());
        vhost.maintenance().ifPresent(dir -> model.put("maintenance", dir.toString()));
        vhost.passwords().ifPresent(file -> model.put("passwords", file.toString()));
        // A redirected name the certificate covers is redirected over HTTPS too, with that certificate.
        List<Domain> secured = vhost.tls().map(Tls::names).orElse(List.of());
        model.put("redirects", vhost.redirects().stream().map(r -> Map.of("from", r.from().value(), "to", r.to().value(),
                "https", secured.contains(r.from()))).toList());
        vhost.tls().ifPresent(tls -> model.put("tls", Map.of(
                "names", tls.names().stream().filter(vhost.domains()::contains).map(Domain::value).toList(),
                "certificate", tls.certificate().toString(),
                "key", tls.key().toString(),
                "fingerprint", tls.fingerprint(),
                "redirect", tls.redirect(),
                "hsts", tls.hsts())));
        return templates.render("nginx/app.conf.ftl", model);
    }

    /** Makes Nginx serve {@code vhost}; on any failure the old vhost stays on disk and in the running proxy. */
    public void apply(Vhost vhost) {
        swap(vhost.app(), Optional.of(render(vhost)));
    }

    /** Read back from the app's site file: each {@code server HOST:PORT;} line of its upstream block. */
    public List<Upstream> routed(AppName app) {
        return AtomicFile.read(home.vhost(app)).stream()
                .flatMap(text -> UPSTREAM_LINE.matcher(text).results())
                .map(m -> new Upstream(m.group(1), Integer.parseInt(m.group(2)))).toList();
    }

    private static final java.util.regex.Pattern UPSTREAM_LINE =
            java.util.regex.Pattern.compile("(?m)^\\s*server\\s+([^\\s:;]+):(\\d{1,5})\\s*;");

    /** Stops serving an app: its vhost is removed, checked and reloaded the same way. */
    public void remove(AppName app) {
        if (Files.exists(home.vhost(app))) {
            swap(app, Optional.empty());
        }
    }

    private void swap(AppName app, Optional<String> content) {
        Path file = home.vhost(app);
        try (Lock ignored = Lock.nginx(home)) {
            Optional<String> previous = AtomicFile.read(file);
            if (previous.equals(content)) {
                return;
            }
            if (content.isPresent()) {
                AtomicFile.write(file, content.get(), "rw-r--r--");
            } else {
                Files.deleteIfExists(file);
            }
            Host.Result test = Host.runAsRoot(List.of(BINARY, "-t", "-q"));
            if (!test.ok()) {
                restore(file, previous);
                throw PierException.failed("nginx rejected the new configuration for " + app + ", kept the old one: "
                        + test.lastLine());
            }
            reload();
        } catch (IOException e) {
            throw PierException.failed("cannot update " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reloads Nginx and returns once it serves the new configuration. {@code nginx -s reload} only sends a
     * signal: the master starts new workers, then tells the old ones to stop accepting. Until every old worker
     * has gone or retitled itself "shutting down" (it closes its listeners right then), a request may still
     * meet the old configuration, so "live" is only said after that.
     */
    public static void reload() {
        Optional<ProcessHandle> master = master();
        Set<Long> before = workers(master);
        Host.Result reload = Host.runAsRoot(List.of(BINARY, "-s", "reload"));
        if (!reload.ok()) {
            throw PierException.failed("nginx did not reload (" + reload.lastLine()
                    + "); is it running? start it with: service nginx start");
        }
        long deadline = System.nanoTime() + RELOAD_WAIT.toNanos();
        while (master.isPresent() && !reloaded(before, workers(master)) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean reloaded(Set<Long> before, Set<Long> now) {
        boolean fresh = now.stream().anyMatch(pid -> !before.contains(pid));
        return fresh && before.stream().filter(now::contains).allMatch(Nginx::shuttingDown);
    }

    private static boolean shuttingDown(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).contains("shutting down");
        } catch (IOException e) {
            return true;
        }
    }

    private static Optional<ProcessHandle> master() {
        try {
            return AtomicFile.read(PID_FILE).map(String::strip).filter(p -> p.matches("\\d+"))
                    .flatMap(p -> ProcessHandle.of(Long.parseLong(p)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Set<Long> workers(Optional<ProcessHandle> master) {
        return master.map(m -> m.children().map(ProcessHandle::pid).collect(Collectors.toSet())).orElse(Set.of());
    }

    private static void restore(Path file, Optional<String> previous) throws IOException {
        if (previous.isPresent()) {
            AtomicFile.write(file, previous.get(), "rw-r--r--");
        } else {
            Files.deleteIfExists(file);
        }
    }
}
