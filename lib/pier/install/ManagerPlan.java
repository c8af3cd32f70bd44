package pier.install;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import pier.apps.CertificatePair;
import pier.base.PierException;
import pier.engine.Docker;
import pier.engine.Host;
import pier.engine.Launcher;
import pier.engine.Registry;
import pier.engine.Templates;
import pier.state.AtomicFile;

/**
 * What makes this host the manager of a cluster, on its private {@code address}: Docker in swarm mode there (which
 * refuses live-restore, so that goes off first) and Docker's registry for the nodes to pull pier's images from. Run by
 * the first {@code nodes:add}, and by every later one, which then changes nothing.
 */
public final class ManagerPlan {
    static final String REGISTRY_SERVICE = "docker-registry";
    /** The registry's certificate is trusted by pinning on every node: a renewal would mean visiting each, so it lasts. */
    static final Duration CERTIFICATE_LIFETIME = Duration.ofDays(3650);
    static final String REGISTRY_BINARY = "/usr/bin/docker-registry";
    /** How long the registry may take to stop, asked nicely and then not. */
    static final Duration STOP_DEADLINE = Duration.ofSeconds(10);

    private ManagerPlan() {
    }

    public static InstallPlan of(Templates templates, String address) {
        Registry registry = new Registry(address);
        return InstallPlan.of(
                HostSteps.packages(REGISTRY_SERVICE),
                new LiveRestoreOff(DockerDaemonSettings.FILE),
                swarm(address),
                HostSteps.directory(Registry.PASSWORD_FILE.getParent(), Launcher.USER, "rwx------", false),
                new RegistryAccount(),
                new RegistryCertificate(registry),
                HostSteps.file(registry.trustedCa(), () -> AtomicFile.read(Registry.CERTIFICATE).orElse(""), "root",
                        "rw-r--r--", List.of(), () -> {
                        }),
                HostSteps.file(Registry.CONFIG, () -> templates.render("registry/config.yml.ftl", Map.of(
                                "address", address, "port", Registry.PORT, "storage", Registry.STORAGE.toString(),
                                "certificate", Registry.CERTIFICATE.toString(), "key", Registry.KEY.toString(),
                                "htpasswd", Registry.HTPASSWD.toString())),
                        REGISTRY_SERVICE, "rw-r-----", List.of(), ManagerPlan::stopRegistry),
                registryRunning(registry));
    }

    /** The registry answering on its address; in the boot plan too, once this host is a manager. */
    static InstallStep registryRunning(Registry registry) {
        return new ServiceStep(REGISTRY_SERVICE, () -> listening(registry),
                List.of(REGISTRY_BINARY, "serve", Registry.CONFIG.toString()), HostSteps.START_DEADLINE,
                ServiceStep.LOG_DIR);
    }

    /**
     * For the boot plan: the registry answering when this host manages a cluster (asked when the step runs, after
     * Docker started), nothing otherwise.
     */
    static InstallStep registryIfManager() {
        return new InstallStep() {
            @Override
            public String describe() {
                return "service " + REGISTRY_SERVICE + " running, when this host manages a cluster";
            }

            @Override
            public boolean satisfied() {
                return managed().map(r -> listening(r)).orElse(true);
            }

            @Override
            public void apply(pier.base.Progress progress) {
                managed().ifPresent(r -> registryRunning(r).apply(progress));
            }

            @Override
            public void apply() {
                apply(pier.base.Progress.silent());
            }
        };
    }

    /** The registry this host runs for its cluster, when it manages one. */
    static Optional<Registry> managed() {
        try (Docker docker = Docker.connect()) {
            return docker.swarm().managerAddress().filter(a -> AtomicFile.read(Registry.CONFIG).isPresent()).map(Registry::new);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static InstallStep swarm(String address) {
        return new InstallStep() {
            @Override
            public String describe() {
                return "Docker managing a swarm on " + address;
            }

            @Override
            public boolean satisfied() {
                try (Docker docker = Docker.connect()) {
                    Optional<String> managed = docker.swarm().managerAddress();
                    if (managed.isPresent() && !managed.get().equals(address)) {
                        throw PierException.usage("this host manages a swarm on " + managed.get() + ", not " + address
                                + ": add nodes on that address (--address " + managed.get() + ")");
                    }
                    return managed.isPresent();
                }
            }

            @Override
            public String plan() {
                return "docker swarm init --advertise-addr " + address + " --listen-addr " + address;
            }

            @Override
            public void apply() {
                try (Docker docker = Docker.connect()) {
                    String state = docker.swarm().localState();
                    if (!state.equals("inactive")) {
                        throw PierException.failed("this host's Docker is " + state + " in a swarm it does not manage: leave it"
                                + " (docker swarm leave) before making this host a manager");
                    }
                    docker.swarm().init(address);
                }
            }
        };
    }

    private static boolean listening(Registry registry) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(registry.address(), Registry.PORT), 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Stops the registry, whichever way it was started (its init script or unit, or detached by {@link ServiceStep}),
     * and waits until no process of it is left; false when one still is. A changed config takes effect by a restart:
     * stopped here, started again by the next step.
     */
    static boolean stopRegistry() {
        Host.run(HostSteps.systemd() ? List.of("systemctl", "stop", REGISTRY_SERVICE) : List.of("service", REGISTRY_SERVICE, "stop"));
        registryProcesses().forEach(ProcessHandle::destroy);
        if (HostSteps.waitFor(() -> registryProcesses().isEmpty(), STOP_DEADLINE)) {
            return true;
        }
        registryProcesses().forEach(ProcessHandle::destroyForcibly);
        return HostSteps.waitFor(() -> registryProcesses().isEmpty(), STOP_DEADLINE);
    }

    private static List<ProcessHandle> registryProcesses() {
        return ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.endsWith("/docker-registry")).orElse(false))
                .toList();
    }

