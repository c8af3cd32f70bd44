package pier.engine;

/**
 * What the engine knows of one container's life: whether it runs, how it ended, whether it was killed for its
 * memory, how often the engine restarted it, and when it last started and ended (RFC 3339).
 */
public record ContainerState(boolean running, boolean restarting, long exitCode, boolean oomKilled, int restartCount,
                             String startedAt, String finishedAt) {
    public ContainerState(boolean running, boolean restarting, long exitCode, boolean oomKilled, int restartCount,
                          String startedAt) {
        this(running, restarting, exitCode, oomKilled, restartCount, startedAt, "");
    }
}
