package pier;

import com.github.dockerjava.api.model.Bind;
import java.util.List;

/** Named volumes and the apps they are linked to (to be completed: volume:create/link/unlink/list/info/destroy). */
public final class Volumes {
    private final PierHome home;
    private final Docker docker;

    public Volumes(PierHome home, Docker docker) {
        this.home = home;
        this.docker = docker;
    }

    /** The mounts an app's containers get: one per path of every volume linked to it. */
    public List<Bind> bindsFor(AppName app) {
        return List.of();
    }
}
