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
 * until the next cleanup. Untagged images labelled for the app (a build whose tag a later build took) go too.
 */
final class OldImages {
    private final PierHome home;
    private final Images images;

    OldImages(PierHome home, Images images) {
        this.home = home;
        this.images = images;
    }

    void remove(AppName app) {
        Set<String> keep = Releases.imagesToKeep(new Releases(home, app).list(), new Settings(home).imagesKeep());
        Map<String, String> label = Map.of(Labels.APP, app.value());
        String prefix = "pier/" + app + ":v";
        for (String tag : images.imageTags(label)) {
            if (tag.startsWith(prefix) && tag.substring(prefix.length()).matches("\\d+") && !keep.contains(tag)) {
                images.removeImageIfUnused(tag);
            }
        }
        images.danglingImages(label).forEach(images::removeImageIfUnused);
    }
}
