package pier.services;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;
import pier.engine.Templates;
import pier.names.ContainerPath;
import pier.state.PropertiesText;

/**
 * One kind of service (postgres, mariadb, redis), as its template directory declares it: {@code
 * services/KIND/service.properties} and {@code services/KIND/Dockerfile.ftl}. The commands it gives run with
 * {@code sh -c} inside the service's container, where {@link Service#USER_ENV}, {@link Service#PASSWORD_ENV} and
 * {@link Service#DATABASE_ENV} are set. A kind whose server loads an import only when it starts (Redis) gives
 * {@code import.restart}: a command that ends the server after an import, which the engine then starts again.
 * {@code image.env.*} and {@code image.command} are for an image an admin names instead ({@code KIND:image
 * postgres:16}): the env its own start-up reads, and the command it is started with ({@code sh -c}), if not its own. An admin adds a kind, or changes one, under {@code /etc/pier/templates/services/}.
 */
public record ServiceKind(String name, String title, int port, ContainerPath data, String linkEnv, String linkUrl,
                          Map<String, String> linkExtras, Map<String, String> containerEnv, String ready, String setup,
                          String export, String importCommand, String importRestart, String figures, String connect,
                          Map<String, String> imageEnv, String imageCommand) {
    /** A kind's name is a template directory and the first half of a command's name: {@code postgres:create}. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{0,19}");
    private static final Pattern ENV = Pattern.compile("[A-Z_][A-Z0-9_]{0,63}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(host|port|user|password|database)}");

    public ServiceKind {
        linkExtras = Map.copyOf(linkExtras);
        containerEnv = Map.copyOf(containerEnv);
        imageEnv = Map.copyOf(imageEnv);
    }

    static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    /** The kind {@code name} from its template directory; a failure naming the file and the key when it is wrong. */
    static ServiceKind load(Templates templates, String name) {
        if (!validName(name)) {
            throw PierException.usage("invalid service kind " + Shown.quote(name) + ": use 1-20 lowercase letters and digits");
        }
        String file = "services/" + name + "/service.properties";
        Properties p = PropertiesText.parse(templates.text(file).orElseThrow(() -> PierException.usage(
                "no service kind " + Shown.quote(name) + ": pier has " + String.join(", ", ServiceKinds.names(templates)))));
        Reader r = new Reader(p, file);
        Map<String, String> extras = new TreeMap<>();
        Map<String, String> container = new TreeMap<>();
        Map<String, String> image = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("link.env.")) {
                extras.put(r.env(key.substring("link.env.".length()), key), p.getProperty(key));
            } else if (key.startsWith("container.env.")) {
                container.put(r.env(key.substring("container.env.".length()), key), p.getProperty(key));
            } else if (key.startsWith("image.env.")) {
                image.put(r.env(key.substring("image.env.".length()), key), p.getProperty(key));
            }
        }
        String linkEnv = r.required("link.env");
        r.env(linkEnv, "link.env");
        int port;
        try {
            port = Integer.parseInt(r.required("port"));
        } catch (NumberFormatException e) {
            throw r.wrong("port", "a port number");
        }
        if (port < 1 || port > 65535) {
            throw r.wrong("port", "a port number");
        }
        ContainerPath data;
        try {
            data = ContainerPath.of(r.required("data"));
        } catch (PierException e) {
            throw r.wrong("data", "an absolute path in the container");
        }
        return new ServiceKind(name, p.getProperty("title", name), port, data, linkEnv, r.required("link.url"), extras,
                container, r.required("ready"), p.getProperty("setup", "true"), r.required("export"), r.required("import"),
                p.getProperty("import.restart", "").strip(), r.required("figures"), r.required("connect"), image,
                p.getProperty("image.command", "").strip());
    }

    /** The env a link sets in an app: the URL under its name first, then the kind's other variables. */
    public Map<String, String> linkEnv(Map<String, String> values) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(linkEnv, fill(linkUrl, values));
        linkExtras.forEach((key, value) -> env.put(key, fill(value, values)));
        return env;
    }

    /** The names of the variables a link sets. */
    public java.util.Set<String> linkKeys() {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        keys.add(linkEnv);
        keys.addAll(new TreeMap<>(linkExtras).keySet());
        return keys;
    }

    /**
     * The container's own extra env, filled in; with {@code adminImage} (an image set with {@code KIND:image} rather
     * than built from the kind's Dockerfile), the {@code image.env.*} ones that image's own start-up reads too.
     */
    List<String> containerEnv(Map<String, String> values, boolean adminImage) {
        List<String> env = new ArrayList<>();
        containerEnv.forEach((key, value) -> env.add(key + "=" + fill(value, values)));
        if (adminImage) {
            imageEnv.forEach((key, value) -> env.add(key + "=" + fill(value, values)));
        }
        return env;
    }

    static String fill(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private record Reader(Properties p, String file) {
        String required(String key) {
            String value = p.getProperty(key);
            if (value == null || value.isBlank()) {
                throw PierException.failed(file + " has no " + key + ": every service kind needs one");
            }
            return value.strip();
        }

        String env(String name, String key) {
            if (!ENV.matcher(name).matches()) {
                throw wrong(key, "an env var name in capitals");
            }
            return name;
        }

        PierException wrong(String key, String what) {
            return PierException.failed(file + ": " + key + " must be " + what + ", not " + Shown.quote(p.getProperty(key)));
        }
    }
}
