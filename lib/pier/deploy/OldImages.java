package pier.deploy;

import java.util.Map;
import java.util.Set;
import pier.apps.Releases;
import pier.engine.Images;
import pier.engine.Labels;
import pier.names.AppName;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * Removes an app's images no release in the rollback window needs: {@value Settings#IMAGES_KEEP} (5 by default)
 * different images of the newest releases stay. A tag a container still uses (a release being retired) stays
 * until the next cleanup. Untagged images labelled for the app (a build whose tag a later build took) go too. The
 * same rule keeps an app's images in the cluster's registry ({@link RegistryImages}).
 */
final class OldImages {
    private final PierHome home;
    private final Images images;

    OldImages(PierHome home, Images images) {
        this.home = home;
        this.images = images;
    }

    void remove(AppName app) {
        Set<String> keep = keep(home, app);
        Map<String, String> label = Map.of(Labels.APP, app.value());
        for (String tag : images.imageTags(label)) {
            // A swarm deploy also tagged the build as the registry names it (ADDRESS:5000/pier/APP:vN): it goes with it.
            if (old(app, tag.replaceFirst("^[^/]+/(?=pier/)", ""), keep)) {
                images.removeImageIfUnused(tag);
            }
        }
        images.danglingImages(label).forEach(images::removeImageIfUnused);
    }

    /** The images of {@code app} its rollback window holds: those of its newest releases, up to the setting. */
    static Set<String> keep(PierHome home, AppName app) {
        return Releases.imagesToKeep(new Releases(home, app).list(), new Settings(home).imagesKeep());
    }

    /**
     * True for a build of {@code app} ({@code pier/APP:vN}) that {@code keep} does not hold. Any other name is not one
     * of pier's builds of the app, and stays.
     */
    static boolean old(AppName app, String image, Set<String> keep) {
        String prefix = "pier/" + app + ":v";
        return image.startsWith(prefix) && image.substring(prefix.length()).matches("\\d+") && !keep.contains(image);
    }
}
