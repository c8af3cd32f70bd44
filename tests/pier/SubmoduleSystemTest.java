package pier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import pier.SystemHost.Response;
import pier.SystemHost.Result;

/** A pushed app whose served files live in a git submodule: pier checks submodules out before building. */
class SubmoduleSystemTest {
    static final String APP = "subtest";
    static final String DOMAIN = "pier.test";

    @Test
    void filesFromASubmoduleAreInTheBuiltImage() throws Exception {
        Path key = SystemHost.installWithAdminKey(DOMAIN);
        SystemHost.pier("apps:destroy", APP, "--force");

        // The submodule's repository must be readable by the pier user, who does the checkout.
        Path shared = Files.createTempDirectory("pier-systest-sub-");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path sub = shared.resolve("site");
        Files.createDirectories(sub.resolve("www"));
        Files.writeString(sub.resolve("www/index.html"), "from the submodule\n");
        assertEquals(0, SystemHost.git(sub, key, "init", "-q", "-b", "main").code());
        assertEquals(0, SystemHost.git(sub, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(sub, key, "commit", "-q", "-m", "site").code());
        assertEquals(0, SystemHost.run("chmod", "-R", "a+rX", shared.toString()).code());

        Path repo = SystemHost.busyboxRepo(key);
        Result add = SystemHost.git(repo, key, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.toString(), "site");
        assertEquals(0, add.code(), add.output());
        Files.writeString(repo.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCOPY site/www /www\n"
                + PushToDeploySystemTest.SERVE + "\n");
        assertEquals(0, SystemHost.git(repo, key, "add", "-A").code());
        assertEquals(0, SystemHost.git(repo, key, "commit", "-q", "-m", "with submodule").code());

        Result push = SystemHost.git(repo, key, "push", "pier@localhost:" + APP, "main");
        assertEquals(0, push.code(), push.output());
        assertEquals(new Response(200, "from the submodule"), SystemHost.get(APP + "." + DOMAIN));
        assertEquals(0, SystemHost.pier("apps:destroy", APP, "--force").code());
    }
}
