package pier.deploy;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import pier.apps.Apps;
import pier.apps.Placement;
import pier.apps.Procfile;
import pier.apps.Release;
import pier.apps.Releases;
import pier.apps.Volumes;
import pier.base.PierException;
import pier.base.Shown;
import pier.engine.Container;
import pier.engine.ContainerSpec;
import pier.engine.Labels;
import pier.engine.Scheduler;
import pier.names.AppName;
import pier.names.ProcessType;
import pier.state.ConfigSnapshot;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Resources;

/**
 * Commands outside the formation: {@code pier run} (a one-off container of the live release, removed after) and
 * {@code pier enter} (a shell in one of its running containers).
 */
public final class OneOffs {
    private final PierHome home;
    private final Scheduler docker;
    private final SwarmProcesses swarm;

    public OneOffs(PierHome home, Scheduler docker, SwarmProcesses swarm) {
        this.home = home;
        this.docker = docker;
        this.swarm = swarm;
    }

    /**
     * Runs a one-off container of the live release (its image and config, the app's volumes) with our stdin, stdout
     * and stderr, and returns its exit code; it is removed afterwards. Several words run as given; one word runs like
     * a Procfile command (with {@code /bin/sh -c} when the image has it).
     */
    public int run(AppName app, List<String> words, InputStream in, OutputStream out, OutputStream err) {
        if (words.isEmpty()) {
            throw PierException.usage("give a command to run, e.g. pier run APP ls -la");
        }
        ContainerSpec spec;
        try (Lock ignored = Lock.app(home, app)) {
            new Apps(home).require(app);
            Release live = Processes.live(home, app);
            ConfigSnapshot config = new Releases(home, app).config(live).orElseGet(() -> ConfigSnapshot.current(home, app));
            Map<String, String> env = ContainerSpecs.runEnv(ContainerSpecs.env(config));
            List<String> argv = words.size() > 1 ? List.copyOf(words)
                    : Procfile.argv(words.get(0), docker.hasFile(live.image(), "/bin/sh", ContainerSpecs.runLabels(app, live)), env);
            String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
            spec = ContainerSpecs.run(app, live, argv, env, suffix, new Volumes(home, docker).mountsFor(app),
                    new Resources(home).confinement(app, "run"));
        }
        return docker.runAttached(spec, in, out, err);
    }

    /** A process type ({@code web}) or an instance of one ({@code web.2}), checked; refused as bad usage otherwise. */
    public static String checkedInstance(String which) {
        String[] parts = which.split("\\.", 2);
        ProcessType.of(parts[0]);
        if (parts.length == 2 && !parts[1].matches("[1-9]\\d{0,2}")) {
            throw PierException.usage("invalid instance " + Shown.quote(which) + ": use TYPE or TYPE.N (e.g. web.2)");
        }
        return which;
    }

    /**
     * Runs {@code /bin/sh} in a running container of the live release: {@code which} is a type ({@code web}, the
     * first one) or an instance ({@code web.2}). With {@code tty} it gets a terminal of {@code size} (rows, columns).
     * For an app on the swarm, in the container of one of its tasks on this host ({@link SwarmProcesses#enterable});
     * a task on another node is out of reach, and the failure names the node.
     */
    public int enter(AppName app, Optional<String> which, boolean tty, int @Nullable [] size, InputStream in, OutputStream out,
                     OutputStream err) {
        String wanted = checkedInstance(which.orElse("web"));
        String[] parts = wanted.split("\\.", 2);
        ProcessType type = ProcessType.of(parts[0]);
        new Apps(home).require(app);
        Release live = Processes.live(home, app);
        String container;
        if (Placement.read(home, app).swarm()) {
            container = swarm.enterable(app, type, parts.length == 1 ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(parts[1])));
        } else {
            container = Logs.processes(docker, app, live.id(), Optional.of(type)).stream()
                    .filter(Container::running)
                    .filter(c -> parts.length == 1 || wanted.equals(c.labels().get(Labels.INSTANCE)))
                    .min(Comparator.comparing(c -> c.labels().getOrDefault(Labels.INSTANCE, "")))
                    .orElseThrow(() -> PierException.failed("no running " + wanted + " container of " + app + " " + live.tag()
                            + ": pier ps " + app + " shows what runs")).id();
        }
        if (!docker.hasFile(live.image(), "/bin/sh", Map.of(Labels.APP, app.value(), Labels.ONEOFF, "probe"))) {
            throw PierException.failed("the image of " + app + " has no /bin/sh to enter; use pier run " + app + " COMMAND");
        }
        return docker.execAttached(container, List.of("/bin/sh"), tty, size, in, out, err);
    }
}
