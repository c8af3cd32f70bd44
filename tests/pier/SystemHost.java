package pier;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import pier.engine.Docker;
import pier.engine.Host;
import pier.install.HostSteps;
import pier.state.AtomicFile;
import pier.state.PierHome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real host a system test drives: pier installed from target/pier.jar, real OpenSSH, Docker and Nginx.
 * Without root or those programs the tests fail under CI and are skipped, with the reason, elsewhere.
 */
public final class SystemHost {
    static final Path JAR = Path.of("target/pier.jar").toAbsolutePath();
    static final Path PIER = Path.of("/usr/local/bin/pier");

    private SystemHost() {
    }

    public record Result(int code, String output) {
    }

    record Response(int status, String body) {
    }

    private static Path adminKey;

    /**
     * Installs pier from target/pier.jar, adds a generated admin key named "systest", sets the global domain and
     * returns the private key's path for git and ssh. Once per test run, unless a test took pier off the host
     * (an uninstall or a purge) since: then it installs and adds the key again.
     */
    static synchronized Path installWithAdminKey(String domain) throws IOException {
        requireRealHost();
        if (adminKey != null && stillInstalled()) {
            return adminKey;
        }
        Result install = run("java", "-jar", JAR.toString(), "install");
        assertEquals(0, install.code(), install.output());
        Path dir = Files.createTempDirectory("pier-systest-key-");
        Path key = dir.resolve("id_ed25519");
        assertEquals(0, run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "systest@ci", "-f", key.toString()).code());
        pier("ssh-keys:remove", "systest");
        Result add = pierWithInput(Files.readString(Path.of(key + ".pub")), "ssh-keys:add", "systest");
        assertEquals(0, add.code(), add.output());
        Result global = pier("domains:set-global", domain);
        assertEquals(0, global.code(), global.output());
        adminKey = key;
        return key;
    }

    private static boolean stillInstalled() {
        return Files.isExecutable(PIER) && Files.isRegularFile(new PierHome(PierHome.DEFAULT).keys().resolve("systest.pub"));
    }

    /** A fresh git repository holding busybox, for an app built FROM scratch. */
    static Path busyboxRepo(Path key) throws IOException {
        Path repo = Files.createTempDirectory("pier-systest-app-");
        Files.createDirectories(repo.resolve("www"));
        Files.copy(Path.of("/bin/busybox"), repo.resolve("busybox"));
        assertEquals(0, git(repo, key, "init", "-q", "-b", "main").code());
        return repo;
    }

    /**
     * Commits an index page saying {@code body} and a Dockerfile serving it with busybox httpd (a file in /www/data
     * is served at /data/FILE) into {@code repo}, and pushes it to {@code app}.
     */
    static Result pushBusybox(Path repo, Path key, String app, String body) throws IOException {
        Files.writeString(repo.resolve("www/index.html"), body + "\n");
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\n"
                + PushToDeploySystemTest.SERVE + "\n");
        assertEquals(0, git(repo, key, "add", "-A").code());
        assertEquals(0, git(repo, key, "commit", "-q", "--allow-empty", "-m", body).code());
        return git(repo, key, "push", "pier@localhost:" + app, "main");
    }

    /**
     * A client asking {@code host} through Nginx, one request after another on a thread of its own, for proving
     * that something happening meanwhile drops no request. It gives up after 3 minutes or 100,000 requests.
     */
    static final class Load {
        private final ConcurrentLinkedQueue<Response> seen = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread client;

        private Load(String host) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            client = new Thread(() -> {
                while (!stop.get() && System.nanoTime() < deadline && seen.size() < 100_000) {
                    seen.add(get(host));
                }
            });
            client.start();
        }

        static Load on(String host) {
            return new Load(host);
        }

        /** Keeps asking {@code millis} longer, then stops; every response, in order. */
        List<Response> stopAfter(long millis) throws InterruptedException {
            Thread.sleep(millis);
            stop.set(true);
            client.join();
            return List.copyOf(seen);
        }
    }

    static void requireRealHost() {
        List<String> missing = new ArrayList<>();
        if (!Host.isRoot()) {
            missing.add("root");
        }
        for (String program : List.of("/usr/sbin/dockerd", "/usr/sbin/nginx", "/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/git",
                "/usr/bin/ssh-keygen", "/bin/busybox")) {
            if (!Files.isExecutable(Path.of(program))) {
                missing.add(program);
            }
        }
        if (!Files.isRegularFile(JAR)) {
            missing.add(JAR + " (run mvn package first)");
        }
        if (!missing.isEmpty()) {
            unavailable("system tests need " + String.join(", ", missing) + "; .ci/run installs them");
        }
    }

    /** For a test that runs a host program: without it the test fails under CI and is skipped, with the reason, elsewhere. */
    public static void requireProgram(Path program) {
        if (!Files.isExecutable(program)) {
            unavailable("this test needs " + program + "; .ci/run installs it");
        }
    }

    private static void unavailable(String why) {
        if (System.getenv("CI") != null) {
            fail(why);
        }
        System.err.println("SKIPPED: " + why);
        Assumptions.abort(why);
    }

    public static Result run(Path dir, Map<String, String> env, String stdin, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) {
                builder.directory(dir.toFile());
            }
            builder.environment().putAll(env);
            Process p = builder.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("timed out: " + String.join(" ", command) + "\n" + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Result run(String... command) {
        return run(null, Map.of(), null, command);
    }

    /** Runs the installed pier, as an admin would. */
    static Result pier(String... args) {
        return pierWithInput(null, args);
    }

    static Result pierWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(PIER.toString()));
        command.addAll(List.of(args));
        return run(null, Map.of(), stdin, command.toArray(String[]::new));
    }

    /** git with its SSH going through real OpenSSH and the given key. */
    static Result git(Path dir, Path key, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.email=test@pier", "-c", "user.name=pier test"));
        command.addAll(List.of(args));
        String ssh = "ssh -i " + key + " -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
                + " -o LogLevel=ERROR -o BatchMode=yes";
        return run(dir, Map.of("GIT_SSH_COMMAND", ssh), null, command.toArray(String[]::new));
    }

    /** A pier command over real OpenSSH with the given key ({@code ssh pier@localhost ARGS}), stdin from {@code stdin}. */
    static Result ssh(Path key, String stdin, String... remote) {
        return run(null, Map.of(), stdin, sshCommand(key, List.of(), remote));
    }

    private static String[] sshCommand(Path key, List<String> options, String... remote) {
        List<String> command = new ArrayList<>(List.of("ssh", "-i", key.toString(), "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "BatchMode=yes"));
        command.addAll(options);
        command.add("pier@localhost");
        command.addAll(List.of(remote));
        return command.toArray(String[]::new);
    }

    /**
     * Opens one SSH connection for {@code key} that {@link #sshShared} calls then open sessions on: sshd still runs
     * the key's forced command, with its role, for every session, but the key exchange and the authentication are
     * made once, not once a call (0.67 s -> 0.41 s a call here). The socket is named after the key, not after
     * user@host as ssh's %C would be, so two keys never share a connection.
     */
    static void openShared(Path key) {
        try {
            Process p = new ProcessBuilder(sshCommand(key, List.of("-M", "-N", "-f", "-o", "ControlPersist=yes",
                    "-o", "ControlPath=" + controlPath(key))))
                    // The master stays in the background; it must not hold this process's pipes open.
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
                fail("could not open a shared SSH connection for " + key);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@link #ssh} on the connection {@link #openShared} opened for this key (a connection of its own if none is). */
    static Result sshShared(Path key, String stdin, String... remote) {
        return run(null, Map.of(), stdin, sshCommand(key, List.of("-o", "ControlMaster=no", "-o", "ControlPath=" + controlPath(key)), remote));
    }

    /** Ends the shared connection: a key revoked meanwhile would otherwise keep the sessions sshd let it open. */
    static void closeShared(Path key) {
        run(sshCommand(key, List.of("-o", "ControlPath=" + controlPath(key), "-O", "exit")));
    }

    private static String controlPath(Path key) {
        return key + ".ssh-control";
    }

    /** One HTTP/1.1 request to Nginx on 127.0.0.1:80 with the given Host header; status -1 when it failed. */
    static Response get(String host) {
        return get(host, "/");
    }

    /** {@link #get(String)} for another path, e.g. {@code /data/note.txt}. */
    static Response get(String host, String path) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 80), 2000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            int bodyStart = response.indexOf("\r\n\r\n");
            if (bodyStart < 0) {
                return new Response(status, "");
            }
            String body = response.substring(bodyStart + 4);
            if (response.substring(0, bodyStart).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            return new Response(status, body.strip());
        } catch (IOException | RuntimeException e) {
            return new Response(-1, e.toString());
        }
    }

    /** The payload of an HTTP/1.1 chunked body (Nginx sends one for an app that gives no Content-Length, e.g. CGI). */
    static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int eol = chunked.indexOf("\r\n", at);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            // Sizes count bytes; the bodies pier's tests read are ASCII.
            out.append(chunked, eol + 2, Math.min(chunked.length(), eol + 2 + size));
            at = eol + 2 + size + 2;
        }
        return out.toString();
    }

    /** Polls until {@code host} answers 200 with {@code body}, for at most {@code seconds}. */
    static Response awaitBody(String host, String body, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Response last = get(host);
        while (!(last.status() == 200 && last.body().equals(body)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = get(host);
        }
        return last;
    }

    /** Stops and starts the Docker engine the way this host runs it, without any pier command. */
    static void restartDocker() throws InterruptedException {
        if (HostSteps.systemd()) {
            Result r = run("systemctl", "restart", "docker");
            if (r.code() != 0) {
                fail("systemctl restart docker: " + r.output());
            }
        } else {
            Path pidFile = Path.of("/var/run/docker.pid");
            String pid = AtomicFile.read(pidFile).orElseThrow(() -> new IllegalStateException("dockerd is not running")).strip();
            ProcessHandle dockerd = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
            dockerd.destroy();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (dockerd.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            if (dockerd.isAlive()) {
                fail("dockerd did not stop within 90 s");
            }
            try {
                new ProcessBuilder("setsid", "dockerd")
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("/var/log/dockerd.log").toFile()))
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .start();
            } catch (IOException e) {
                fail("cannot start dockerd: " + e);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Docker docker = Docker.connect()) {
                if (docker.ping()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // The socket appears a moment after the process starts.
            }
            Thread.sleep(200);
        }
        fail("dockerd did not answer within 60 s of its restart");
    }

    /** Every file under pier's state and Nginx's config, with its content hash, owner and mode; not the logs, which
     * record attempts too. */
    static Map<String, String> snapshot() throws Exception {
        Map<String, String> files = new TreeMap<>();
        for (Path root : List.of(PierHome.DEFAULT, Path.of("/etc/nginx"))) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.toList()) {
                    if (p.startsWith(PierHome.DEFAULT.resolve("locks")) || p.getFileName().toString().equals("retire.log")
                            || p.equals(PierHome.DEFAULT.resolve("events.log"))) {
                        continue;
                    }
                    String what = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                            ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)))
                            : Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p) : "dir";
                    files.put(p.toString(), what + " " + Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName() + " "
                            + java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
                }
            }
        }
        return files;
    }
}
