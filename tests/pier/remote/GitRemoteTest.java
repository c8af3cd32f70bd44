package pier.remote;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.StoredConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pier.names.AppName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which git remotes are a pier app's: the URLs git push uses for pier, and nothing else a checkout may hold. */
public class GitRemoteTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"pier@example.com:blog", "pier@example.com:blog.git", "pier@example.com:/blog",
            "pier@example.com:~/blog.git", "ssh://pier@example.com/blog", "ssh://pier@example.com/blog.git",
            "ssh://pier@example.com/~/blog"})
    void pierUrlsNameHostAndApp(String url) {
        assertEquals(Optional.of(new GitRemote("pier", new SshTarget("pier", "example.com", 22), AppName.of("blog"))),
                GitRemote.parse("pier", url));
    }

    @Test
    void sshUrlCarriesAPort() {
        assertEquals(new SshTarget("pier", "example.com", 2222),
                GitRemote.parse("prod", "ssh://pier@example.com:2222/blog").orElseThrow().target());
    }

    @Test
    void ipv6HostInBrackets() {
        assertEquals(new SshTarget("pier", "::1", 22), GitRemote.parse("x", "pier@[::1]:blog").orElseThrow().target());
    }

    @ParameterizedTest
    @ValueSource(strings = {"git@github.com:org/blog.git", "https://example.com/blog.git", "/srv/git/blog.git",
            "../blog", "file:///srv/blog", "dokku@example.com:blog", "pier@example.com:apps/blog",
            "pier@example.com:Blog", "pier@example.com:", "ssh://git@example.com/blog", "ssh://pier@example.com:99999/blog",
            "http://pier@example.com:blog", "pier@example.com:../blog"})
    void otherUrlsAreNotPierRemotes(String url) {
        assertEquals(Optional.empty(), GitRemote.parse("x", url));
    }

    @Test
    void checkoutListsOnlyItsPierRemotes() throws Exception {
        Path checkout = checkout("origin", "git@github.com:org/blog.git", "prod", "pier@prod.example.com:blog",
                "staging", "ssh://pier@staging.example.com:2222/blog-staging");
        List<GitRemote> remotes = GitRemote.in(checkout);
        assertEquals(List.of("prod", "staging"), remotes.stream().map(GitRemote::name).sorted().toList());
    }

    @Test
    void subdirectoryOfACheckoutFindsItsRemotes() throws Exception {
        Path checkout = checkout("pier", "pier@example.com:blog");
        Path deep = Files.createDirectories(checkout.resolve("src/main"));
        assertEquals(List.of(new GitRemote("pier", new SshTarget("pier", "example.com", 22), AppName.of("blog"))),
                GitRemote.in(deep));
    }

    @Test
    void outsideACheckoutThereAreNone() throws Exception {
        assertTrue(GitRemote.in(Files.createDirectories(tmp.resolve("plain"))).isEmpty());
    }

    Path checkout(String... remotes) throws Exception {
        return checkout(tmp, remotes);
    }

    /** A fresh checkout in {@code tmp} with the given remotes, name then URL. */
    public static Path checkout(Path tmp, String... remotes) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("checkout"));
        try (Git git = Git.init().setDirectory(dir.toFile()).call()) {
            StoredConfig config = git.getRepository().getConfig();
            for (int i = 0; i < remotes.length; i += 2) {
                config.setString("remote", remotes[i], "url", remotes[i + 1]);
            }
            config.save();
        }
        return dir;
    }
}
