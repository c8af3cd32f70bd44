package pier;

import java.util.ArrayList;
import java.util.List;

/** An ordered list of install steps, run with check / plan / apply; the result counts what changed. */
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

    public Outcome run(boolean dryRun, Progress progress) {
        List<String> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (InstallStep step : steps) {
            if (step.satisfied()) {
                unchanged.add(step.describe());
                progress.detail("ok       " + step.describe());
            } else if (dryRun) {
                changed.add(step.describe());
                progress.detail("would    " + step.describe());
            } else {
                progress.detail("change   " + step.describe());
                step.apply();
                changed.add(step.describe());
            }
        }
        return new Outcome(changed, unchanged);
    }
}
