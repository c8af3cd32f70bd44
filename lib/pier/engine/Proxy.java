package pier.engine;

import pier.names.AppName;

/** What routes requests to an app's web containers: Nginx ({@link Nginx}) today. */
public interface Proxy {
    /**
     * Points the app's site at {@code vhost}'s names and upstreams, checked before it takes effect; on a failed check
     * the previous site stays and this throws.
     */
    void apply(Nginx.Vhost vhost);

    /** The upstreams the app's site points at now, as last applied; empty when it has no site or none. */
    java.util.List<Nginx.Upstream> routed(AppName app);

    /** Takes the app's site away; an app without one is fine. */
    void remove(AppName app);
}
