package pier.access;

/**
 * What a key may do on one app it was granted. Admin keys are not granted per app: they run everything.
 * A developer key can do what a deploy key can and more, so granting one role over the other replaces it.
 */
public enum Role {
    /** Push to and fetch the app: the key a CI system holds. */
    deploy("push to and fetch"),
    /** Push, fetch and run the app's own commands: config, domains, ps, logs, run, releases. */
    developer("push to, fetch and run the app commands of");

    private final String may;

    Role(String may) {
        this.may = may;
    }

    /** For messages: "may push to and fetch". */
    public String may() {
        return may;
    }
}