    /** pier's password (pier's file, 0600) and its bcrypt hash in the registry's htpasswd; made once, then kept. */
    record RegistryAccount() implements InstallStep {
        public String describe() {
            return "registry account " + Registry.USER + " (password in " + Registry.PASSWORD_FILE + ")";
        }

        public boolean satisfied() {
            Optional<String> password = AtomicFile.read(Registry.PASSWORD_FILE).map(String::strip);
            Optional<String> line = AtomicFile.read(Registry.HTPASSWD).map(String::strip);
            return password.isPresent() && line.isPresent() && line.get().startsWith(Registry.USER + ":")
                    && OpenBSDBCrypt.checkPassword(line.get().substring(Registry.USER.length() + 1), password.get().toCharArray())
                    && HostSteps.ownedBy(Registry.PASSWORD_FILE, Launcher.USER);
        }

        public String plan() {
            return "make a password and its htpasswd line";
        }

        public void apply() {
            String password = AtomicFile.read(Registry.PASSWORD_FILE).map(String::strip).filter(p -> !p.isEmpty())
                    .orElseGet(() -> {
                        byte[] bytes = new byte[24];
                        new SecureRandom().nextBytes(bytes);
                        return HexFormat.of().formatHex(bytes);
                    });
            AtomicFile.write(Registry.PASSWORD_FILE, password + "\n", "rw-------");
            HostSteps.chown(Registry.PASSWORD_FILE, Launcher.USER);
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            String hash = OpenBSDBCrypt.generate("2y", password.getBytes(StandardCharsets.UTF_8), salt, 10);
            AtomicFile.write(Registry.HTPASSWD, Registry.USER + ":" + hash + "\n", "rw-r-----");
            HostSteps.chown(Registry.HTPASSWD, REGISTRY_SERVICE);
        }
    }

    /** The registry's key and self-signed certificate for its address; a certificate for another address is replaced. */
    record RegistryCertificate(Registry registry) implements InstallStep {
        public String describe() {
            return "registry certificate for " + registry.address() + " in " + Registry.CERTIFICATE;
        }

        public boolean satisfied() {
            return AtomicFile.read(Registry.KEY).isPresent() && AtomicFile.read(Registry.CERTIFICATE)
                    .map(CertificatePair::certificates).filter(c -> !c.isEmpty())
                    .map(c -> c.get(0).getSubjectX500Principal().getName().equals("CN=" + registry.address())
                            && c.get(0).getNotAfter().toInstant().isAfter(Instant.now()))
                    .orElse(false);
        }

        public String plan() {
            return "make a key and a self-signed certificate for " + registry.address();
        }

        public void apply() {
            CertificatePair pair = CertificatePair.selfSignedForAddress(registry.address(), Instant.now(), CERTIFICATE_LIFETIME);
            AtomicFile.write(Registry.KEY, pair.keyPem(), "rw-------");
            HostSteps.chown(Registry.KEY, REGISTRY_SERVICE);
            AtomicFile.write(Registry.CERTIFICATE, pair.chainPem(), "rw-r--r--");
        }
    }

    /**
     * {@code "live-restore": false} in Docker's settings, and the running dockerd reloaded to it: swarm mode refuses
     * live-restore. It is the one setting of pier's daemon.json a manager overrides; containers then stop while dockerd
     * restarts, and come back by their restart policy when it is up.
     */
    record LiveRestoreOff(Path file) implements InstallStep {
        public String describe() {
            return "Docker's live-restore off in " + file + " (swarm mode refuses it)";
        }

        public boolean satisfied() {
            return AtomicFile.read(file).map(t -> DockerDaemonSettings.parse(t, file.toString()))
                    .map(o -> o.has("live-restore") && !o.get("live-restore").asBoolean(true)).orElse(false);
        }

        public String plan() {
            return "set \"live-restore\": false, keeping every other setting, and reload dockerd";
        }

        public void apply() {
            var settings = AtomicFile.read(file).map(t -> DockerDaemonSettings.parse(t, file.toString()))
                    .orElseGet(() -> DockerDaemonSettings.parse("", file.toString()));
            settings.put("live-restore", false);
            AtomicFile.write(file, DockerDaemonSettings.render(settings), java.nio.file.Files.exists(file) ? HostSteps.mode(file) : "rw-r--r--");
            // A dockerd not started yet reads the file when it starts.
            if (Installer.dockerRunning()) {
                DockerDaemonSettings.reload();
            }
        }
    }
}
