package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Points Nginx at an app. The vhost is rendered from {@code nginx/app.conf.ftl}, swapped in atomically and
 * checked with {@code nginx -t} against the whole configuration; if the check fails the previous file is
 * put back and nothing is reloaded, so a bad change never reaches the running proxy.
 */
public final class Nginx {
    public static final String BINARY = "/usr/sbin/nginx";

    public record Upstream(String host, int port) {
    }

    public record Vhost(AppName app, List<Domain> domains, List<Upstream> upstreams) {
        public Vhost {
            domains = List.copyOf(domains);
            upstreams = List.copyOf(upstreams);
        }
    }

    private final PierHome home;
    private final Templates templates;

    public Nginx(PierHome home, Templates templates) {
        this.home = home;
        this.templates = templates;
    }

    public String render(Vhost vhost) {
        return templates.render("nginx/app.conf.ftl", Map.of(
                "app", vhost.app().value(),
                "domains", vhost.domains().stream().map(Domain::value).toList(),
                "upstreams", vhost.upstreams()));
    }

    /** Makes Nginx serve {@code vhost}; on any failure the old vhost stays on disk and in the running proxy. */
    public void apply(Vhost vhost) {
        swap(vhost.app(), Optional.of(render(vhost)));
    }

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

    public static void reload() {
        Host.Result reload = Host.runAsRoot(List.of(BINARY, "-s", "reload"));
        if (!reload.ok()) {
            throw PierException.failed("nginx did not reload (" + reload.lastLine()
                    + "); is it running? start it with: service nginx start");
        }
    }

    private static void restore(Path file, Optional<String> previous) throws IOException {
        if (previous.isPresent()) {
            AtomicFile.write(file, previous.get(), "rw-r--r--");
        } else {
            Files.deleteIfExists(file);
        }
    }
}
