package pier.engine;

import java.util.Map;

/**
 * The words pier writes on what it makes in Docker, defined once: the labels that say which app, release, process
 * and instance a container is (pier finds its containers by these and nothing else), the labels of its volumes,
 * and the names of its containers.
 */
public final class Labels {
    private Labels() {
    }

    /** On every container, image and network pier makes: the app it belongs to. */
    public static final String APP = "pier.app";
    /**
     * On the image a build made: the release it was built for ({@code v3}). Its own key, not {@link #RELEASE}: a
     * container inherits its image's labels, and pier finds containers by {@link #RELEASE}.
     */
    public static final String BUILD = "pier.build";
    /** The release number a container runs ({@code 3} for v3). */
    public static final String RELEASE = "pier.release";
    /** The process type ({@code web}, {@code worker}, {@code release}, {@code run}). */
    public static final String PROCESS = "pier.process";
    /** The instance a process container is ({@code web.1}), also in its environment as DYNO. */
    public static final String INSTANCE = "pier.instance";
    /** On a container that runs once (the release command, {@code pier run}): no switch retires it. */
    public static final String ONEOFF = "pier.oneoff";
    /**
     * On a web container: its fixed IPv4 address on its app's network, which the engine gives it at every start
     * (after a crash, a reboot, a dockerd restart), so Nginx can route to it directly rather than through a port
     * Docker forwards, which a dockerd restart interrupts.
     */
    public static final String ADDRESS = "pier.address";
    /** On a cron run: the id of the app.json cron entry it runs. */
    public static final String CRON = "pier.cron";
    /** On a cron run: the minute it was started for ({@code 202612011230}), so one minute never starts it twice. */
    public static final String CRON_MINUTE = "pier.cron.minute";
    /** On a Docker volume: the pier volume it holds data for. */
    public static final String VOLUME = "pier.volume";
    /** On a Docker volume: the container path it is mounted at. */
    public static final String VOLUME_PATH = "pier.volume.path";
    /** On a swarm node: the host name or address the admin added it by ({@code nodes:add HOST}). */
    public static final String NODE = "pier.node";
    /** On a service's container, volume and image: its kind ({@code postgres}). */
    public static final String SERVICE_KIND = "pier.service.kind";
    /** On a service's container and volume: its name ({@code db}); a backup's check container carries it too. */
    public static final String SERVICE = "pier.service";
    /** On a container that restores a backup to check it: the backup's file name. */
    public static final String SERVICE_CHECK = "pier.service.check";

    /** The labels of a container of {@code app}'s release {@code release}, process {@code process}. */
    public static Map<String, String> of(String app, int release, String process) {
        return Map.of(APP, app, RELEASE, Integer.toString(release), PROCESS, process);
    }

    /** {@code pier-blog-web}: the swarm service of one process type of an app placed on the cluster. */
    public static String swarmService(String app, String process) {
        return "pier-" + app + "-" + process;
    }

    /** {@code pier-blog-v3-web.1}: the name of an instance (or a one-off's suffix) of a release. */
    public static String containerName(String app, int release, String instance) {
        return "pier-" + app + "-v" + release + "-" + instance;
    }

    /**
     * {@code pier_postgres_db}: a service's container, volume and network. Underscores, which no app name has, keep it
     * apart from an app's network ({@code pier-APP}) and containers.
     */
    public static String serviceName(String kind, String name) {
        return "pier_" + kind + "_" + name;
    }
}
