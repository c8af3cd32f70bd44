package pier.install;

import pier.base.PierException;
import pier.base.Progress;

/**
 * One thing the installer makes true on the host (a package, a user, a file from a template, a running
 * service). Each can say whether it already holds and what applying it would change, so a second run
 * changes nothing and {@code --dry-run} shows the plan without touching the host. A step that can be
 * undone is an {@link UndoableStep}; uninstalling asks each step's {@link #removal()} whether to.
 */
public interface InstallStep {
    /** What this step ensures, e.g. "package nginx installed". */
    String describe();

    /** True when the host already is as this step wants it. */
    boolean satisfied();

    /** What {@link #apply()} would change, e.g. "create it" or "content differs"; asked when not satisfied. */
    default String plan() {
        return "make it so";
    }

    /** Makes it so; throws a PierException that says what went wrong and what to do. */
    void apply();

    /** {@link #apply()}, for a step with something to tell the admin beyond its plan line (e.g. that it started a daemon itself). */
    default void apply(Progress progress) {
        apply();
    }

    /** Whether uninstalling removes what this step made; only an {@link UndoableStep} can say other than KEEP. */
    default Removal removal() {
        return Removal.KEEP;
    }

    /** True when something this step made is on the host for {@link #undo()} to remove. */
    default boolean present() {
        return false;
    }

    /** Removes what this step made; the plan calls it only for a step whose removal says so. */
    default void undo() {
        throw PierException.failed(describe() + " cannot be undone: give it Removal.KEEP, or make it an UndoableStep");
    }
}
