package pier.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pier.apps.Procfile;
import pier.apps.Release;
import pier.engine.ContainerSpec;
import pier.engine.Labels;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.ConfigSnapshot;
import pier.state.Resources;

/**
 * What each container of a release is, decided without asking the engine: its name, labels, environment,
 * command, port, mounts and limits. Every container pier starts (process instances, the release command, a
 * {@code pier run}) is specified here, so the words on a container are written in one place and tested
 * without a daemon.
 */
public final class ContainerSpecs {
    private ContainerSpecs() {
    }

    /** The app's config as a container's environment, in the order the release recorded it. */
    public static Map<String, String> env(ConfigSnapshot config) {
        Map<String, String> env = new LinkedHashMap<>();
        config.merged().values().forEach((k, v) -> env.put(k.value(), v));
        return env;
    }

    /**
     * Instance {@code index} of {@code type} ({@code web.1}): DYNO names it, a web instance gets PORT, its fixed
     * {@code address} on the app's network (where Nginx routes) and is published on {@code hostPort} of 127.0.0.1
     * (where its checks reach it); other types get neither ({@code ""}, 0). It runs its Procfile command or the
     * image's own.
     */
    public static ContainerSpec process(AppName app, Release release, ProcessType type, int index,
                                               Map<String, String> env, String address, int hostPort,
                                               List<ContainerSpec.Mount> mounts, Resources.Confinement confinement) {
        boolean web = type.equals(ProcessType.WEB);
        String instance = type + "." + index;
        Map<String, String> own = dyno(env, instance);
        if (web) {
            own.put("PORT", Integer.toString(release.port()));
        }
        List<String> cmd = release.procfile().command(type).map(c -> Procfile.argv(c, release.shell(), own)).orElse(null);
        Map<String, String> labels = new LinkedHashMap<>(Labels.of(app.value(), release.id(), type.value()));
        labels.put(Labels.INSTANCE, instance);
        if (web && !address.isEmpty()) {
            labels.put(Labels.ADDRESS, address);
        }
        return new ContainerSpec(Labels.containerName(app.value(), release.id(), instance), release.image(),
                envList(own), labels, web ? hostPort : 0, release.port(), mounts, cmd, confinement);
    }

    /** The Procfile's release command, run once in a container of the release's image before anything starts. */
    public static ContainerSpec releaseCommand(AppName app, Release release, Map<String, String> env,
                                                      List<ContainerSpec.Mount> mounts, Resources.Confinement confinement) {
        return oneOff(app, release, ProcessType.RELEASE.value(), release.procfile().command(ProcessType.RELEASE).orElseThrow(),
                env, mounts, confinement);
    }

    /**
     * {@code command} run once in a container of the release's image, as {@code kind} ({@code release}, or the
     * app.json {@code predeploy} and {@code postdeploy}): a one-off no switch retires, with the release's config
     * and volumes.
     */
    public static ContainerSpec oneOff(AppName app, Release release, String kind, String command, Map<String, String> env,
                                       List<ContainerSpec.Mount> mounts, Resources.Confinement confinement) {
        Map<String, String> own = dyno(env, kind + ".1");
        Map<String, String> labels = new LinkedHashMap<>(Labels.of(app.value(), release.id(), kind));
        labels.put(Labels.ONEOFF, kind);
        return new ContainerSpec(Labels.containerName(app.value(), release.id(), kind), release.image(),
                envList(own), labels, 0, 0, mounts, Procfile.argv(command, release.shell(), own), confinement);
    }

    /**
     * A run of an app.json cron entry, started for the minute {@code stamp} (or a {@code cron:run}): a one-off of
     * the live release named and labelled by its entry, shown as {@code cron.ID} in the logs.
     */
    public static ContainerSpec cron(AppName app, Release release, pier.apps.CronEntry entry, String stamp,
                                     Map<String, String> env, List<ContainerSpec.Mount> mounts,
                                     Resources.Confinement confinement) {
        String instance = Cron.PROCESS + "." + entry.id();
        Map<String, String> own = dyno(env, instance);
        Map<String, String> labels = new LinkedHashMap<>(Labels.of(app.value(), release.id(), Cron.PROCESS));
        labels.put(Labels.ONEOFF, Cron.PROCESS);
        labels.put(Labels.INSTANCE, instance);
        labels.put(Labels.CRON, entry.id());
        labels.put(Labels.CRON_MINUTE, stamp);
        return new ContainerSpec(Labels.containerName(app.value(), release.id(), instance + "-" + stamp), release.image(),
                envList(own), labels, 0, 0, mounts, Procfile.argv(entry.command(), release.shell(), own), confinement);
    }

    /** The labels of a {@code pier run} container of {@code release}: a one-off, never retired by a switch. */
    public static Map<String, String> runLabels(AppName app, Release release) {
        Map<String, String> labels = new LinkedHashMap<>(Labels.of(app.value(), release.id(), "run"));
        labels.put(Labels.ONEOFF, "run");
        labels.put(Labels.INSTANCE, "run.1");
        return labels;
    }

    /**
     * A {@code pier run} of {@code argv} with {@code env} (made by {@link #runEnv}); {@code suffix} keeps two runs at
     * once apart.
     */
    public static ContainerSpec run(AppName app, Release release, List<String> argv, Map<String, String> env,
                                           String suffix, List<ContainerSpec.Mount> mounts, Resources.Confinement confinement) {
        return new ContainerSpec(Labels.containerName(app.value(), release.id(), "run-" + suffix), release.image(),
                envList(env), runLabels(app, release), 0, 0, mounts, argv, confinement);
    }

    /** The environment of a {@code pier run}: DYNO is {@code run.1}, as Heroku names one-off dynos. */
    public static Map<String, String> runEnv(Map<String, String> env) {
        return dyno(env, "run.1");
    }

    /** {@code env} with DYNO naming the container's instance, as Heroku sets it. */
    private static Map<String, String> dyno(Map<String, String> env, String instance) {
        Map<String, String> own = new LinkedHashMap<>(env);
        own.put("DYNO", instance);
        return own;
    }

    static List<String> envList(Map<String, String> env) {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }
}
