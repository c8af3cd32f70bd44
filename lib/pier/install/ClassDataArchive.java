package pier.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import pier.base.PierException;
import pier.engine.Host;
import pier.engine.Launcher;
import pier.state.AtomicFile;
import pier.state.PierHome;

/** An install step of its own because it is the one step that runs pier itself (to record what it loads). */
final class ClassDataArchive {
    private ClassDataArchive() {
    }

    /**
     * The class-data archive of the installed jars, remade whenever a jar is newer than it. It is recorded by a
     * run of {@code pier system:df} as the pier user, then put in place by root: a real command that asks Docker, so
     * that docker-java's client and Jackson are archived with pier's own classes (they cost a Docker command a
     * quarter of a second unarchived). Picocli's classes (class files too old for the archive) and JGit's (a signed
     * jar) are left out by the JVM whatever the command.
     */
    public static UndoableStep step() {
        return new UndoableStep() {
            public String describe() {
                return "class-data archive " + Launcher.ARCHIVE + " (faster start of every command)";
            }

            public boolean satisfied() {
                try (java.util.stream.Stream<Path> jars = Files.list(Launcher.LIB)) {
                    long archived = Files.isRegularFile(Launcher.ARCHIVE) ? Files.getLastModifiedTime(Launcher.ARCHIVE).toMillis() : -1;
                    return jars.allMatch(j -> {
                        try {
                            return Files.getLastModifiedTime(j).toMillis() <= archived;
                        } catch (IOException e) {
                            return false;
                        }
                    });
                } catch (IOException e) {
                    return false;
                }
            }

            public String plan() {
                return Files.isRegularFile(Launcher.ARCHIVE) ? "record it again (a jar is newer)" : "record it";
            }

            public void apply() {
                Path recorded = PierHome.DEFAULT.resolve(".pier.jsa.tmp");
                try {
                    Files.deleteIfExists(recorded);
                    Host.Result r = Host.run(List.of("runuser", "-u", Launcher.USER, "--", Launcher.javaBinary(), "-XX:TieredStopAtLevel=1",
                            "-XX:+UseSerialGC", "-XX:ArchiveClassesAtExit=" + recorded, "-Xlog:disable",
                            "-cp", Launcher.LIB + "/*", Launcher.MAIN, "system:df"));
                    // With Docker down the command fails but the archive is still written, with fewer classes in it.
                    if (!Files.isRegularFile(recorded)) {
                        throw PierException.failed("could not record the class-data archive: " + r.lastLine());
                    }
                    AtomicFile.write(Launcher.ARCHIVE, Files.readAllBytes(recorded), "rw-r--r--");
                } catch (IOException e) {
                    throw PierException.failed("could not write " + Launcher.ARCHIVE + ": " + e.getMessage(), e);
                } finally {
                    try {
                        Files.deleteIfExists(recorded);
                    } catch (IOException e) {
                        // A stale temp file is replaced by the next recording.
                    }
                }
            }

            public boolean present() {
                return Files.exists(Launcher.ARCHIVE);
            }

            public void undo() {
                HostSteps.remove(Launcher.ARCHIVE);
            }
        };
    }
}
