package pier

import java.nio.file.Files
import pier.base.PierException
import pier.base.Progress
import pier.names.AppName
import pier.names.Domain
import pier.names.EnvKey
import pier.state.PierHome
import java.nio.file.Path
import java.util.Optional
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import pier.engine.Templates
import pier.install.HostSteps
import pier.install.InstallPlan

/**
 * The library as an admin's Kotlin script uses it, on the same scratch fixtures as the Java tests. That this file
 * compiles at all is half the point: the build runs kotlinc with -Werror and strict JSpecify, so a lambda that
 * cannot trail, a checked exception or a nullness mismatch with lib/pier fails the build here.
 */
class KotlinDslTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun anInstallPlanRunsDryWithoutChangesThenForRealThenFindsNothingToDo() {
        val overrides = Files.createDirectories(tmp.resolve("templates"))
        Files.writeString(overrides.resolve("motd.ftl"), "Welcome to \${host}, served by pier\n")
        val templates = Templates(overrides)
        val owner = Files.getOwner(tmp).name
        val dir = tmp.resolve("etc/pier-motd")
        val motd = dir.resolve("motd")
        var reloads = 0
        val plan = InstallPlan.of(
            HostSteps.directory(dir, owner, "rwxr-xr-x", false),
            HostSteps.file(motd, { templates.render("motd.ftl", mapOf("host" to "example.com")) }, owner, "rw-r--r--",
                listOf()) { reloads++ },
        )
        val lines = mutableListOf<String>()
        val before = FileSnapshot.of(tmp)

        val dry = plan.run(true) { lines += it }

        assertEquals(2, dry.changes(), lines.toString())
        assertEquals(before, FileSnapshot.of(tmp), "a dry run changes nothing")
        assertEquals(0, reloads)

        assertEquals(2, plan.run(false) { lines += it }.changes())
        assertEquals("Welcome to example.com, served by pier\n", Files.readString(motd))
        assertEquals(1, reloads)

        val again = plan.run(false, Progress.silent())
        assertEquals(0, again.changes(), again.toString())
        assertEquals(1, reloads, "an unchanged file reloads nothing")
    }

    @Test
    fun anAppSpecIsAppliedOnceAndABadNameIsRefusedWithNothingChanged() {
        val home = PierHome(Files.createDirectories(tmp.resolve("home")))
        Pier(home, Templates(tmp.resolve("no-overrides"))).use { pier ->
            val blog = AppSpec.of("blog")
                .config("GREETING", "hello")
                .domains(listOf("blog.example.com"))
                .buildpack("nodejs")
            val lines = mutableListOf<String>()

            val applied = pier.ensure(blog) { lines += it }

            assertEquals(listOf("created blog", "builds with nodejs", "added domain blog.example.com", "set GREETING"),
                applied.changes(), lines.toString())
            val app = AppName.of("blog")
            assertEquals(listOf(Domain.of("blog.localhost"), Domain.of("blog.example.com")), pier.apps().domains(app))
            assertEquals(Optional.of("hello"), pier.config().of(Optional.of(app)).get(EnvKey.of("GREETING")))
            assertEquals(Optional.of("nodejs"), pier.buildpacks().chosen(app))
            assertFalse(pier.ensure(blog, Progress.silent()).changed(), "a second apply changes nothing")

            val settled = FileSnapshot.of(home.root())
            val refused = assertThrows<PierException> {
                pier.ensure(blog.config("GREETING", "hi").domains(listOf("blog example.com")), Progress.silent())
            }
            assertEquals(PierException.USAGE, refused.exitCode(), refused.message)
            assertTrue(refused.message!!.startsWith("invalid domain 'blog example.com'"), refused.message)
            assertEquals(settled, FileSnapshot.of(home.root()), "a refused spec changes no file")
        }
    }

    @Test
    fun theGlobalDomainTakesNullToGoBackToLocalhost() {
        val home = PierHome(Files.createDirectories(tmp.resolve("home")))
        Pier(home, Templates(tmp.resolve("no-overrides"))).use { pier ->
            pier.ensure(AppSpec.of("blog"), Progress.silent())
            val app = AppName.of("blog")

            pier.globalDomain(Domain.of("example.net"))
            assertEquals(listOf(Domain.of("blog.example.net")), pier.apps().domains(app))

            pier.globalDomain(null)
            assertEquals(listOf(Domain.of("blog.localhost")), pier.apps().domains(app))
        }
    }
}
