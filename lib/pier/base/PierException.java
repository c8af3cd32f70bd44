package pier.base;

import org.jspecify.annotations.Nullable;

/**
 * The one exception pier's library throws at its callers. The exit code travels with it so the CLI,
 * the SSH command and a DSL script all report a failure the same way: 2 for bad input, 1 for a failed
 * operation. The message is one line that says what to do.
 */
public final class PierException extends RuntimeException {
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private final int exitCode;

    private PierException(int exitCode, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static PierException usage(String message) {
        return new PierException(USAGE, message, null);
    }

    public static PierException failed(String message) {
        return new PierException(FAILED, message, null);
    }

    public static PierException failed(String message, Throwable cause) {
        return new PierException(FAILED, message, cause);
    }

    public int exitCode() {
        return exitCode;
    }
}
