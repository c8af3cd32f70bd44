package pier.state;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;
import pier.names.Domain;

/**
 * Server-wide settings in {@code settings.properties}: the global domain apps are served under and the
 * deploy timings and image retention an admin may tune. A plain properties file, so a human can read and edit it.
 */
public final class Settings {
    public static final String DOMAIN = "domain";
    public static final String HEALTH_TIMEOUT = "healthcheck.timeout.seconds";
    public static final String RETIRE_WAIT = "retire.wait.seconds";
    public static final String IMAGES_KEEP = "images.keep";
    public static final String BUILD_TIMEOUT = "build.timeout.seconds";
    public static final String RELEASE_TIMEOUT = "release.timeout.seconds";
    public static final String WORKERS_SETTLE = "workers.settle.seconds";
    public static final String PUSH_TIMEOUT = "push.timeout.seconds";
    public static final String PUSH_MAX_SIZE = "push.max.size.mb";
    public static final String PORTS_RANGE = "ports.range";
    public static final String BUILD_CACHE_BUDGET = "builds.cache.budget";
    /** The build cache kept when {@value #BUILD_CACHE_BUDGET} is unset. */
    public static final String DEFAULT_BUILD_CACHE_BUDGET = "10G";

    private final PierHome home;

    public Settings(PierHome home) {
        this.home = home;
    }

    public Optional<Domain> globalDomain() {
        return get(DOMAIN).map(Domain::of);
    }

    public void globalDomain(@Nullable Domain domain) {
        checkGlobal(domain);
        set(DOMAIN, domain == null ? null : domain.value());
    }

    /** Apps are served at {@code APP.DOMAIN}, so the global domain is a plain name: a wildcard is refused. */
    public static void checkGlobal(@Nullable Domain domain) {
        if (domain != null && domain.wildcard()) {
            throw PierException.usage("invalid global domain " + domain + ": apps are served at APP.DOMAIN, so give a"
                    + " plain name such as example.com (and point the DNS wildcard *.example.com at this server)");
        }
    }

    public Duration healthTimeout() {
        return Duration.ofMillis((long) (seconds(HEALTH_TIMEOUT, 30) * 1000));
    }

    public Duration retireWait() {
        return Duration.ofMillis((long) (seconds(RETIRE_WAIT, 2) * 1000));
    }

    /** How long a build may run before it is stopped and the push rejected. */
    public Duration buildTimeout() {
        return Duration.ofSeconds(wholeNumber(BUILD_TIMEOUT, 1800, 1, 86400));
    }

    /** How long a release command may run before its container is stopped and the deploy fails. */
    /**
     * How long a new release's workers must have run before its switch: one that exits non-zero sooner fails the
     * deploy, one that exits 0 has finished.
     */
    public Duration workersSettle() {
        return Duration.ofMillis((long) (seconds(WORKERS_SETTLE, 3) * 1000));
    }

    public Duration releaseTimeout() {
        return Duration.ofSeconds(wholeNumber(RELEASE_TIMEOUT, 600, 1, 86400));
    }

    /** How long a push may take to send its objects, from its first byte. */
    public Duration pushTimeout() {
        return Duration.ofSeconds(wholeNumber(PUSH_TIMEOUT, 600, 1, 86400));
    }

    /** The largest pack a push may send, in bytes. */
    public long pushMaxSize() {
        return wholeNumber(PUSH_MAX_SIZE, 1024, 1, 1 << 20) << 20;
    }

    /** The host ports pier publishes web containers on, {@code LOW-HIGH} inclusive. */
    public record PortRange(int low, int high) {
        /** Outside Linux's ephemeral range (32768-60999), so no outgoing connection holds one at boot. */
        public static final PortRange DEFAULT = new PortRange(20000, 29999);

        public int size() {
            return high - low + 1;
        }

        @Override
        public String toString() {
            return low + "-" + high;
        }
    }

