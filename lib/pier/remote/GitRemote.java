package pier.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import pier.base.PierException;
import pier.build.Checkout;
import pier.state.PierHome;
import pier.names.AppName;

/**
 * A git remote that points at an app on a pier server, as {@code git push} uses it: {@code pier@HOST:APP}
 * (scp-like) or {@code ssh://pier@HOST[:PORT]/APP}. Other remotes (GitHub, a local path) are not pier's.
 */
public record GitRemote(String name, SshTarget target, AppName app) {
    private static final Pattern SCP = Pattern.compile("([^@/:]+)@(\\[[^\\]]+]|[^:/\\[\\]]+):(.*)");
    private static final Pattern SSH = Pattern.compile("ssh://([^@/]+)@(\\[[^\\]]+]|[^:/\\[\\]]+)(?::([0-9]{1,5}))?(/.*)");

    /** The remote {@code name} with {@code url} when that URL is a pier app's; empty for any other URL. */
    public static Optional<GitRemote> parse(String name, String url) {
        if (url == null) {
            return Optional.empty();
        }
        Matcher ssh = SSH.matcher(url);
        Matcher scp = SCP.matcher(url);
        String user;
        String host;
        String port;
        String path;
        if (ssh.matches()) {
            user = ssh.group(1);
            host = ssh.group(2);
            port = ssh.group(3);
            // In git's ssh URLs /~/ starts a path in the user's home, as ~/ does in the scp-like form.
            path = ssh.group(4).startsWith("/~/") ? ssh.group(4).substring(1) : ssh.group(4);
        } else if (!url.contains("://") && scp.matches()) {
            user = scp.group(1);
            host = scp.group(2);
            port = null;
            path = scp.group(3);
        } else {
            return Optional.empty();
        }
        if (!user.equals(PierHome.USER)) {
            return Optional.empty();
        }
        try {
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            SshTarget target = new SshTarget(user, bare, port == null ? SshTarget.DEFAULT_PORT : Integer.parseInt(port));
            return Optional.of(new GitRemote(name, target, AppName.ofRepoPath(path)));
        } catch (PierException notAnApp) {
            return Optional.empty();
        }
    }

    /**
     * The pier remotes of the git checkout {@code dir} is in, in the order git lists them; empty outside a checkout.
     * A checkout this user cannot read counts as none, so a command there runs locally as it would elsewhere.
     */
    public static List<GitRemote> in(Path dir) {
        Optional<Path> git = dotGit(dir);
        if (git.isEmpty() || !mayNamePier(git.get())) {
            return List.of();
        }
        return Checkout.remotes(dir);
    }

    /** JGit's side, in a class of its own so that it is loaded only inside a checkout. */
    private static final class Checkout {
        static List<GitRemote> remotes(Path dir) {
            FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(dir.toAbsolutePath().toFile());
            if (builder.getGitDir() == null) {
                return List.of();
            }
            try (Repository repo = builder.setMustExist(true).build()) {
                Config config = repo.getConfig();
                List<GitRemote> remotes = new ArrayList<>();
                for (String name : config.getSubsections("remote")) {
                    parse(name, config.getString("remote", name, "url")).ifPresent(remotes::add);
                }
                return remotes;
            } catch (IOException | RuntimeException unreadable) {
                return List.of();
            }
        }
    }

    /**
     * The {@code .git} here or above, looked for without JGit: every local command asks, and loading JGit to learn
     * there is no pier remote costs about 90 ms, twice when root's command is re-run as the pier user.
     */
    private static Optional<Path> dotGit(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) {
                return Optional.of(p.resolve(".git"));
            }
        }
        return Optional.empty();
    }

    /**
     * False only when the checkout's own config plainly names no {@code pier@} URL, so most checkouts (GitHub
     * remotes only) are settled without JGit. A worktree's {@code .git} file or an {@code [include]} is left to JGit.
     */
    private static boolean mayNamePier(Path dotGit) {
        if (!Files.isDirectory(dotGit)) {
            return true;
        }
        try {
            String config = Files.readString(dotGit.resolve("config"));
            return config.contains(PierHome.USER + "@") || config.contains("[include");
        } catch (IOException | RuntimeException unreadable) {
            return true;
        }
    }

    @Override
    public String toString() {
        return name + " (" + target + ":" + app + ")";
    }
}
