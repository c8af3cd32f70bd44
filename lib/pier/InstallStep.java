package pier;

/**
 * One thing the installer makes true on the host (a package, a user, a file from a template, a running
 * service). Each can say whether it already holds and what applying it would change, so a second run
 * changes nothing and {@code --dry-run} shows the plan without touching the host.
 */
public interface InstallStep {
    /** What this step ensures, e.g. "package nginx installed". */
    String describe();

    /** True when the host already is as this step wants it. */
    boolean satisfied();

    /** Makes it so; throws a PierException that says what went wrong and what to do. */
    void apply();
}
