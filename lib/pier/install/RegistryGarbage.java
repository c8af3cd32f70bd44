package pier.install;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.deploy.DiskUsage;
import pier.deploy.RegistryImages;
import pier.engine.Host;
import pier.engine.Registry;
import pier.engine.RegistryClient;
import pier.state.AtomicFile;
import pier.state.PierHome;
import pier.state.SharedLock;

/**
 * The cluster registry's garbage collection ({@code pier registry:gc}, daily from the host schedule). Deleting an
 * image's manifest frees none of its layers; {@code docker-registry garbage-collect} does, and only while the registry
 * serves nothing, so it is stopped for the run and started again the way it always is. Pushes wait meanwhile: they
 * hold {@link Registry#LOCK} shared, the collection holds it alone. Before it, the images of apps no longer on the
 * swarm go ({@link RegistryImages#removeLeftOver}); a registry that has nothing to free is not stopped.
 *
 * <p>Without {@code --delete-untagged}: pier deletes the manifests it no longer keeps itself, and the registry's
 * option (distribution 2.8) would also delete the untagged manifests an image index names, and their layers.
 */
public final class RegistryGarbage {
    /** How long the collection waits for pushes under way. */
    static final Duration PUSHES_WAIT = Duration.ofMinutes(10);
    private static final Pattern ELIGIBLE = Pattern.compile("(\\d+) blobs and \\d+ manifests eligible for deletion");

    private RegistryGarbage() {
    }

    /** What one collection did: the registry's storage in bytes before and after, and whether the registry was stopped. */
    public record Collected(long before, long after, boolean ran) {
        public long freed() {
            return Math.max(0, before - after);
        }
    }

    /** The registry this host runs for its cluster; empty when it manages none. */
    public static Optional<Registry> managed() {
        return ManagerPlan.managed();
    }

    /** Collects {@code registry}'s garbage as root: see the class. */
    public static Collected collect(PierHome home, Registry registry, Progress progress) {
        String password = AtomicFile.read(Registry.PASSWORD_FILE).map(String::strip).orElseThrow(() -> PierException.failed(
                "the cluster's registry has no password in " + Registry.PASSWORD_FILE + ": run pier nodes:add with one of"
                        + " its nodes again"));
        SharedLock lock = SharedLock.exclusive(Registry.LOCK, Duration.ZERO).orElseGet(() -> {
            progress.detail("waiting for the pushes under way to the registry to finish");
            return SharedLock.exclusive(Registry.LOCK, PUSHES_WAIT).orElseThrow(() -> PierException.failed(
                    "a deploy was still pushing to the cluster's registry after " + PUSHES_WAIT.toMinutes() + " minutes"
                            + " (it holds " + Registry.LOCK + "): run pier registry:gc again once it has finished"));
        });
        try (lock) {
            try {
                new RegistryImages(home, () -> RegistryClient.of(registry, password)).removeLeftOver()
                        .forEach(r -> progress.detail("removed " + r + ": its app no longer runs on the swarm"));
            } catch (PierException e) {
                progress.warn("kept the images of apps no longer on the swarm, as " + e.getMessage());
            }
            long before = DiskUsage.size(Registry.STORAGE);
            if (!anythingToFree()) {
                progress.detail("nothing to free: the registry kept serving");
                return new Collected(before, before, false);
            }
            return new Collected(before, offline(registry, progress), true);
        }
    }

    /** The garbage collection itself, with the registry stopped; the registry's storage in bytes after it. */
    private static long offline(Registry registry, Progress progress) {
        progress.detail("stopping the registry while its garbage is collected: nodes cannot pull meanwhile");
        if (!ManagerPlan.stopRegistry()) {
            throw PierException.failed("the registry did not stop within " + 2 * ManagerPlan.STOP_DEADLINE.toSeconds()
                    + " s, so nothing was collected: stop it by hand (systemctl stop docker-registry, or kill its"
                    + " process), then run pier registry:gc again");
        }
        Host.Result collected = Host.run(List.of(ManagerPlan.REGISTRY_BINARY, "garbage-collect", Registry.CONFIG.toString()));
        try {
            ManagerPlan.registryRunning(registry).apply(progress);
        } catch (PierException e) {
            throw PierException.failed("the registry did not start again after its garbage collection (" + e.getMessage()
                    + "); until it runs, deploys to the swarm fail and nodes cannot pull: start it, as root, with pier"
                    + " install --boot", e);
        }
        progress.detail("the registry serves again on " + registry.host());
        if (!collected.ok()) {
            throw PierException.failed("docker-registry garbage-collect failed (" + Shown.oneLine(collected.lastLine())
                    + "), and the registry serves again as it was: its dry run shows all it says, " + ManagerPlan.REGISTRY_BINARY
                    + " garbage-collect --dry-run " + Registry.CONFIG);
        }
        return DiskUsage.size(Registry.STORAGE);
    }

    /**
     * Whether a collection would delete any blob, by its dry run (which only reads, so the registry keeps serving).
     * A dry run that fails or says nothing readable is taken for yes: the collection then says what is wrong.
     */
    private static boolean anythingToFree() {
        Host.Result dry = Host.run(List.of(ManagerPlan.REGISTRY_BINARY, "garbage-collect", "--dry-run", Registry.CONFIG.toString()));
        return !dry.ok() || eligibleBlobs(dry.output()).map(n -> n > 0).orElse(true);
    }

    /** The blobs a garbage-collect run says it deletes, by its line "N blobs marked, M blobs and K manifests eligible ...". */
    static Optional<Long> eligibleBlobs(String output) {
        Matcher m = ELIGIBLE.matcher(output);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }
}
