package pier.deploy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.engine.RegistryClient;
import pier.names.AppName;
import pier.state.PierHome;

/**
 * An app's images in the cluster's registry ({@code pier/APP}, tags {@code vN}), kept by the rule that keeps them on
 * this host ({@link OldImages}): after each deploy of an app on the swarm, its tags beyond the rollback window go;
 * when it leaves the swarm (moved back to this host, or destroyed), all of them; and before a garbage collection,
 * those of every app no longer on the swarm, which a registry that did not answer then left. A manifest is deleted by
 * its digest, which takes every tag naming it along: a digest a kept tag names stays. Deleting frees no disk: the
 * registry's garbage collection does ({@code pier registry:gc}, daily).
 */
public final class RegistryImages {
    private final PierHome home;
    private final Supplier<RegistryClient> registry;

    /** The images of {@code home}'s apps in the registry {@code registry} reaches, as pier's account. */
    public RegistryImages(PierHome home, Supplier<RegistryClient> registry) {
        this.home = home;
        this.registry = registry;
    }

    /**
     * After a deploy of {@code app} on the swarm (under its lock): its images beyond the rollback window go. A registry
     * that does not answer fails nothing: the deploy succeeded, it is said, and the next deploy tries again.
     */
    void removeOld(AppName app, Progress progress) {
        Set<String> keep = OldImages.keep(home, app);
        try {
            List<String> removed = remove(registry.get(), app, tag -> OldImages.old(app, repository(app) + ":" + tag, keep));
            if (!removed.isEmpty()) {
                progress.detail("removed " + String.join(", ", removed) + " of " + app + " from the cluster's registry");
            }
        } catch (RuntimeException e) {
            // Whatever failed (the registry, or Docker asked for its address), the deploy it follows succeeded.
            progress.detail("kept the older images of " + app + " in the cluster's registry, as " + Shown.firstLine(e.getMessage())
                    + "; the next deploy tries again");
        }
    }

    /**
     * Every image of {@code app}: it no longer runs on the swarm. A registry that does not answer is said, and the next
     * {@code registry:gc} removes them.
     */
    void removeAll(AppName app, Progress progress) {
        try {
            List<String> removed = remove(registry.get(), app, tag -> true);
            if (!removed.isEmpty()) {
                progress.detail("removed " + app + "'s images from the cluster's registry (" + String.join(", ", removed) + ")");
            }
        } catch (RuntimeException e) {
            progress.detail("left " + app + "'s images in the cluster's registry, as " + Shown.firstLine(e.getMessage())
                    + "; the next registry:gc removes them");
        }
    }

    /**
     * Every image of an app not on the swarm: destroyed, moved back, or never placed there. Run with the registry's lock
     * held exclusively, so no push of an app just placed on the swarm comes between the look at its placement and the
     * deletes. Fails when the registry does not answer; returns the repositories it emptied.
     */
    public List<String> removeLeftOver() {
        RegistryClient client = registry.get();
        List<String> emptied = new ArrayList<>();
        for (String repository : client.repositories()) {
            AppName app;
            try {
                app = AppName.of(repository.substring(repository.indexOf('/') + 1));
            } catch (PierException e) {
                continue;
            }
            if (!repository.equals(repository(app)) || onSwarm(app)) {
                continue;
            }
            if (!remove(client, app, tag -> true).isEmpty()) {
                emptied.add(repository);
            }
        }
        return emptied;
    }

    /** On the swarm, or unknown (a damaged placement): its images stay. */
    private boolean onSwarm(AppName app) {
        try {
            return new Apps(home).exists(app) && Placement.read(home, app).swarm();
        } catch (PierException e) {
            return true;
        }
    }

    /** Deletes the manifests of the tags {@code old} picks and no other tag names; the tags that went, as vN. */
    private static List<String> remove(RegistryClient client, AppName app, Predicate<String> old) {
        String repository = repository(app);
        List<String> tags = client.tags(repository);
        if (tags.stream().noneMatch(old)) {
            return List.of();
        }
        Map<String, String> digests = new LinkedHashMap<>();
        for (String tag : tags) {
            client.digest(repository, tag).ifPresent(d -> digests.put(tag, d));
        }
        Set<String> doomed = unkept(digests, old);
        doomed.forEach(d -> client.delete(repository, d));
        return digests.entrySet().stream().filter(e -> doomed.contains(e.getValue())).map(Map.Entry::getKey).toList();
    }

    /**
     * From each tag's digest, the digests to delete: those of the tags {@code old} picks, save a digest any other tag
     * names too. Two builds of the same tree can be one image, so one manifest under two tags; deleting it would take
     * the kept tag with it.
     */
    static Set<String> unkept(Map<String, String> digests, Predicate<String> old) {
        Set<String> kept = new HashSet<>();
        Set<String> doomed = new LinkedHashSet<>();
        digests.forEach((tag, digest) -> (old.test(tag) ? doomed : kept).add(digest));
        doomed.removeAll(kept);
        return doomed;
    }

    /** Where a swarm deploy pushes {@code app}'s builds: the repository of its release images. */
    static String repository(AppName app) {
        return "pier/" + app;
    }
}
