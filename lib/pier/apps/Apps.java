package pier.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import pier.base.PierException;
import pier.base.Progress;
import pier.engine.Docker;
import pier.engine.Labels;
import pier.engine.Nginx;
import pier.names.AppName;
import pier.names.Domain;
import pier.names.ProcessType;
import pier.state.AtomicFile;
import pier.state.FileTree;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * The apps on this server: each is a directory under {@code apps/} holding its bare repository and its
 * releases. Creating, listing, describing and destroying them lives here.
 */
public final class Apps {
    /** What {@code apps:info} reports. */
    public record Info(AppName name, Path repo, List<Domain> domains, Optional<Release> release,
                       List<Running> containers) {
    }

    /** One of the app's containers as Docker reports it. */
    public record Running(String id, String process, String release, String state) {
    }

    private final PierHome home;

    public Apps(PierHome home) {
        this.home = home;
    }

    public boolean exists(AppName app) {
        return Files.isDirectory(home.repo(app));
    }

    public AppName require(AppName app) {
        if (!exists(app)) {
            throw PierException.failed("app " + app + " does not exist: create it with pier apps:create " + app
                    + " or push to it");
        }
        return app;
    }

    /** Creates the app and its empty bare repository; refuses an existing one. */
    public void create(AppName app) {
        try (Lock ignored = Lock.app(home, app)) {
            if (exists(app)) {
                throw PierException.failed("app " + app + " already exists");
            }
            new AppDomains(home).claimDefault(app, () -> initRepo(app));
        }
    }

    /** Creates the app if it is not there yet (a push to a new name); returns true when it did. */
    public boolean ensure(AppName app) {
        if (exists(app)) {
            return false;
        }
        new AppDomains(home).claimDefault(app, () -> initRepo(app));
        return true;
    }

    private void initRepo(AppName app) {
        try (Repository repo = FileRepositoryBuilder.create(home.repo(app).toFile())) {
            repo.create(true);
        } catch (IOException e) {
            throw PierException.failed("cannot create the repository of " + app + ": " + e.getMessage(), e);
        }
    }

    public Repository openRepo(AppName app) {
        try {
            return new FileRepositoryBuilder().setGitDir(home.repo(require(app)).toFile()).setMustExist(true).build();
        } catch (IOException e) {
            throw PierException.failed("cannot open the repository of " + app + ": " + e.getMessage(), e);
        }
    }

    public List<AppName> list() {
        if (!Files.isDirectory(home.apps())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(home.apps())) {
            List<AppName> names = new ArrayList<>();
            dirs.map(d -> d.getFileName().toString()).sorted().forEach(n -> {
                try {
                    AppName name = AppName.of(n);
                    if (exists(name)) {
                        names.add(name);
                    }
                } catch (PierException notAnApp) {
                    // Only directories with a valid name are apps; anything else there is not pier's.
                }
            });
            return names;
        } catch (IOException e) {
            throw PierException.failed("cannot list " + home.apps() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The names Nginx serves the app on, in a stable order: {@code APP.GLOBAL} (GLOBAL is {@code localhost} until
     * one is set), then the app's own domains, sorted.
     */
    public List<Domain> domains(AppName app) {
        return new AppDomains(home).served(app);
    }

    /** True after ps:stop, until the app is started again (ps:start, a deploy or a rollback). */
    public boolean stopped(AppName app) {
        return Files.exists(stoppedFile(app));
    }

    /** Records that the app is stopped (by {@code key}), or that it runs again; the caller holds the app's lock. */
    public void stopped(AppName app, boolean stopped, String key) {
        Path file = stoppedFile(app);
        if (stopped) {
            AtomicFile.write(file, "stopped by " + key + " at " + java.time.Instant.now() + "; start it with pier ps:start "
                    + app + "\n", "rw-r--r--");
        } else {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw PierException.failed("cannot remove " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private Path stoppedFile(AppName app) {
        return home.app(app).resolve("stopped");
    }

    public Info info(AppName app, Docker docker) {
        require(app);
        List<Running> running = docker.containers(Map.of(Labels.APP, app.value())).stream()
                .map(c -> new Running(c.shortId(), c.process(), c.labels().getOrDefault(Labels.RELEASE, "?"), c.state()))
                .toList();
        return new Info(app, home.repo(app), domains(app), new Releases(home, app).current(), running);
    }

    /** Removes everything the app owns: containers, images, vhost, repository and releases. */
    public void destroy(AppName app, Docker docker, Nginx nginx, Progress progress) {
        try (Lock ignored = Lock.app(home, app)) {
            require(app);
            progress.step("Destroying " + app);
            nginx.remove(app);
            progress.detail("removed the Nginx site");
            Map<String, String> label = Map.of(Labels.APP, app.value());
            docker.containers(label).forEach(c -> docker.stopAndRemove(c.id(), Duration.ofSeconds(10)));
            docker.images(label).forEach(docker::removeImage);
            docker.removeNetworks(Labels.APP + "=" + app.value());
            progress.detail("removed containers, images and the app's network");
            deleteTree(home.app(app));
            progress.detail("removed the repository and releases");
            // The maintenance page and the password file live outside pier's home, beside the one installed pier's.
            for (Path outside : List.of(PierHome.PAGES.resolve(app.value()), PierHome.PASSWORDS.resolve(app.value()))) {
                if (home.root().equals(PierHome.DEFAULT) && Files.exists(outside)) {
                    deleteTree(outside);
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try {
            FileTree.delete(root);
        } catch (IOException e) {
            throw PierException.failed("cannot remove " + root + ": " + e.getMessage(), e);
        }
    }
}
