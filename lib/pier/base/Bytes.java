package pier.base;

import java.util.Locale;

/** A number of bytes as a person reads it, in Docker's decimal units (so {@code docker system df} shows the same). */
public final class Bytes {
    private Bytes() {
    }

    /** {@code 0 B}, {@code 512 B}, {@code 1.98 MB}, {@code 10.7 GB}; a negative count is {@code unknown}. */
    public static String shown(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double n = bytes;
        int unit = 0;
        while (n >= 1000 && unit < units.length - 1) {
            n /= 1000;
            unit++;
        }
        if (unit == 0) {
            return bytes + " B";
        }
        return String.format(Locale.ROOT, n >= 100 ? "%.0f %s" : n >= 10 ? "%.1f %s" : "%.2f %s", n, units[unit]);
    }
}
