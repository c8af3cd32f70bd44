package pier.services;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import pier.base.PierException;
import pier.engine.Templates;

/**
 * Which service kinds there are: those pier ships ({@code services/kinds}) and every directory an admin added under
 * {@code /etc/pier/templates/services/} with a {@code service.properties}.
 */
public final class ServiceKinds {
    private ServiceKinds() {
    }

    public static List<String> names(Templates templates) {
        return names(templates, Templates.OVERRIDES.resolve("services"));
    }

    static List<String> names(Templates templates, Path added) {
        TreeSet<String> names = new TreeSet<>();
        templates.text("services/kinds").ifPresent(text -> text.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(names::add));
        if (Files.isDirectory(added)) {
            try (Stream<Path> dirs = Files.list(added)) {
                dirs.filter(d -> Files.isRegularFile(d.resolve("service.properties")))
                        .map(d -> d.getFileName().toString()).filter(ServiceKind::validName).forEach(names::add);
            } catch (IOException e) {
                throw PierException.failed("cannot read " + added + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(names);
    }

    public static ServiceKind kind(Templates templates, String name) {
        return ServiceKind.load(templates, name);
    }
}
