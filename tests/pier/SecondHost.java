package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pier.SystemHost.Result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A second host on this machine for the cluster's tests: a network namespace joined to this one by a veth pair
 * ({@link #MANAGER_ADDRESS} here, {@link #ADDRESS} there), its own dockerd (data-root, exec-root, socket; no default
 * bridge; its iptables rules are the namespace's own, and a task's host-mode port needs them) and its own sshd for root, whose sessions' {@code docker} talks to that dockerd. It shares
 * this machine's files, as a container's host would not; the tests only write there what a real node would hold.
 * {@link #adminHome} is a HOME whose {@code .ssh} holds a key that sshd takes and the node's host key as known.
 */
final class SecondHost implements AutoCloseable {
    static final String NETNS = "pier-n2";
    static final String MANAGER_ADDRESS = "10.88.0.1";
    static final String ADDRESS = "10.88.0.2";
    static final Path RUN = Path.of("/run/pier-n2");
    static final Path DATA = Path.of("/var/lib/pier-n2");
    static final Path SOCKET = RUN.resolve("docker.sock");
    static final Path DOCKER_PID = RUN.resolve("docker.pid");
    static final Path SSHD_PID = RUN.resolve("sshd.pid");
    static final Path ADMIN_HOME = RUN.resolve("admin");
    static final String HOST_VETH = "pier-n2a";

    private SecondHost() {
    }

    /** A fresh second host: whatever an earlier run left is taken down first. */
    static SecondHost start() throws IOException, InterruptedException {
        for (String program : List.of("/usr/bin/nsenter", "/usr/sbin/ip", "/usr/bin/ssh-keygen")) {
            SystemHost.requireProgram(Path.of(program));
        }
        stopAll();
        Files.createDirectories(RUN);
        Files.createDirectories(DATA);
        must("ip", "netns", "add", NETNS);
        must("ip", "link", "add", HOST_VETH, "type", "veth", "peer", "name", "pier-n2b");
        must("ip", "link", "set", "pier-n2b", "netns", NETNS);
        must("ip", "addr", "add", MANAGER_ADDRESS + "/24", "dev", HOST_VETH);
        must("ip", "link", "set", HOST_VETH, "up");
        inNamespace("ip", "addr", "add", ADDRESS + "/24", "dev", "pier-n2b");
        inNamespace("ip", "link", "set", "pier-n2b", "up");
        inNamespace("ip", "link", "set", "lo", "up");
        startDocker();
        startSshd();
        return new SecondHost();
    }

    /** {@code docker} against the second host's engine. */
    Result docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + SOCKET));
        command.addAll(List.of(args));
        return SystemHost.run(command.toArray(String[]::new));
    }

    /** Its Docker's place in a swarm: inactive or active. */
    String swarmState() {
        return docker("info", "--format", "{{.Swarm.LocalNodeState}}").output().strip();
    }

    /** Stops its dockerd as a crash of the host would, without leaving the swarm; the tasks there stop with it. */
    void stopDocker() {
        stop(DOCKER_PID);
    }

    /** Starts its dockerd again: the engine still holds its place in the swarm and rejoins by itself. */
    void startDockerAgain() throws IOException, InterruptedException {
        startDocker();
    }

    @Override
    public void close() {
        stopAll();
    }

    private static void startDocker() throws IOException, InterruptedException {
        Path config = RUN.resolve("daemon.json");
        // A node as pier install --node leaves it: live-restore off, as swarm mode wants.
        Files.writeString(config, "{\"live-restore\": false}\n");
        new ProcessBuilder("nsenter", "--net=/var/run/netns/" + NETNS, "setsid", "dockerd", "--data-root", DATA.resolve("docker").toString(),
                "--exec-root", RUN.resolve("exec").toString(), "--pidfile", DOCKER_PID.toString(), "--host", "unix://" + SOCKET,
                "--bridge", "none", "--config-file", config.toString())
                .redirectOutput(RUN.resolve("dockerd.log").toFile()).redirectErrorStream(true).start();
        await("the second host's dockerd", () -> SystemHost.run("docker", "-H", "unix://" + SOCKET, "version").code() == 0);
    }

    private static void startSshd() throws IOException, InterruptedException {
        Path hostKey = RUN.resolve("host_key");
        Path ssh = ADMIN_HOME.resolve(".ssh");
        Files.createDirectories(ssh);
        must("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
        must("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ssh.resolve("id_ed25519").toString());
        Files.copy(ssh.resolve("id_ed25519.pub"), RUN.resolve("authorized_keys"));
        Files.writeString(ssh.resolve("known_hosts"), ADDRESS + " " + Files.readString(hostKey.resolveSibling("host_key.pub")));
        Path config = RUN.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "ListenAddress " + ADDRESS,
                "HostKey " + hostKey,
                "PidFile " + SSHD_PID,
                "AuthorizedKeysFile " + RUN.resolve("authorized_keys"),
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "SetEnv DOCKER_HOST=unix://" + SOCKET, ""));
        inNamespace("/usr/sbin/sshd", "-f", config.toString());
        await("the second host's sshd", () -> Files.exists(SSHD_PID));
    }

    private static void stopAll() {
        for (Path pid : List.of(SSHD_PID, DOCKER_PID)) {
            stop(pid);
        }
        // The engine's own namespaces (an overlay's) stay mounted under its data-root after it stopped.
        try {
            Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" ")[1])
                    .filter(m -> m.startsWith(DATA.toString()) || m.startsWith(RUN.toString()))
                    .sorted(java.util.Comparator.reverseOrder()).forEach(m -> SystemHost.run("umount", "-l", m));
        } catch (IOException e) {
            // No mount table to read: nothing to unmount.
        }
        SystemHost.run("ip", "netns", "del", NETNS);
        SystemHost.run("ip", "link", "del", HOST_VETH);
        SystemHost.run("rm", "-rf", RUN.toString(), DATA.toString());
    }

    private static void stop(Path pid) {
        try {
            if (Files.exists(pid)) {
                long id = Long.parseLong(Files.readString(pid).strip());
                ProcessHandle.of(id).ifPresent(p -> {
                    p.destroy();
                    p.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
                });
                Files.deleteIfExists(pid);
            }
        } catch (IOException | NumberFormatException e) {
            // Nothing running to stop.
        }
    }

    private static void inNamespace(String... command) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + NETNS));
        argv.addAll(List.of(command));
        must(argv.toArray(String[]::new));
    }

    private static void must(String... command) {
        Result r = SystemHost.run(null, Map.of(), null, command);
        assertEquals(0, r.code(), String.join(" ", command) + ": " + r.output());
    }

    private static void await(String what, java.util.function.BooleanSupplier up) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(60));
        while (!up.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                fail(what + " did not start within 60 s");
            }
            Thread.sleep(200);
        }
    }
}
