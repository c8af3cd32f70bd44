package pier.access;

/**
 * Who runs a command: an SSH key with its grants, or someone on the server itself, who could edit pier's
 * files anyway and so is an admin.
 */
public record Actor(String name, Grants grants) {
    public static final Actor LOCAL = new Actor("local", Grants.all());

    public static Actor of(Keys.Entry key) {
        return new Actor(key.name().value(), key.grants());
    }
}
