package pier.state;

import pier.base.PierException;
import pier.base.Shown;

/**
 * The rule for a stored setting that takes effect by a restart (config, scale, volumes, limits): when the restart
 * fails, the setting is put back, so what is stored and what runs agree, and the error says so. Coded here once.
 */
public final class Undo {
    private Undo() {
    }

    /**
     * Runs {@code restart}; if it fails, runs {@code undo} and throws the failure with "; SETTING was left as it
     * was" ({@code setting} in the plural, e.g. "the volumes of blog", reads "were left as they were").
     */
    public static void restartOrUndo(Runnable restart, Runnable undo, String setting, boolean plural) {
        try {
            restart.run();
        } catch (RuntimeException e) {
            undo.run();
            throw PierException.failed(Shown.oneLine(e.getMessage()) + "; " + setting
                    + (plural ? " were left as they were" : " was left as it was"), e);
        }
    }
}
