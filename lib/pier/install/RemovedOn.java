package pier.install;

/** An undoable step with the removal the plan chose for it; everything else is the step's own. */
record RemovedOn(UndoableStep step, Removal removal) implements UndoableStep {
    public String describe() {
        return step.describe();
    }

    public boolean satisfied() {
        return step.satisfied();
    }

    public String plan() {
        return step.plan();
    }

    public void apply() {
        step.apply();
    }

    public void apply(pier.base.Progress progress) {
        step.apply(progress);
    }

    public boolean present() {
        return step.present();
    }

    public void undo() {
        step.undo();
    }

    public UndoableStep removedOn(Removal when) {
        return new RemovedOn(step, when);
    }
}
