package pier.services;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.ServiceName;
import pier.state.AtomicFile;
import pier.state.Lock;
import pier.state.PierHome;

/**
 * One service as its state directory ({@code services/KIND/NAME/}) holds it, its kind a name only. Removing an app,
 * linking one and the minute tick walk these rather than the kinds' templates, so a kind an admin broke or removed
 * stops none of them, and only a kind that is needed is read.
 */
record ServiceState(PierHome home, String kind, ServiceName name) {
    /** Written first by create and deleted first by destroy: a service exists while this file does. */
    static final String PASSWORD = "password";
    /** The apps it is linked to, one a line; absent until its first link. */
    static final String LINKS = "links";

    /** Every service of every kind, by kind then name. */
    static List<ServiceState> all(PierHome home) {
        List<ServiceState> all = new ArrayList<>();
        for (Path kind : directories(home.services())) {
            String name = kind.getFileName().toString();
            if (ServiceKind.validName(name)) {
                all.addAll(of(home, name));
            }
        }
        return all;
    }

    /** The services of {@code kind}, a valid kind name, by name. */
    static List<ServiceState> of(PierHome home, String kind) {
        return directories(home.services().resolve(kind)).stream().map(dir -> name(dir.getFileName().toString()))
                .flatMap(Optional::stream).map(name -> new ServiceState(home, kind, name)).filter(ServiceState::exists)
                .sorted(Comparator.comparing(ServiceState::name)).toList();
    }

    Path dir() {
        return home.services().resolve(kind).resolve(name.value());
    }

    boolean exists() {
        return Files.isRegularFile(dir().resolve(PASSWORD));
    }

    Map<String, String> labels() {
        return Service.labels(kind, name);
    }

    /** The host name linked apps reach it by, on their own networks. */
    String host() {
        return Service.host(kind, name);
    }

    /** One change at a time per service, backups included. */
    Lock lock() {
        return Lock.global(home, "service-" + kind + "-" + name);
    }

    List<AppName> links() {
        return AtomicFile.read(dir().resolve(LINKS)).map(text -> text.lines().map(String::strip)
                .filter(l -> !l.isEmpty()).map(AppName::of).sorted().toList()).orElse(List.of());
    }

    void writeLinks(List<AppName> apps) {
        StringBuilder text = new StringBuilder();
        new TreeSet<>(apps).forEach(a -> text.append(a).append('\n'));
        AtomicFile.write(dir().resolve(LINKS), text.toString(), "rw-r--r--");
    }

    /** {@code postgres db}, as messages name it. */
    @Override
    public String toString() {
        return kind + " " + name;
    }

    private static Optional<ServiceName> name(String dir) {
        try {
            return Optional.of(ServiceName.of(dir));
        } catch (PierException e) {
            // No name pier gives, so no directory of pier's.
            return Optional.empty();
        }
    }

    private static List<Path> directories(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw PierException.failed("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }
}