    /** The range of {@value #PORTS_RANGE}; an invalid value is refused with what it must be. */
    public PortRange portRange() {
        Optional<String> raw = get(PORTS_RANGE).map(String::strip);
        if (raw.isEmpty()) {
            return PortRange.DEFAULT;
        }
        return parsePortRange(raw.get()).orElseThrow(() -> PierException.failed(PORTS_RANGE + " in " + home.settings()
                + " must be LOW-HIGH with 1024 <= LOW <= HIGH <= 65535 (default " + PortRange.DEFAULT + "), not "
                + raw.get()));
    }

    /** {@code LOW-HIGH} as a range, or empty when it is not one (ports below 1024 are the system's). */
    public static Optional<PortRange> parsePortRange(String text) {
        if (!text.matches("\\d{4,5}-\\d{4,5}")) {
            return Optional.empty();
        }
        String[] ends = text.split("-");
        int low = Integer.parseInt(ends[0]);
        int high = Integer.parseInt(ends[1]);
        return low >= 1024 && low <= high && high <= 65535 ? Optional.of(new PortRange(low, high)) : Optional.empty();
    }

    /**
     * How many bytes of build cache (images builds made that no release image stands on) may stay for the next
     * build; beyond it the oldest is pruned after a build. A size such as 10G, 500M or 0 (keep none).
     */
    public long buildCacheBudget() {
        String raw = get(BUILD_CACHE_BUDGET).map(String::strip).orElse(DEFAULT_BUILD_CACHE_BUDGET);
        try {
            return bytes(raw);
        } catch (IllegalArgumentException e) {
            throw PierException.failed(BUILD_CACHE_BUDGET + " in " + home.settings() + " must be a size such as 10G, 500M"
                    + " or 0, not " + raw);
        }
    }

    /** {@code 10G}, {@code 500m}, {@code 64K}, {@code 1T} or plain bytes, as a number of bytes (units are 1024-based). */
    public static long bytes(String size) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})([KMGT]?)B?", java.util.regex.Pattern.CASE_INSENSITIVE)
                .matcher(size.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: " + size);
        }
        int shift = switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("too large: " + size);
        }
        return n << shift;
    }

    private long wholeNumber(String key, long fallback, long min, long max) {
        Optional<String> raw = get(key).map(String::strip);
        if (raw.isEmpty()) {
            return fallback;
        }
        if (!raw.get().matches("\\d{1,9}") || Long.parseLong(raw.get()) < min || Long.parseLong(raw.get()) > max) {
            throw PierException.failed(key + " in " + home.settings() + " must be a whole number from " + min + " to " + max
                    + ", not " + raw.get());
        }
        return Long.parseLong(raw.get());
    }

    /** How many images of each app's newest releases are kept for rollbacks; older ones are removed. */
    public int imagesKeep() {
        Optional<String> raw = get(IMAGES_KEEP).map(String::strip);
        if (raw.isEmpty()) {
            return 5;
        }
        if (!raw.get().matches("\\d{1,3}") || Integer.parseInt(raw.get()) < 1 || Integer.parseInt(raw.get()) > 100) {
            throw PierException.failed(IMAGES_KEEP + " in " + home.settings() + " must be a whole number from 1 to 100, not "
                    + raw.get());
        }
        return Integer.parseInt(raw.get());
    }

    private double seconds(String key, double fallback) {
        Optional<String> raw = get(key);
        try {
            double value = raw.map(Double::parseDouble).orElse(fallback);
            if (value < 0 || value > 3600) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw PierException.failed(key + " in " + home.settings() + " must be a number of seconds from 0 to 3600, not "
                    + raw.orElse(""));
        }
    }

    /** A comma-separated setting as its entries, blanks dropped; none when unset. */
    public List<String> list(String key) {
        return get(key).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(e -> !e.isEmpty()).toList())
                .orElse(List.of());
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(load().getProperty(key));
    }

    public void set(String key, @Nullable String value) {
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
