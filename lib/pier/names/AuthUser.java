package pier.names;

/** A user of an app's HTTP basic auth: it is written into a password file Nginx reads, where ':' ends the name. */
public record AuthUser(String value) implements Comparable<AuthUser> {
    public AuthUser {
        ShortName.check(value, "user name");
    }

    public static AuthUser of(String value) {
        return new AuthUser(value);
    }

    @Override
    public int compareTo(AuthUser other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
