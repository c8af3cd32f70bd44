package pier.install;

/**
 * An install step that can remove what it made: a file, a directory, a user. It stays on uninstall until
 * {@link #removedOn(Removal)} says otherwise, so removing is always a decision written in the plan.
 */
public interface UndoableStep extends InstallStep {
    @Override
    boolean present();

    @Override
    void undo();

    /** This step, removed by the uninstall {@code when} names. */
    default UndoableStep removedOn(Removal when) {
        return new RemovedOn(this, when);
    }
}
