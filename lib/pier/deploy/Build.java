package pier.deploy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import pier.apps.AppJson;
import pier.apps.Checks;
import pier.apps.Procfile;
import pier.base.Bytes;
import pier.base.Progress;
import pier.base.Shown;
import pier.build.BuildImages;
import pier.build.Buildpacks;
import pier.build.Checkout;
import pier.build.PushedFiles;
import pier.build.Submodules;
import pier.engine.Images;
import pier.engine.Labels;
import pier.names.AppName;
import pier.state.PierHome;
import pier.state.Resources;
import pier.state.Settings;

/**
 * A pushed commit made into a release image: checked out (submodules by their policy), the files pier reads from
 * it read once (Procfile, checks), the Dockerfile (the repository's, or a buildpack's) checked against the images
 * the app may use, then built on the app's own network within its memory limit and the build deadline.
 */
final class Build {
    static final int DEFAULT_PORT = 5000;

    /** What a build made: the image tag and id, the port the app listens on, and what the commit declares. */
    record Built(String image, String imageId, int port, Procfile procfile, Checks checks, AppJson appJson,
                 Duration took) {
    }

    private final PierHome home;
    private final Images images;
    private final Buildpacks buildpacks;

    Build(PierHome home, Images images, Buildpacks buildpacks) {
        this.home = home;
        this.images = images;
        this.buildpacks = buildpacks;
    }

    Built of(AppName app, int id, Repository repo, ObjectId commit, Progress progress) {
        String image = "pier/" + app + ":v" + id;
        // The engine appends these as the build's last step (measured: they reach the final image only), so the
        // release label costs one metadata step and no cached layer.
        Map<String, String> imageLabels = Map.of(Labels.APP, app.value(), Labels.BUILD, "v" + id);
        long t0 = System.nanoTime();
        Settings settings = new Settings(home);
        // Read before building: a bad setting is one error line before anything is made.
        long budget = settings.buildCacheBudget();
        try (Checkout checkout = Checkout.of(repo, commit, settings.list(Submodules.SSH_HOSTS))) {
            // What the release runs comes from the commit, read once here, so no later restart or rollback needs it.
            Procfile procfile = PushedFiles.read(checkout.dir(), "Procfile").map(Procfile::parse).orElse(Procfile.none());
            java.util.Optional<String> appJsonText = PushedFiles.read(checkout.dir(), "app.json");
            Checks checks = Checks.declared(PushedFiles.read(checkout.dir(), "CHECKS"), appJsonText, progress::detail);
            AppJson appJson = appJsonText.map(text -> AppJson.parse(text, progress::detail)).orElse(AppJson.NONE);
            // The repository's own Dockerfile, else the one a buildpack renders into the checkout.
            Buildpacks.Source source = buildpacks.prepare(app, checkout.dir(), progress, images::imageExists);
            // Before anything is built: the Dockerfile may name only images this app may use.
            BuildImages.check(PushedFiles.read(checkout.dir(), Buildpacks.DOCKERFILE).orElseThrow(),
                    BuildImages.policy(home, app, buildpacks.baseImage()));
            progress.step("Building " + app + " " + source.describe() + " (" + commit.abbreviate(7).name() + ", release v"
                    + id + ")");
            Images.Built made = images.build(checkout.dir().toFile(), image, imageLabels, Resources.network(app),
                    new Resources(home).limits(app, "build").memory(), settings.buildTimeout(), progress::detail);
            String imageId = made.imageId();
            keepCacheWithin(app, made.cache(), budget, progress);
            return new Built(image, imageId, port(imageId, progress), procfile, checks, appJson,
                    Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /** Keeps what the build made aside of its image as cache, then prunes the oldest cache over the budget. */
    private void keepCacheWithin(AppName app, List<String> made, long budget, Progress progress) {
        BuildCache cache = new BuildCache(home, images);
        BuildCache.Pruned pruned;
        try {
            cache.record(app, made);
            pruned = cache.prune(budget);
        } catch (RuntimeException e) {
            // Housekeeping: a good build is not failed for it; the next build prunes again.
            progress.detail("the build cache was not pruned: " + Shown.firstLine(e.getMessage()));
            return;
        }
        if (pruned.images() > 0) {
            progress.detail("pruned " + pruned.images() + " build cache image" + (pruned.images() == 1 ? "" : "s") + " ("
                    + Bytes.shown(pruned.bytes()) + "): the build cache was over " + Settings.BUILD_CACHE_BUDGET + " = "
                    + Bytes.shown(budget));
        }
    }

    /** The container port: the one the image EXPOSEs if there is exactly one, 5000 otherwise. */
    private int port(String imageId, Progress progress) {
        List<Integer> exposed = images.exposedTcpPorts(imageId);
        if (exposed.size() == 1) {
            progress.detail("the image exposes port " + exposed.get(0) + "; PORT is set to it");
            return exposed.get(0);
        }
        if (exposed.isEmpty()) {
            progress.detail("the image exposes no TCP port; PORT is set to " + DEFAULT_PORT);
        } else {
            progress.detail("the image exposes several TCP ports " + exposed + "; PORT is set to " + DEFAULT_PORT
                    + ", so the app must listen there");
        }
        return DEFAULT_PORT;
    }
}
