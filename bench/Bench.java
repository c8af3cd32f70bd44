import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pier's benchmark: what an admin feels, against the floor of this machine, measured in the same run.
 * Run as root on a host where pier is installed: {@code java bench/Bench.java [--runs N] [--out FILE]}.
 * It prints a table and writes the figures as JSON. Every figure is a median of several runs; where a floor
 * exists, the ratio to it is given. It adds two temporary SSH keys and one app, and removes them at the end.
 */
public class Bench {
    static final String APP = "bench";
    static final Path PIER = Path.of("/usr/local/bin/pier");
    static final String SSH_OPTS = "-o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
            + " -o LogLevel=ERROR -o BatchMode=yes";
    static final String MARK = "pier-bench-temporary";

    final int runs;
    final Path work;
    final Path adminKey;
    final Path rootKey;
    final Path trivialKey;
    final Path repo;
    String host;
    final Map<String, Object> results = new LinkedHashMap<>();
    final List<String[]> table = new ArrayList<>();

    Bench(int runs) throws IOException {
        this.runs = runs;
        this.work = Files.createTempDirectory("pier-bench-");
        this.adminKey = work.resolve("admin");
        this.rootKey = work.resolve("root");
        this.trivialKey = work.resolve("trivial");
        this.repo = work.resolve("app");
    }

