package pier.names;

import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;
import pier.base.Shown;

/**
 * A path inside an app's containers where a volume is mounted: the one rule for every place it reaches (a
 * volume's metadata, a Docker label, a bind given to Docker). Absolute and normalized (no empty, {@code .} or
 * {@code ..} segments, no trailing slash), made of letters, digits and {@code . _ @ + - /} only, so no
 * {@code :} or {@code ,} can break Docker's bind syntax; not {@code /} itself nor under {@code /proc},
 * {@code /sys} or {@code /dev}; at most 4096 characters (Linux's PATH_MAX).
 */
public record ContainerPath(String value) implements Comparable<ContainerPath> {
    public static final int MAX_LENGTH = 4096;
    private static final Pattern CHARS = Pattern.compile("[A-Za-z0-9._/@+-]+");
    private static final List<String> KERNEL = List.of("/proc", "/sys", "/dev");
    private static final String ALLOWED = "use an absolute path such as /data, of letters, digits and . _ @ + - /,"
            + " with no . or .. segments, not / itself and not under /proc, /sys or /dev";

    public ContainerPath {
        String why = problem(value);
        if (why != null) {
            throw PierException.usage("invalid container path " + Shown.quote(value) + ": " + why + "; " + ALLOWED);
        }
    }

    public static ContainerPath of(String value) {
        return new ContainerPath(value);
    }

    private static @Nullable String problem(@Nullable String value) {
        if (value == null || value.isEmpty()) {
            return "it is empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "it is longer than " + MAX_LENGTH + " characters";
        }
        if (!CHARS.matcher(value).matches()) {
            return "it holds a character other than letters, digits and . _ @ + - /";
        }
        if (!value.startsWith("/")) {
            return "it is not absolute";
        }
        if (value.equals("/")) {
            return "it is the container's root";
        }
        if (value.endsWith("/")) {
            return "it ends with /";
        }
        for (String segment : value.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "it is not normalized (an empty, . or .. segment)";
            }
        }
        for (String kernel : KERNEL) {
            if (value.equals(kernel) || value.startsWith(kernel + "/")) {
                return "the kernel owns " + kernel;
            }
        }
        return null;
    }

    @Override
    public int compareTo(ContainerPath other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
