package pier.install;

import java.util.ArrayList;
import java.util.List;
import pier.base.Progress;

/**
 * An ordered list of install steps, run with check / plan / apply; the result counts what changed. The same
 * list uninstalls, in reverse order, each step as its {@link Removal} says, so nothing is listed twice.
 */
public record InstallPlan(List<InstallStep> steps) {
    public InstallPlan {
        steps = List.copyOf(steps);
    }

    public static InstallPlan of(InstallStep... steps) {
        return new InstallPlan(List.of(steps));
    }

    public InstallPlan then(InstallStep step) {
        List<InstallStep> more = new ArrayList<>(steps);
        more.add(step);
        return new InstallPlan(more);
    }

    /** What a run did or, with {@code dryRun}, would do. */
    public record Outcome(List<String> changed, List<String> unchanged) {
        public int changes() {
            return changed.size();
        }
    }

    /**
     * What an uninstall removed (or, dry, would remove) and what it kept; {@code purgeable} are the kept ones
     * an uninstall with purge removes.
     */
    public record Undone(List<String> removed, List<String> kept, List<String> purgeable) {
    }

    public Outcome run(boolean dryRun, Progress progress) {
        List<String> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (InstallStep step : steps) {
            if (step.satisfied()) {
                unchanged.add(step.describe());
                progress.detail("ok       " + step.describe());
            } else if (dryRun) {
                changed.add(step.describe());
                progress.detail("would    " + step.describe() + ": " + step.plan());
            } else {
                progress.detail("change   " + step.describe() + ": " + step.plan());
                step.apply(progress);
                changed.add(step.describe());
            }
        }
        return new Outcome(changed, unchanged);
    }

    /**
     * Removes what the steps made, last step first (a config file goes before the programs it names), each as its
     * {@link Removal} says: with {@code purge} the PURGE ones too. With {@code dryRun} it only reports.
     */
    public Undone uninstall(boolean purge, boolean dryRun, Progress progress) {
        List<String> removed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> purgeable = new ArrayList<>();
        for (int i = steps.size() - 1; i >= 0; i--) {
            InstallStep step = steps.get(i);
            if (!step.removal().removedBy(purge)) {
                kept.add(step.describe());
                if (step.removal() == Removal.PURGE) {
                    purgeable.add(step.describe());
                }
                progress.detail("keep     " + step.describe());
            } else if (!step.present()) {
                progress.detail("absent   " + step.describe());
            } else if (dryRun) {
                removed.add(step.describe());
                progress.detail("would    remove " + step.describe());
            } else {
                progress.detail("remove   " + step.describe());
                step.undo();
                removed.add(step.describe());
            }
        }
        return new Undone(removed, kept, purgeable);
    }
}