    public static void main(String... args) throws Exception {
        int runs = 5;
        Path out = Path.of("bench-results.json");
        String swarmAddress = null;
        boolean onlySwarm = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--swarm" -> swarmAddress = args[++i];
                case "--only-swarm" -> onlySwarm = true;
                default -> {
                    System.err.println("usage: java bench/Bench.java [--runs N] [--out FILE] [--swarm ADDRESS [--only-swarm]]");
                    System.exit(2);
                }
            }
        }
        if (onlySwarm && swarmAddress == null) {
            System.err.println("error: --only-swarm needs --swarm ADDRESS (this host's private address, for the registry and the swarm)");
            System.exit(2);
        }
        if (!Files.isExecutable(PIER) || !"root".equals(System.getProperty("user.name"))) {
            System.err.println("error: run as root on a host where pier is installed (java -jar target/pier.jar install)");
            System.exit(2);
        }
        List<String> missing = missingPrograms();
        if (!missing.isEmpty()) {
            // Before the first measurement: minutes of figures were lost to a missing wrk at the end.
            System.err.println("error: the benchmark needs " + String.join(", ", missing)
                    + " on PATH; apt-get install " + String.join(" ", missing.stream().map(Bench::debianPackage).distinct().toList()));
            System.exit(2);
        }
        Bench bench = new Bench(runs);
        try {
            bench.setUp();
            if (!onlySwarm) {
                bench.pushToLive();
                bench.cutOver();
                bench.commandLatency();
                bench.proxyCost();
                bench.buildCache();
                bench.idleFootprint();
            }
            if (swarmAddress != null) {
                bench.swarm(swarmAddress);
            }
        } finally {
            bench.tearDown();
            // The figures measured so far are kept even when a later measurement fails.
            try {
                bench.report(out);
            } catch (IOException | RuntimeException e) {
                System.err.println("error: could not write the figures to " + out + ": " + e.getMessage());
            }
        }
    }

    /** Every program a measurement runs, checked before the first one. */
    static final List<String> PROGRAMS = List.of("git", "ssh", "ssh-keygen", "docker", "wrk", "runuser", "env");

    static List<String> missingPrograms() {
        List<Path> path = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(d -> !d.isEmpty()).map(Path::of).toList();
        List<String> missing = new ArrayList<>();
        for (String program : PROGRAMS) {
            if (path.stream().noneMatch(d -> Files.isExecutable(d.resolve(program)))) {
                missing.add(program);
            }
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/nginx"))) {
            missing.add("nginx");
        }
        return missing;
    }

    static String debianPackage(String program) {
        return switch (program) {
            case "ssh", "ssh-keygen" -> "openssh-client";
            case "docker" -> "docker.io";
            case "runuser", "env" -> "util-linux coreutils";
            default -> program;
        };
    }

    // ---- set-up -------------------------------------------------------------------------------------------

    void setUp() throws Exception {
        for (Path key : List.of(adminKey, rootKey, trivialKey)) {
            check(run(null, null, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", MARK, "-f", key.toString()));
        }
        run(null, null, PIER.toString(), "ssh-keys:remove", "bench");
        check(run(null, Files.readString(Path.of(adminKey + ".pub")), PIER.toString(), "ssh-keys:add", "bench"));
        // The floors: plain git over the same sshd (root, no forced command) and a trivial forced command.
        Path authorized = Path.of("/root/.ssh/authorized_keys");
        Files.createDirectories(authorized.getParent());
        String lines = Files.readString(Path.of(rootKey + ".pub")) + "command=\"true\",restrict "
                + Files.readString(Path.of(trivialKey + ".pub"));
        Files.writeString(authorized, (Files.exists(authorized) ? Files.readString(authorized) : "") + lines);
        run(null, null, PIER.toString(), "apps:destroy", APP, "--force");

        Files.createDirectories(repo.resolve("www"));
        Files.copy(Path.of("/bin/busybox"), repo.resolve("busybox"));
        Files.writeString(repo.resolve("www/index.html"), "bench\n");
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n"
                + "CMD [\"/bin/busybox\", \"sh\", \"-c\", \"exec /bin/busybox httpd -f -p $PORT -h /www\"]\n");
        git("init", "-q", "-b", "main");
        git("add", "-A");
        git("commit", "-q", "-m", "bench");
        Result first = push();
        check(first);
        Matcher live = Pattern.compile("is live at http://(\\S+)").matcher(first.out);
        if (!live.find()) {
            throw new IllegalStateException("no live URL in the push output:\n" + first.out);
        }
        host = live.group(1);
        check(run(null, null, "git", "init", "-q", "--bare", work.resolve("floor.git").toString()));
    }

    void tearDown() throws IOException {
        run(null, null, PIER.toString(), "apps:destroy", APP, "--force");
        run(null, null, PIER.toString(), "ssh-keys:remove", "bench");
        Path authorized = Path.of("/root/.ssh/authorized_keys");
        if (Files.exists(authorized)) {
            Files.writeString(authorized, String.join("", Files.readString(authorized).lines()
                    .filter(l -> !l.contains(MARK)).map(l -> l + "\n").toList()));
        }
    }

    // ---- 1. push to live ----------------------------------------------------------------------------------

    void pushToLive() throws Exception {
        Map<String, List<Double>> parts = new LinkedHashMap<>();
        for (String p : List.of("total", "receive", "build", "start", "health", "switch")) {
            parts.put(p, new ArrayList<>());
        }
        for (int i = 0; i < runs; i++) {
            git("commit", "-q", "--allow-empty", "-m", "run " + i);
            long t0 = System.nanoTime();
            Result push = push();
            double total = secondsSince(t0);
            check(push);
            Map<String, Double> split = split(push.out);
            double inside = split.values().stream().mapToDouble(Double::doubleValue).sum();
            parts.get("total").add(total);
            parts.get("receive").add(total - inside);
            split.forEach((k, v) -> parts.get(k).add(v));
        }
        // The floor: the same steps done directly, in this run.
        List<Double> gitPush = new ArrayList<>();
        List<Double> build = new ArrayList<>();
        List<Double> start = new ArrayList<>();
        List<Double> answer = new ArrayList<>();
        List<Double> reload = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            git("commit", "-q", "--allow-empty", "-m", "floor " + i);
            long t0 = System.nanoTime();
            check(run(repo, null, "git", "-c", "core.sshCommand=ssh -i " + rootKey + " " + SSH_OPTS, "push", "-q",
                    "root@localhost:" + work.resolve("floor.git"), "main"));
            gitPush.add(secondsSince(t0));
            t0 = System.nanoTime();
            check(run(repo, null, "env", "DOCKER_BUILDKIT=0", "docker", "build", "-q", "-t", "pier-bench-floor", "."));
            build.add(secondsSince(t0));
            int port = 20000 + i;
            t0 = System.nanoTime();
            Result id = run(null, null, "docker", "run", "-d", "-e", "PORT=5000", "-p", "127.0.0.1:" + port + ":5000",
                    "pier-bench-floor");
            check(id);
            start.add(secondsSince(t0));
            t0 = System.nanoTime();
            while (get("127.0.0.1", port, "x").status() != 200 && secondsSince(t0) < 30) {
                Thread.sleep(10);
            }
            answer.add(secondsSince(t0));
            t0 = System.nanoTime();
            check(run(null, null, "/usr/sbin/nginx", "-s", "reload"));
            reload.add(secondsSince(t0));
            run(null, null, "docker", "rm", "-f", id.out.strip());
        }
        double floor = median(gitPush) + median(build) + median(start) + median(answer) + median(reload);
        Map<String, Object> r = new LinkedHashMap<>();
        parts.forEach((k, v) -> r.put(k + "_s", round(median(v))));
        r.put("floor_s", round(floor));
        r.put("floor_parts_s", Map.of("git_push", round(median(gitPush)), "docker_build", round(median(build)),
                "docker_run", round(median(start)), "first_2xx", round(median(answer)), "nginx_reload", round(median(reload))));
        r.put("ratio", round(median(parts.get("total")) / floor));
        results.put("push_to_live", r);
        row("push to live (cached layers)", fmt(median(parts.get("total"))) + " s", fmt(floor) + " s",
                fmt(median(parts.get("total")) / floor) + "x (target <= 1.5)");
        row("  receive / build / start / health / switch", String.format("%s / %s / %s / %s / %s",
                fmt(median(parts.get("receive"))), fmt(median(parts.get("build"))), fmt(median(parts.get("start"))),
                fmt(median(parts.get("health"))), fmt(median(parts.get("switch")))), "", "");
    }

    static Map<String, Double> split(String pushOutput) {
        Matcher m = Pattern.compile("is live at \\S+ \\(([^)]*)\\)").matcher(pushOutput);
        Map<String, Double> split = new LinkedHashMap<>();
        if (m.find()) {
            for (String part : m.group(1).split(", ")) {
                String[] kv = part.split(" ");
                split.put(kv[0], Double.parseDouble(kv[1].replace("s", "")));
            }
        }
        return split;
    }

    // ---- 2. cut-over ---------------------------------------------------------------------------------------

    void cutOver() throws Exception {
        int rate = 200;
        List<Long> rest = load(rate, () -> sleep(10_000)).latenciesMicros;
        Load during = load(rate, () -> {
            for (int i = 0; i < 10; i++) {
                git("commit", "-q", "--allow-empty", "-m", "cut-over " + i);
                check(push());
            }
        });
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("rate_per_s", rate);
        r.put("redeploys", 10);
        r.put("requests", during.latenciesMicros.size() + during.failed);
        r.put("failed", during.failed);
        r.put("p99_rest_ms", round(percentile(rest, 99) / 1000.0));
        r.put("p99_switching_ms", round(percentile(during.latenciesMicros, 99) / 1000.0));
        results.put("cut_over", r);
        row("cut-over: failed requests in 10 redeploys", during.failed + " of " + r.get("requests"), "0", "target 0");
        row("cut-over: p99 switching / at rest", fmt(percentile(during.latenciesMicros, 99) / 1000.0) + " ms",
                fmt(percentile(rest, 99) / 1000.0) + " ms", "");
    }

    record Load(List<Long> latenciesMicros, int failed) {
    }

    /** A paced client at {@code rate} requests/s through Nginx while {@code work} runs, and 3 s after. */
    Load load(int rate, Runnable work) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        int threads = 4;
        List<Thread> clients = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        for (int t = 0; t < threads; t++) {
            Thread client = new Thread(() -> {
                long interval = TimeUnit.SECONDS.toNanos(1) * threads / rate;
                long next = System.nanoTime();
                while (!stop.get() && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    Response r = get("127.0.0.1", 80, host);
                    if (r.status() == 200) {
                        latencies.add((System.nanoTime() - t0) / 1000);
                    } else {
                        failures.add(r.status() + " " + r.body());
                    }
                    next += interval;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(sleep);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            client.start();
            clients.add(client);
        }
        work.run();
        Thread.sleep(3000);
        stop.set(true);
        for (Thread c : clients) {
            c.join();
        }
        return new Load(new ArrayList<>(latencies), failures.size());
    }

    // ---- swarm: the same app on this host's Docker and as a swarm service -----------------------------------

    /**
     * Push-to-live and cut-over of the bench app on local Docker, then placed on a swarm this host manages alone
     * (nodes:add --print makes it the manager, with the registry on {@code address}): what the swarm path itself
     * costs (push to the registry, service update, start-first convergence), with no second host's network in it.
     * The host is put back as it was: swarm left, registry stopped, daemon.json restored.
     */
    void swarm(String address) throws Exception {
        if (run(null, null, "docker", "info", "--format", "{{.Swarm.LocalNodeState}}").out.strip().equals("active")) {
            row("swarm figures", "not measured: this host is in a swarm already", "", "");
            return;
        }
        Path daemonJson = Path.of("/etc/docker/daemon.json");
        String before = Files.exists(daemonJson) ? Files.readString(daemonJson) : null;
        int rate = 200;
        int redeploys = 5;
        try {
            List<Double> local = pushes("local");
            Load localRest = load(rate, () -> sleep(5_000));
            Load localDuring = load(rate, () -> redeploy(redeploys, "local"));
            check(run(null, null, PIER.toString(), "nodes:add", "node.bench.invalid", "--print", "--address", address));
            check(run(null, null, PIER.toString(), "scheduler:set", APP, "swarm"));
            List<Double> onSwarm = pushes("swarm");
            Load swarmRest = load(rate, () -> sleep(5_000));
            Load swarmDuring = load(rate, () -> redeploy(redeploys, "swarm"));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("push_local_s", round(median(local)));
            r.put("push_swarm_s", round(median(onSwarm)));
            r.put("ratio", round(median(onSwarm) / median(local)));
            r.put("redeploys", redeploys);
            r.put("rate_per_s", rate);
            r.put("failed_local", localDuring.failed);
            r.put("failed_swarm", swarmDuring.failed);
            r.put("requests_swarm", swarmDuring.latenciesMicros.size() + swarmDuring.failed);
            r.put("p99_local_rest_ms", round(percentile(localRest.latenciesMicros, 99) / 1000.0));
            r.put("p99_local_switching_ms", round(percentile(localDuring.latenciesMicros, 99) / 1000.0));
            r.put("p99_swarm_rest_ms", round(percentile(swarmRest.latenciesMicros, 99) / 1000.0));
            r.put("p99_swarm_switching_ms", round(percentile(swarmDuring.latenciesMicros, 99) / 1000.0));
            results.put("swarm", r);
            row("swarm: push to live, swarm / local", fmt(median(onSwarm)) + " s", fmt(median(local)) + " s",
                    fmt(median(onSwarm) / median(local)) + "x");
            row("swarm: failed requests in " + redeploys + " redeploys", localDuring.failed + " local, " + swarmDuring.failed + " swarm",
                    "0", "of " + r.get("requests_swarm") + " on the swarm");
            row("swarm: p99 switching / at rest, swarm", fmt(percentile(swarmDuring.latenciesMicros, 99) / 1000.0) + " / "
                    + fmt(percentile(swarmRest.latenciesMicros, 99) / 1000.0) + " ms", "", "");
            row("swarm: p99 switching / at rest, local", fmt(percentile(localDuring.latenciesMicros, 99) / 1000.0) + " / "
                    + fmt(percentile(localRest.latenciesMicros, 99) / 1000.0) + " ms", "", "");
        } finally {
            run(null, null, PIER.toString(), "scheduler:set", APP, "docker");
            run(null, null, "docker", "swarm", "leave", "--force");
            run(null, null, "docker", "network", "rm", "docker_gwbridge");
            run(null, null, "pkill", "-f", "/usr/bin/docker-registry");
            run(null, null, "pkill", "-f", "nodes:watch");
            if (before != null) {
                Files.writeString(daemonJson, before);
                run(null, null, "sh", "-c", "kill -HUP $(cat /var/run/docker.pid)");
            }
        }
    }

    /** {@code runs} pushes of an empty commit, each one's wall time. */
    List<Double> pushes(String label) {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            git("commit", "-q", "--allow-empty", "-m", label + " " + i);
            long t0 = System.nanoTime();
            check(push());
            times.add(secondsSince(t0));
        }
        return times;
    }

    void redeploy(int times, String label) {
        for (int i = 0; i < times; i++) {
            git("commit", "-q", "--allow-empty", "-m", label + " cut-over " + i);
            check(push());
        }
    }

    // ---- 3. command latency --------------------------------------------------------------------------------

    void commandLatency() throws Exception {
        List<Double> floor = timed(() -> run(null, null, "ssh", "-i", trivialKey.toString(), SSH_OPTS, "root@localhost").code);
        List<Double> remote = timed(() -> run(null, null, "ssh", "-i", adminKey.toString(), SSH_OPTS, "pier@localhost",
                "apps:list").code);
        List<Double> localPier = timed(() -> run(null, null, "runuser", "-u", "pier", "--", PIER.toString(), "apps:list").code);
        List<Double> localRoot = timed(() -> run(null, null, PIER.toString(), "apps:list").code);
        // The laptop CLI: pier's own jars speaking SSH (MINA SSHD) with a HOME holding the key and known_hosts.
        Path laptop = Files.createDirectories(work.resolve("laptop/.ssh"));
        Files.copy(adminKey, laptop.resolve("id_ed25519"));
        String[] hostKey = Files.readString(Path.of("/etc/ssh/ssh_host_ed25519_key.pub")).strip().split("\\s+");
        Files.writeString(laptop.resolve("known_hosts"), "localhost " + hostKey[0] + " " + hostKey[1] + "\n");
        // With the JVM options scripts/pier.java gives JBang (//JAVA_OPTIONS), as a laptop user runs it.
        List<Double> laptopCli = timed(() -> run(null, null, "env", "HOME=" + laptop.getParent(), "java",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", "/usr/lib/pier/lib/*", "pier.cli.pier",
                "--remote", "pier@localhost", "apps:list").code);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ssh_trivial_floor_ms", round(median(floor) * 1000));
        r.put("ssh_apps_list_ms", round(median(remote) * 1000));
        r.put("local_apps_list_as_pier_ms", round(median(localPier) * 1000));
        r.put("local_apps_list_as_root_ms", round(median(localRoot) * 1000));
        r.put("ssh_over_floor_ms", round((median(remote) - median(floor)) * 1000));
        r.put("laptop_cli_apps_list_ms", round(median(laptopCli) * 1000));
        results.put("command_latency", r);
        row("ssh pier@localhost apps:list", fmt(median(remote) * 1000) + " ms", fmt(median(floor) * 1000) + " ms",
                "+" + fmt((median(remote) - median(floor)) * 1000) + " ms (target <= 300)");
        row("local pier apps:list (as pier / as root)", fmt(median(localPier) * 1000) + " / "
                + fmt(median(localRoot) * 1000) + " ms", "", "");
        row("pier --remote pier@localhost apps:list", fmt(median(laptopCli) * 1000) + " ms", fmt(median(remote) * 1000) + " ms",
                "+" + fmt((median(laptopCli) - median(remote)) * 1000) + " ms over ssh");
    }

    interface Timed {
        int run() throws Exception;
    }

    List<Double> timed(Timed command) throws Exception {
        command.run();
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < Math.max(runs, 10); i++) {
            long t0 = System.nanoTime();
            int code = command.run();
            times.add(secondsSince(t0));
            if (code != 0) {
                throw new IllegalStateException("a timed command failed with exit " + code);
            }
        }
        return times;
    }

    // ---- 4. proxy cost --------------------------------------------------------------------------------------

    void proxyCost() throws Exception {
        // Nginx reaches the web container at its address on the app's network (or, for an old one, a local port).
        Matcher upstream = Pattern.compile("server ([0-9.]+):(\\d+);")
                .matcher(Files.readString(Path.of("/var/lib/pier/nginx/" + APP + ".conf")));
        if (!upstream.find()) {
            throw new IllegalStateException("no upstream server line in " + APP + "'s Nginx site");
        }
        String direct = "http://" + upstream.group(1) + ":" + upstream.group(2) + "/";
        List<Double> proxied = new ArrayList<>();
        List<Double> straight = new ArrayList<>();
        for (int i = 0; i < Math.min(runs, 3); i++) {
            proxied.add(wrk("http://127.0.0.1/", host));
            straight.add(wrk(direct, "localhost"));
        }
        // HTTPS: a self-signed certificate for the app, with localhost among its names so that wrk sends it as SNI.
        check(run(null, null, PIER.toString(), "domains:add", APP, "localhost"));
        check(run(null, null, PIER.toString(), "certs:generate", APP));
        check(run(null, null, PIER.toString(), "certs:set", APP, "redirect", "off"));
        List<Double> https = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        for (int i = 0; i < Math.min(runs, 3); i++) {
            https.add(wrk("https://localhost/", "localhost"));
            plain.add(wrk("http://127.0.0.1/", host));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("nginx_rps", round(median(proxied)));
        r.put("direct_rps", round(median(straight)));
        r.put("ratio", round(median(proxied) / median(straight)));
        r.put("nginx_https_rps", round(median(https)));
        r.put("nginx_http_rps_beside_https", round(median(plain)));
        r.put("https_ratio", round(median(https) / median(plain)));
        results.put("proxy_cost", r);
        row("requests/s through Nginx vs direct", fmt(median(proxied)), fmt(median(straight)),
                fmt(median(proxied) / median(straight)) + " (target >= 0.85)");
        row("requests/s through Nginx over HTTPS vs HTTP (keep-alive)", fmt(median(https)), fmt(median(plain)),
                fmt(median(https) / median(plain)));
    }

    double wrk(String url, String hostHeader) throws Exception {
        Result r = run(null, null, "wrk", "-t2", "-c16", "-d5s", "-H", "Host: " + hostHeader, url);
        check(r);
        Matcher m = Pattern.compile("Requests/sec:\\s+([\\d.]+)").matcher(r.out);
        if (!m.find()) {
            throw new IllegalStateException("no Requests/sec in wrk output:\n" + r.out);
        }
        return Double.parseDouble(m.group(1));
    }

    // ---- 6. build cache ------------------------------------------------------------------------------------------

    /** A Node.js app without a Dockerfile: its first push against a push that changes only its code. */
    void buildCache() throws Exception {
        String base = run(null, null, "docker", "image", "inspect", "--format", "{{.Id}}", "debian:bookworm-slim").out;
        if (!base.startsWith("sha256:")) {
            row("build cache (buildpack app)", "not measured: no debian:bookworm-slim image (docs/deploy.md, Builds)", "", "");
            results.put("build_cache", Map.of("measured", false));
            return;
        }
        Path app = work.resolve("node");
        Files.createDirectories(app);
        Files.writeString(app.resolve("package.json"), "{\"name\": \"bench\", \"version\": \"1.0.0\", \"private\": true,"
                + " \"scripts\": {\"start\": \"node server.js\"}, \"dependencies\": {\"ms\": \"2.1.3\"}}\n");
        Files.writeString(app.resolve("package-lock.json"), """
                {"name": "bench", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {
                  "": {"name": "bench", "version": "1.0.0", "dependencies": {"ms": "2.1.3"}},
                  "node_modules/ms": {"version": "2.1.3", "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
                    "integrity": "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA=="}}}
                """);
        List<Double> cold = new ArrayList<>();
        List<Double> codeOnly = new ArrayList<>();
        for (int i = 0; i < Math.min(runs, 3); i++) {
            run(null, null, PIER.toString(), "apps:destroy", "bench-node", "--force");
            Files.writeString(app.resolve("server.js"), "require('http').createServer((q, r) => r.end('" + i
                    + "')).listen(process.env.PORT);\n");
            check(run(app, null, "git", "init", "-q", "-b", "main"));
            check(run(app, null, "git", "add", "-A"));
            check(run(app, null, "git", "-c", "user.email=b@p", "-c", "user.name=b", "commit", "-q", "-m", "cold " + i));
            long t0 = System.nanoTime();
            check(run(app, null, "git", "-c", "core.sshCommand=ssh -i " + adminKey + " " + SSH_OPTS, "push", "-f",
                    "pier@localhost:bench-node", "main"));
            cold.add(secondsSince(t0));
            Files.writeString(app.resolve("server.js"), "require('http').createServer((q, r) => r.end('code " + i
                    + "')).listen(process.env.PORT);\n");
            check(run(app, null, "git", "-c", "user.email=b@p", "-c", "user.name=b", "commit", "-q", "-am", "code " + i));
            t0 = System.nanoTime();
            check(run(app, null, "git", "-c", "core.sshCommand=ssh -i " + adminKey + " " + SSH_OPTS, "push",
                    "pier@localhost:bench-node", "main"));
            codeOnly.add(secondsSince(t0));
        }
        run(null, null, PIER.toString(), "apps:destroy", "bench-node", "--force");
        results.put("build_cache", Map.of("first_push_s", round(median(cold)), "code_only_push_s", round(median(codeOnly)),
                "speedup", round(median(cold) / median(codeOnly))));
        row("Node.js buildpack: first push vs code-only push", fmt(median(cold)) + " s / " + fmt(median(codeOnly)) + " s",
                "", fmt(median(cold) / median(codeOnly)) + "x faster (target >= 5)");
    }

    // ---- 5. idle footprint ------------------------------------------------------------------------------------

    void idleFootprint() throws Exception {
        // Background retirements of the last deploys end within the drain plus the stop grace.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<ProcessHandle> pier;
        do {
            Thread.sleep(500);
            pier = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("pier.cli.pier")
                    && p.pid() != ProcessHandle.current().pid()).toList();
        } while (!pier.isEmpty() && System.nanoTime() < deadline);
        long rssKb = 0;
        for (ProcessHandle p : pier) {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rssKb += Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        }
        results.put("idle_footprint", Map.of("processes", pier.size(), "rss_kb", rssKb));
        row("idle footprint of pier's processes", pier.size() + " processes, " + rssKb + " kB", "", "target: none");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    record Result(int code, String out) {
    }

    record Response(int status, String body) {
    }

    Result push() {
        return run(repo, null, "git", "-c", "core.sshCommand=ssh -i " + adminKey + " " + SSH_OPTS, "push",
                "pier@localhost:" + APP, "main");
    }

    void git(String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.email=bench@pier", "-c", "user.name=bench"));
        command.addAll(List.of(args));
        check(run(repo, null, command.toArray(String[]::new)));
    }

    static Result run(Path dir, String stdin, String... command) {
        List<String> flat = new ArrayList<>();
        for (String c : command) {
            if (c.startsWith("-o IdentitiesOnly")) {
                flat.addAll(List.of(c.split(" ")));
            } else {
                flat.add(c);
            }
        }
        try {
            ProcessBuilder b = new ProcessBuilder(flat).redirectErrorStream(true);
            if (dir != null) {
                b.directory(dir.toFile());
            }
            Process p = b.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(127, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted");
        }
    }

    static void check(Result r) {
        if (r.code != 0) {
            throw new IllegalStateException("command failed (exit " + r.code + "):\n" + r.out);
        }
    }

    static Response get(String ip, int port, String host) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ip, port), 2000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(Integer.parseInt(response.substring(9, 12)), response);
        } catch (IOException | RuntimeException e) {
            return new Response(-1, e.toString());
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static String fmt(double v) {
        return v >= 100 ? String.format("%.0f", v) : String.format("%.2f", v);
    }

    /** Records a figure and prints it at once, so a run that dies later still showed what it measured. */
    void row(String what, String value, String floor, String ratio) {
        if (table.isEmpty()) {
            System.out.printf("%n%-46s %-24s %-12s %s%n", "figure (median of " + runs + ")", "pier", "floor", "ratio / target");
        }
        table.add(new String[] {what, value, floor, ratio});
        System.out.printf("%-46s %-24s %-12s %s%n", what, value, floor, ratio);
        System.out.flush();
    }

    void report(Path out) throws IOException {
        results.put("runs", runs);
        results.put("time", Instant.now().toString());
        results.put("machine", machine());
        System.out.printf("%n%-46s %-24s %-12s %s%n", "figure (median of " + runs + ")", "pier", "floor", "ratio / target");
        for (String[] r : table) {
            System.out.printf("%-46s %-24s %-12s %s%n", r[0], r[1], r[2], r[3]);
        }
        Files.writeString(out, json(results, "") + "\n");
        System.out.println("\nfigures written to " + out.toAbsolutePath());
    }

    static Map<String, Object> machine() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("memory_kb", Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D", ""));
        m.put("kernel", System.getProperty("os.version"));
        m.put("java", System.getProperty("java.version"));
        m.put("docker", run(null, null, "docker", "version", "--format", "{{.Server.Version}}").out.strip());
        m.put("nginx", run(null, null, "/usr/sbin/nginx", "-v").out.strip());
        return m;
    }

    static String json(Object v, String indent) {
        if (v instanceof Map<?, ?> map) {
            List<String> parts = new ArrayList<>();
            map.forEach((k, val) -> parts.add(indent + "  \"" + k + "\": " + json(val, indent + "  ")));
            return "{\n" + String.join(",\n", parts) + "\n" + indent + "}";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return "\"" + v.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
