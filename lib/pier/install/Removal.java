package pier.install;

/**
 * What uninstalling does with what an install step made. The installer's plan says it once per step, so
 * {@code --uninstall} and {@code --purge} derive what to remove from the same list that installs.
 */
public enum Removal {
    /** Stays on the host: distro packages, running services. */
    KEEP,
    /** Removed by {@code --uninstall}: pier's programs and the host config that makes it serve. */
    UNINSTALL,
    /** Removed only by {@code --uninstall --purge}: the apps, their data and the pier user. */
    PURGE;

    /** True when an uninstall, with or without {@code purge}, removes it. */
    public boolean removedBy(boolean purge) {
        return this == UNINSTALL || this == PURGE && purge;
    }
}
