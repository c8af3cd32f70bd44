package pier.apps;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.AppName;
import pier.state.AtomicFile;
import pier.state.Damaged;
import pier.state.PierHome;

/**
 * Where an app's processes run: this host's Docker ({@code docker}, the default) or the cluster's swarm
 * ({@code swarm}), with the swarm's placement constraints. Kept in {@code apps/APP/scheduler}: the scheduler's name on
 * the first line, then one {@code constraint EXPR} per line.
 */
public record Placement(String scheduler, List<String> constraints) {
    public static final String DOCKER = "docker";
    public static final String SWARM = "swarm";
    public static final Placement LOCAL = new Placement(DOCKER, List.of());
    /** What Swarm takes: a node attribute or label, == or !=, a plain value. Nothing a YAML or shell would read. */
    private static final Pattern CONSTRAINT = Pattern.compile(
            "(node\\.(id|hostname|role|platform\\.os|platform\\.arch)|node\\.labels\\.[A-Za-z0-9._-]{1,64}|engine\\.labels\\.[A-Za-z0-9._-]{1,64})"
                    + "(==|!=)[A-Za-z0-9._-]{1,128}");

    public Placement {
        if (!scheduler.equals(DOCKER) && !scheduler.equals(SWARM)) {
            throw PierException.usage("unknown scheduler " + Shown.quote(scheduler) + ": docker (this host) or swarm (the cluster)");
        }
        constraints = List.copyOf(constraints);
        constraints.forEach(Placement::checkConstraint);
    }

    public boolean swarm() {
        return scheduler.equals(SWARM);
    }

    /** A placement constraint as Swarm takes it, e.g. {@code node.labels.disk==ssd}; anything else is refused. */
    public static String checkConstraint(String expression) {
        if (expression == null || !CONSTRAINT.matcher(expression).matches()) {
            throw PierException.usage("invalid constraint " + Shown.quote(expression) + ": node.labels.KEY==VALUE, node.role==worker,"
                    + " node.hostname!=NAME (== or !=, no spaces)");
        }
        return expression;
    }

    public Placement withScheduler(String name) {
        return new Placement(name, constraints);
    }

    public Placement withConstraint(String expression) {
        List<String> more = new ArrayList<>(constraints);
        if (!more.contains(checkConstraint(expression))) {
            more.add(expression);
        }
        return new Placement(scheduler, more);
    }

    public Placement withoutConstraints() {
        return new Placement(scheduler, List.of());
    }

    public static Placement read(PierHome home, AppName app) {
        String remedy = "set it again with pier scheduler:set " + app + " docker|swarm";
        Optional<String> text = Damaged.readNonEmpty(file(home, app), remedy);
        if (text.isEmpty()) {
            return LOCAL;
        }
        List<String> lines = text.get().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        try {
            List<String> constraints = new ArrayList<>();
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                if (!line.startsWith("constraint ")) {
                    throw PierException.failed("unexpected line " + Shown.quote(line));
                }
                constraints.add(line.substring("constraint ".length()));
            }
            return new Placement(lines.isEmpty() ? DOCKER : lines.get(0), constraints);
        } catch (PierException e) {
            throw new Damaged(file(home, app), Damaged.unparsable(e), remedy).failure();
        }
    }

    public void write(PierHome home, AppName app) {
        StringBuilder text = new StringBuilder(scheduler).append('\n');
        constraints.forEach(c -> text.append("constraint ").append(c).append('\n'));
        AtomicFile.write(file(home, app), text.toString(), "rw-------");
    }

    static Path file(PierHome home, AppName app) {
        return home.app(app).resolve("scheduler");
    }
}
