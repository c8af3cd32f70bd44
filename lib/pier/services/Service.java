package pier.services;

import java.nio.file.Path;
import java.util.Map;
import pier.engine.Labels;
import pier.names.ServiceName;
import pier.state.PierHome;

/** One service: a kind and a name, and every name derived from them. */
public record Service(ServiceKind kind, ServiceName name) {
    /** Env of a service's container: the user, password and database its kind's commands use. */
    public static final String USER_ENV = "PIER_SERVICE_USER";
    public static final String PASSWORD_ENV = "PIER_SERVICE_PASSWORD";
    public static final String DATABASE_ENV = "PIER_SERVICE_DATABASE";

    /** {@code postgres:db}, as messages name it. */
    @Override
    public String toString() {
        return kind.name() + " " + name;
    }

    /** The container, its volume and its own network. */
    public String dockerName() {
        return Labels.serviceName(kind.name(), name.value());
    }

    /** The host name linked apps reach it by, on their own networks. */
    public String host() {
        return host(kind.name(), name);
    }

    static String host(String kind, ServiceName name) {
        return kind + "-" + name.value();
    }

    /** The database and user name: the service's name, as SQL identifiers like them. */
    public String database() {
        return name.value().replace('-', '_');
    }

    public Path dir(PierHome home) {
        return state(home).dir();
    }

    ServiceState state(PierHome home) {
        return new ServiceState(home, kind.name(), name);
    }

    public Map<String, String> labels() {
        return labels(kind.name(), name);
    }

    static Map<String, String> labels(String kind, ServiceName name) {
        return Map.of(Labels.SERVICE_KIND, kind, Labels.SERVICE, name.value());
    }

    /** What a kind's templates fill in. */
    Map<String, String> values(String password) {
        return Map.of("host", host(), "port", Integer.toString(kind.port()), "user", database(), "password", password,
                "database", database());
    }
}
