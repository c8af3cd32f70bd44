package pier.apps;

import java.time.Instant;
import java.util.Collections;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import pier.names.ProcessType;

/**
 * One release: what ran and who made it. A deploy, a rebuild, a config change, a restart, a scale or a rollback
 * each makes one. It records everything a restart or a rollback needs without a checkout: the commit and the image
 * built from it, the container port, the Procfile commands (and whether the image has {@code /bin/sh} to run them),
 * the health checks, the app.json deploy scripts and cron entries, the config version (a hash of {@code vN.env}) and the containers
 * started per process type.
 */
public record Release(int id, String commit, String image, int port, Instant time, String key, String description,
                      String config, Procfile procfile, boolean shell, Checks checks,
                      SortedMap<ProcessType, Integer> formation, AppJson.DeployScripts scripts,
                      java.util.List<CronEntry> cron) {

    public Release {
        formation = Collections.unmodifiableSortedMap(new TreeMap<>(formation));
        cron = java.util.List.copyOf(cron);
    }

    /** A release without deploy scripts. */
    public Release(int id, String commit, String image, int port, Instant time, String key, String description,
                   String config, Procfile procfile, boolean shell, Checks checks,
                   SortedMap<ProcessType, Integer> formation) {
        this(id, commit, image, port, time, key, description, config, procfile, shell, checks, formation,
                AppJson.DeployScripts.NONE, java.util.List.of());
    }

    /** A release as recorded before pier knew processes (a web container running the image's command). */
    public Release(int id, String commit, String image, int port, Instant time, String key) {
        this(id, commit, image, port, time, key, "", "", Procfile.none(), false, Checks.DEFAULT,
                new TreeMap<>(java.util.Map.of(ProcessType.WEB, 1)));
    }

    Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("id", Integer.toString(id));
        p.setProperty("commit", commit);
        p.setProperty("image", image);
        p.setProperty("port", Integer.toString(port));
        p.setProperty("time", time.toString());
        p.setProperty("key", key);
        p.setProperty("description", description);
        if (!config.isEmpty()) {
            p.setProperty("config", config);
        }
        procfile.commands().forEach((t, c) -> p.setProperty("process." + t.value(), c));
        if (!procfile.isEmpty() || !scripts.isEmpty() || !cron.isEmpty()) {
            p.setProperty("shell", Boolean.toString(shell));
        }
        checks.store(p);
        formation.forEach((t, n) -> p.setProperty("formation." + t.value(), Integer.toString(n)));
        if (!scripts.predeploy().isEmpty()) {
            p.setProperty("script.predeploy", scripts.predeploy());
        }
        if (!scripts.postdeploy().isEmpty()) {
            p.setProperty("script.postdeploy", scripts.postdeploy());
        }
        for (int i = 0; i < cron.size(); i++) {
            p.setProperty("cron." + i + ".schedule", cron.get(i).schedule().text());
            p.setProperty("cron." + i + ".command", cron.get(i).command());
            p.setProperty("cron." + i + ".overlap", Boolean.toString(cron.get(i).overlap()));
        }
        return p;
    }

    static Release from(Properties p) {
        TreeMap<ProcessType, String> commands = new TreeMap<>();
        TreeMap<ProcessType, Integer> formation = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("process.")) {
                commands.put(ProcessType.of(key.substring(8)), p.getProperty(key));
            } else if (key.startsWith("formation.")) {
                formation.put(ProcessType.of(key.substring(10)), Integer.parseInt(p.getProperty(key).strip()));
            }
        }
        if (formation.isEmpty()) {
            formation.put(ProcessType.WEB, 1);
        }
        return new Release(Integer.parseInt(p.getProperty("id")), p.getProperty("commit"), p.getProperty("image"),
                Integer.parseInt(p.getProperty("port", "5000")), Instant.parse(p.getProperty("time")),
                p.getProperty("key", ""), p.getProperty("description", ""), p.getProperty("config", ""),
                new Procfile(commands), Boolean.parseBoolean(p.getProperty("shell", "false")), Checks.load(p), formation,
                new AppJson.DeployScripts(p.getProperty("script.predeploy", ""), p.getProperty("script.postdeploy", "")),
                cron(p));
    }

    private static java.util.List<CronEntry> cron(Properties p) {
        java.util.List<CronEntry> entries = new java.util.ArrayList<>();
        for (int i = 0; p.getProperty("cron." + i + ".command") != null; i++) {
            entries.add(new CronEntry(CronSchedule.parse(p.getProperty("cron." + i + ".schedule", "")),
                    p.getProperty("cron." + i + ".command"), Boolean.parseBoolean(p.getProperty("cron." + i + ".overlap"))));
        }
        return entries;
    }

    public String tag() {
        return "v" + id;
    }

    /** The config version as shown: its first 7 hex digits, or "unknown" for a release made before pier kept them. */
    public String configShort() {
        return config.isEmpty() ? "unknown" : config.substring(0, Math.min(7, config.length()));
    }

    public String commitShort() {
        return commit.substring(0, Math.min(7, commit.length()));
    }

    public int count(ProcessType type) {
        return formation.getOrDefault(type, 0);
    }
}
