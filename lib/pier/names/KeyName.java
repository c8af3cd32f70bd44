package pier.names;

/** The name an SSH key is stored under; it reaches authorized_keys and a file name, so the rule is tight. */
public record KeyName(String value) implements Comparable<KeyName> {
    public KeyName {
        ShortName.check(value, "key name");
    }

    public static KeyName of(String value) {
        return new KeyName(value);
    }

    @Override
    public int compareTo(KeyName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
