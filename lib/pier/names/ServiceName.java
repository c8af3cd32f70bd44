package pier.names;

/**
 * A database service's name (the {@code db} of {@code postgres:create db}): the one rule for every place it reaches
 * (a directory under {@code services/KIND/}, a Docker container, volume and network name, a host name on the
 * networks of the apps it is linked to, a database name). The same shape as an {@link AppName}.
 */
public record ServiceName(String value) implements Comparable<ServiceName> {
    public ServiceName {
        Slug.check(value, "service name", "db");
    }

    public static ServiceName of(String value) {
        return new ServiceName(value);
    }

    @Override
    public int compareTo(ServiceName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
