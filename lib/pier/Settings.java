package pier;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * Server-wide settings in {@code settings.properties}: the global domain apps are served under and the
 * deploy timings an admin may tune. A plain properties file, so a human can read and edit it.
 */
public final class Settings {
    public static final String DOMAIN = "domain";
    public static final String HEALTH_TIMEOUT = "healthcheck.timeout.seconds";
    public static final String RETIRE_WAIT = "retire.wait.seconds";

    private final PierHome home;

    public Settings(PierHome home) {
        this.home = home;
    }

    public Optional<Domain> globalDomain() {
        return get(DOMAIN).map(Domain::of);
    }

    public void globalDomain(Domain domain) {
        set(DOMAIN, domain == null ? null : domain.value());
    }

    public Duration healthTimeout() {
        return Duration.ofSeconds(get(HEALTH_TIMEOUT).map(Long::parseLong).orElse(30L));
    }

    public Duration retireWait() {
        return Duration.ofMillis((long) (get(RETIRE_WAIT).map(Double::parseDouble).orElse(2.0) * 1000));
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(load().getProperty(key));
    }

    public void set(String key, String value) {
        Properties props = load();
        if (value == null) {
            props.remove(key);
        } else {
            props.setProperty(key, value);
        }
        AtomicFile.write(home.settings(), PropertiesText.of(props, "pier server settings"), "rw-r--r--");
    }

    private Properties load() {
        Properties props = new Properties();
        AtomicFile.read(home.settings()).ifPresent(text -> PropertiesText.load(props, text));
        return props;
    }
}
