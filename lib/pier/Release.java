package pier;

import java.time.Instant;
import java.util.Properties;

/** One deploy that went live: what ran (commit, image, port) and who pushed it. */
public record Release(int id, String commit, String image, int port, Instant time, String key) {

    Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("id", Integer.toString(id));
        p.setProperty("commit", commit);
        p.setProperty("image", image);
        p.setProperty("port", Integer.toString(port));
        p.setProperty("time", time.toString());
        p.setProperty("key", key);
        return p;
    }

    static Release from(Properties p) {
        return new Release(Integer.parseInt(p.getProperty("id")), p.getProperty("commit"), p.getProperty("image"),
                Integer.parseInt(p.getProperty("port", "5000")), Instant.parse(p.getProperty("time")),
                p.getProperty("key", ""));
    }

    public String tag() {
        return "v" + id;
    }
}
