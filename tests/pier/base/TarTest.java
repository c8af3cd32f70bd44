package pier.base;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar a user pipes to certs:add, as GNU tar makes it, and the one root hands over, read back the same. */
class TarTest {
    @TempDir
    Path tmp;

    @Test
    void gnuTarsRegularFilesAreReadByBaseNameAndDirectoriesSkipped() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pair"));
        Files.writeString(dir.resolve("server.crt"), "CHAIN\n".repeat(200));
        Files.writeString(dir.resolve("server.key"), "KEY\n");
        Process tar = new ProcessBuilder("tar", "-cf", "-", "-C", tmp.toString(), "./pair").start();
        byte[] archive = tar.getInputStream().readAllBytes();
        assertEquals(0, tar.waitFor());
        Map<String, byte[]> files = Tar.read(new ByteArrayInputStream(archive), 64 * 1024);
        assertEquals(List.of("server.crt", "server.key"), files.keySet().stream().sorted().toList());
        assertEquals("CHAIN\n".repeat(200), new String(files.get("server.crt"), StandardCharsets.UTF_8));
    }

    @Test
    void whatWriteMakesReadGivesBackAndGnuTarListsIt() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("server.crt", "a".repeat(513).getBytes(StandardCharsets.UTF_8));
        files.put("server.key", new byte[0]);
        byte[] archive = Tar.write(files);
        Map<String, byte[]> read = Tar.read(new ByteArrayInputStream(archive), 64 * 1024);
        assertArrayEquals(files.get("server.crt"), read.get("server.crt"));
        assertArrayEquals(new byte[0], read.get("server.key"));
        Path file = Files.write(tmp.resolve("made.tar"), archive);
        Process tar = new ProcessBuilder("tar", "-tf", file.toString()).redirectErrorStream(true).start();
        assertEquals("server.crt\nserver.key\n", new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, tar.waitFor());
    }

    @Test
    void moreThanTheBoundOrNotATarIsRefused() {
        byte[] big = Tar.write(Map.of("server.crt", new byte[70 * 1024]));
        assertEquals(PierException.USAGE, assertThrows(PierException.class,
                () -> Tar.read(new ByteArrayInputStream(big), 64 * 1024)).exitCode());
        byte[] pem = "-----BEGIN CERTIFICATE-----\n".repeat(40).getBytes(StandardCharsets.US_ASCII);
        assertThrows(PierException.class, () -> Tar.read(new ByteArrayInputStream(pem), 64 * 1024));
    }
}
