package pier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import pier.build.Buildpacks;
import pier.engine.Docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The buildpacks' base image for tests, made on this host because no registry can be reached: Debian's
 * {@code debootstrap --variant=minbase bookworm}, imported into Docker as {@code debian:bookworm-slim}. It takes
 * about 30 s and is made once per host: a test run that finds the image reuses it.
 */
final class BaseImage {
    static final String DEBOOTSTRAP = "/usr/sbin/debootstrap";
    /** The host's trust store: copied into the image so TLS through an intercepting proxy works in builds. */
    static final Path HOST_CA_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");

    private BaseImage() {
    }

    /** Makes {@link Buildpacks#DEFAULT_BASE_IMAGE} unless Docker has it already. */
    static synchronized void ensure() throws IOException {
        ensure(Buildpacks.DEFAULT_BASE_IMAGE);
    }

    static synchronized void ensure(String tag) throws IOException {
        try (Docker docker = Docker.connect()) {
            if (docker.imageExists(tag)) {
                return;
            }
        }
        long start = System.nanoTime();
        if (!Files.isExecutable(Path.of(DEBOOTSTRAP))) {
            // .ci/run installs it; a developer's host may not have it yet.
            SystemHost.Result install = SystemHost.run("apt-get", "install", "-y", "-q", "--no-install-recommends", "debootstrap");
            assertEquals(0, install.code(), "apt-get install debootstrap:\n" + install.output());
        }
        Path work = Files.createTempDirectory("pier-base-image-");
        Path root = work.resolve("rootfs");
        try {
            SystemHost.Result bootstrap = SystemHost.run("debootstrap", "--variant=minbase", "bookworm", root.toString(),
                    "http://deb.debian.org/debian");
            assertEquals(0, bootstrap.code(), "debootstrap:\n" + bootstrap.output());
            // What the published image leaves out too: downloaded packages and package lists (builds apt-get update).
            for (String dir : List.of("var/cache/apt/archives", "var/lib/apt/lists")) {
                SystemHost.run("find", root.resolve(dir).toString(), "-mindepth", "1", "-type", "f", "-delete");
            }
            // Hosts behind a TLS-intercepting proxy trust its CA; so must builds that fetch from npm or Packagist. The
            // buildpacks install ca-certificates, which adds every .crt under /usr/local/share/ca-certificates.
            if (Files.isRegularFile(HOST_CA_BUNDLE)) {
                Path local = Files.createDirectories(root.resolve("usr/local/share/ca-certificates"));
                Files.copy(HOST_CA_BUNDLE, local.resolve("pier-test-host.crt"), StandardCopyOption.REPLACE_EXISTING);
            }
            importInto(root, tag);
        } finally {
            SystemHost.run("rm", "-rf", "--one-file-system", work.toString());
        }
        System.out.printf("base image %s made with debootstrap in %.1f s%n", tag, (System.nanoTime() - start) / 1e9);
    }

    /** {@code tar -C root -c . | docker import - tag}, as two processes joined by a pipe. */
    private static void importInto(Path root, String tag) throws IOException {
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder("tar", "-C", root.toString(), "-c", ".").redirectError(ProcessBuilder.Redirect.INHERIT),
                new ProcessBuilder("docker", "import", "-", tag).redirectErrorStream(true)));
        Process docker = pipeline.get(1);
        try {
            String out = new String(docker.getInputStream().readAllBytes());
            if (!docker.waitFor(5, TimeUnit.MINUTES) || !pipeline.get(0).waitFor(1, TimeUnit.MINUTES)) {
                pipeline.forEach(Process::destroyForcibly);
                fail("tar | docker import " + tag + " timed out");
            }
            assertEquals(0, pipeline.get(0).exitValue(), "tar -C " + root + " -c .");
            assertEquals(0, docker.exitValue(), "docker import - " + tag + ":\n" + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
