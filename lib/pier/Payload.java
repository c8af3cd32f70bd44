package pier;

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

    /** The jars copied into {@code dir}, byte for byte, and nothing else left there. */
    public static InstallStep installedIn(Path dir, List<Path> jars) {
        return new InstallStep() {
            public String describe() {
                return "pier's " + jars.size() + " jars in " + dir;
            }

            public boolean satisfied() {
                try (Stream<Path> present = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
                    List<Path> there = present.toList();
                    return there.size() == jars.size() && jars.stream().allMatch(j -> same(j, dir.resolve(j.getFileName())));
                } catch (IOException e) {
                    return false;
                }
            }

            public void apply() {
                try {
                    Files.createDirectories(dir);
                    Set<Path> names = new LinkedHashSet<>();
                    for (Path jar : jars) {
                        names.add(jar.getFileName());
                        if (!same(jar, dir.resolve(jar.getFileName()))) {
                            AtomicFile.write(dir.resolve(jar.getFileName()), Files.readAllBytes(jar), "rw-r--r--");
                        }
                    }
                    try (Stream<Path> present = Files.list(dir)) {
                        for (Path stale : present.filter(p -> !names.contains(p.getFileName())).toList()) {
                            Files.delete(stale);
                        }
                    }
                } catch (IOException e) {
                    throw PierException.failed("cannot install pier's jars in " + dir + ": " + e.getMessage(), e);
                }
            }
        };
    }

    private static boolean same(Path a, Path b) {
        try {
            return Files.isRegularFile(b) && Files.size(a) == Files.size(b) && digest(a).equals(digest(b));
        } catch (IOException e) {
            return false;
        }
    }

    private static String digest(Path file) throws IOException {
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
