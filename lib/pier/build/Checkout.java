package pier.build;

//DEPS org.eclipse.jgit:org.eclipse.jgit:7.8.1.202611041320-r

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import pier.base.PierException;
import pier.state.FileTree;

/**
 * A pushed commit's files, submodules included, in a temporary build directory. The working repository
 * borrows the app repository's objects (git alternates), so nothing is copied and a commit that is not
 * yet on any branch (a push still in its pre-receive hook) checks out like any other.
 */
public final class Checkout implements AutoCloseable {
    /** A submodule's host that stops answering must not hold a push (and the app's lock) for ever. */
    static final int SUBMODULE_TIMEOUT_SECONDS = 120;

    private final Path root;
    private final Path dir;

    private Checkout(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
    }

    /**
     * Checks out {@code commit} with its submodules, which may come only from where {@link Submodules} allows
     * ({@code sshHosts}: the SSH hosts an admin allows). A link in the result that leads out of the checkout
     * refuses the push by name.
     */
    public static Checkout of(Repository appRepo, ObjectId commit, List<String> sshHosts) {
        Path root;
        try {
            root = Files.createTempDirectory("pier-build-");
        } catch (IOException e) {
            throw PierException.failed("cannot create a build directory: " + e.getMessage(), e);
        }
        Checkout checkout = new Checkout(root, root.resolve("src"));
        try {
            Path gitDir = root.resolve("git");
            try (Git git = Git.init().setDirectory(checkout.dir.toFile()).setGitDir(gitDir.toFile()).call()) {
                Files.createDirectories(gitDir.resolve("objects/info"));
                Files.writeString(gitDir.resolve("objects/info/alternates"),
                        appRepo.getDirectory().toPath().resolve("objects").toAbsolutePath() + "\n");
                git.reset().setMode(ResetCommand.ResetType.HARD).setRef(commit.name()).call();
                Optional<String> gitmodules = PushedFiles.read(checkout.dir, ".gitmodules");
                if (gitmodules.isPresent()) {
                    Submodules.check(gitmodules.get(), sshHosts);
                    git.submoduleInit().call();
                    git.submoduleUpdate().setTimeout(SUBMODULE_TIMEOUT_SECONDS).call();
                }
            }
            Files.deleteIfExists(checkout.dir.resolve(".git"));
            List<String> leaving = PushedFiles.linksLeaving(checkout.dir);
            if (!leaving.isEmpty()) {
                throw PierException.failed(leaving.get(0) + (leaving.size() > 1 ? " (and " + (leaving.size() - 1) + " more)" : "")
                        + " is a symbolic link that leads out of the repository: pier builds only what the repository"
                        + " holds; commit the file itself, or a link to a path inside the repository");
            }
            return checkout;
        } catch (PierException e) {
            checkout.close();
            throw e;
        } catch (GitAPIException | IOException | RuntimeException e) {
            checkout.close();
            throw PierException.failed("cannot check out " + commit.abbreviate(7).name() + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try {
            FileTree.delete(root);
        } catch (IOException e) {
            // A leftover temp directory is harmless; the deploy's result matters more.
        }
    }
}
