package pier.names;


/**
 * A volume's name: the one rule for every place it reaches (a file under {@code volumes/}, a line of an app's
 * links, a Docker label and Docker volume name, a lock file). The same shape as an {@link AppName}: 1-30
 * lowercase letters, digits and dashes, starting with a letter and not ending with a dash.
 */
public record VolumeName(String value) implements Comparable<VolumeName> {
    public VolumeName {
        Slug.check(value, "volume name", "uploads");
    }

    public static VolumeName of(String value) {
        return new VolumeName(value);
    }

    @Override
    public int compareTo(VolumeName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
