package pier.apps;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import pier.base.PierException;
import pier.names.ContainerPath;
import pier.names.VolumeName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pier.names.NameRulesTest.assertInvalid;

/**
 * A volume's name becomes a file name, a Docker label and a Docker volume name; a container path becomes a
 * Docker label and a bind ({@code NAME:PATH}). Anything that could escape one of those is refused at the edge.
 */
class VolumeRulesTest {

    // ---- VolumeName ----

    @ParameterizedTest
    @ValueSource(strings = {"a", "data", "uploads", "my-data", "v1", "db-2-files", "abcdefghijklmnopqrstuvwxyz0123"})
    void acceptsVolumeName(String name) {
        assertEquals(name, VolumeName.of(name).value());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "Data", "DATA",                     // uppercase
            "-data", "1data", "0",              // must start with a letter
            "data-",                            // trailing dash
            "../x", "/etc", "a/b", ".", "..",   // paths
            "a:b", "a,b", "a b", " data", "data ", "a\tb", "a\nb", "data\n", "a\rb", "a\0b",
            "$(id)", "`id`", "a;b", "a|b", "a&b", "a'b", "a\"b", "'data'", "a_b", "a.b", "a=b", "a\\b", "a*", "é",
            "abcdefghijklmnopqrstuvwxyz01234", // 31 characters
    })
    void rejectsVolumeName(String name) {
        PierException e = assertInvalid(() -> VolumeName.of(name));
        assertTrue(e.getMessage().contains("lowercase letters, digits and dashes"), e.getMessage());
    }

    // ---- ContainerPath ----

    @ParameterizedTest
    @ValueSource(strings = {"/data", "/www/data", "/var/lib/app", "/app/storage/uploads", "/a", "/.cache", "/x/...",
            "/srv/my_app-1.2", "/home/user@host", "/opt/c++", "/Data/MixedCase", "/procs", "/system", "/devices",
            "/var/proc", "/app/dev"})
    void acceptsContainerPath(String path) {
        assertEquals(path, ContainerPath.of(path).value());
    }

    @Test
    void acceptsContainerPathOfExactly4096Characters() {
        String path = "/" + "a".repeat(4095);
        assertEquals(path, ContainerPath.of(path).value());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "/",                                         // the container's root
            "../x", "x/../y", "/a/../b", "/..", "/a/..", "/a/.", "/./a", "/.",  // traversal, not normalized
            "//a", "/a//b", "/a/",                       // not normalized
            "data", "a/b", "./data", "~/data",           // relative
            "/proc", "/proc/x", "/sys", "/sys/fs/cgroup", "/dev", "/dev/shm",  // the kernel's
            "a:b", "/a:b", "/data:/etc", "/data:ro",     // Docker's bind separator
            "/a,b", "/data,readonly",                    // Docker's --mount separator
            "/a\0b", "/a\nb", "/data\n", "/a\rb", "/a\tb",
            "/a b", " /data", "/data ",
            "/a'b", "/a\"b", "'/data'", "/$(id)", "/`id`", "$(id)", "/a;b", "/a|b", "/a&b", "/a*", "/a?",
            "/a\\b", "/a=b", "/a#b", "/a%20b", "/é", "/a~b", "/{a}",
    })
    void rejectsContainerPath(String path) {
        PierException e = assertInvalid(() -> ContainerPath.of(path));
        assertTrue(e.getMessage().contains("use an absolute path such as /data"), e.getMessage());
    }

    @Test
    void rejectsContainerPathOver4096Characters() {
        PierException e = assertInvalid(() -> ContainerPath.of("/" + "a".repeat(4096)));
        assertTrue(e.getMessage().length() < 600, "the echo of a long value is cut short: " + e.getMessage().length());
    }

    @Test
    void theErrorSaysWhatIsWrongAndWhatIsAllowed() {
        assertTrue(assertInvalid(() -> ContainerPath.of("/proc/self")).getMessage().contains("/proc"));
        assertTrue(assertInvalid(() -> ContainerPath.of("data")).getMessage().contains("not absolute"));
        assertTrue(assertInvalid(() -> ContainerPath.of("/a/../b")).getMessage().contains(".. segment"));
        assertTrue(assertInvalid(() -> ContainerPath.of("/a:b")).getMessage().contains("character"));
    }
}
