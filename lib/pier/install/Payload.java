package pier.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import pier.base.PierException;
import pier.state.AtomicFile;

/**
 * The compiled pier the installer puts in {@code /usr/lib/pier/lib}: the jars this very JVM runs from,
 * whether it was started as {@code java -jar target/pier.jar} (the jar and its manifest Class-Path) or
 * by {@code jbang install.java} (JBang's jar and its resolved dependencies).
 */
public final class Payload {
    private Payload() {
    }

    public static List<Path> runningJars() {
        Set<Path> jars = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath().normalize();
            if (Files.isDirectory(path)) {
                throw PierException.failed("the installer runs from compiled classes in " + path
                        + ", not from jars: run it as java -jar target/pier.jar install, or jbang install.java");
            }
            if (Files.isRegularFile(path) && path.toString().endsWith(".jar")) {
                jars.add(path);
                jars.addAll(manifestClassPath(path));
            }
        }
        return new ArrayList<>(jars);
    }

    private static List<Path> manifestClassPath(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            String cp = file.getManifest() == null ? null : file.getManifest().getMainAttributes().getValue("Class-Path");
            if (cp == null || cp.isBlank()) {
                return List.of();
            }
            return Stream.of(cp.trim().split("\\s+")).map(e -> jar.getParent().resolve(e).normalize())
                    .filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw PierException.failed("cannot read " + jar + ": " + e.getMessage(), e);
        }
    }

    /** The jars copied into {@code dir}, byte for byte, and nothing else left there; undoing removes {@code dir}. */
    public static UndoableStep installedIn(Path dir, List<Path> jars) {
        return new UndoableStep() {
            public String describe() {
                return "pier's " + jars.size() + " jars in " + dir;
            }

            public boolean satisfied() {
                return plan().isEmpty();
            }

            public String plan() {
                List<String> changes = new ArrayList<>();
                List<String> differ = jars.stream().filter(j -> !same(j, dir.resolve(j.getFileName())))
                        .map(j -> j.getFileName().toString()).toList();
                if (!differ.isEmpty()) {
                    changes.add("copy " + String.join(", ", differ));
                }
                List<String> stale = stale().stream().map(p -> p.getFileName().toString()).toList();
                if (!stale.isEmpty()) {
                    changes.add("remove " + String.join(", ", stale));
                }
                return String.join("; ", changes);
            }

            public void apply() {
                try {
                    Files.createDirectories(dir);
                    for (Path jar : jars) {
                        if (!same(jar, dir.resolve(jar.getFileName()))) {
                            AtomicFile.write(dir.resolve(jar.getFileName()), Files.readAllBytes(jar), "rw-r--r--");
                        }
                    }
                    for (Path stale : stale()) {
                        Files.delete(stale);
                    }
                } catch (IOException e) {
                    throw PierException.failed("cannot install pier's jars in " + dir + ": " + e.getMessage(), e);
                }
            }

            public boolean present() {
                return Files.exists(dir);
            }

            public void undo() {
                HostSteps.remove(dir);
            }

            private List<Path> stale() {
                Set<Path> names = new LinkedHashSet<>();
                jars.forEach(j -> names.add(j.getFileName()));
                try (Stream<Path> present = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
                    return present.filter(p -> !names.contains(p.getFileName())).toList();
                } catch (IOException e) {
                    throw PierException.failed("cannot list " + dir + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /**
     * Opens every jar this JVM runs from, so it can go on loading classes after an uninstall deleted them: the
     * class loader opens a jar only when first searching it, and an open jar stays readable once unlinked.
     */
    public static void holdOpen() {
        // A lookup that finds nothing has searched, and so opened, every entry of the class path.
        ClassLoader.getSystemClassLoader().getResource("pier/no-such-resource-" + System.nanoTime());
    }

    private static boolean same(Path a, Path b) {
        try {
            return Files.isRegularFile(b) && Files.size(a) == Files.size(b) && sha256(a).equals(sha256(b));
        } catch (IOException e) {
            return false;
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
