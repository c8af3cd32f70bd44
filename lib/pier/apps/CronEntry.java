package pier.apps;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One {@code cron} entry of a release's app.json: a command run on a schedule as a one-off container of the live
 * release. Its id is derived from its schedule and command, so it stays the same across deploys that keep the
 * entry (and a suspended entry stays suspended); {@code overlap} lets a run start while the previous one still runs.
 */
public record CronEntry(CronSchedule schedule, String command, boolean overlap) {
    /** Eight hex digits, the same for the same schedule and command. */
    public String id() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((schedule.text() + "\n" + command)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
