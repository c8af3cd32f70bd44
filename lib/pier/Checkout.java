package pier;

//DEPS org.eclipse.jgit:org.eclipse.jgit:7.8.1.202611041320-r

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;

/**
 * A pushed commit's files, submodules included, in a temporary build directory. The working repository
 * borrows the app repository's objects (git alternates), so nothing is copied and a commit that is not
 * yet on any branch (a push still in its pre-receive hook) checks out like any other.
 */
public final class Checkout implements AutoCloseable {
    private final Path root;
    private final Path dir;

    private Checkout(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
    }

    public static Checkout of(Repository appRepo, ObjectId commit) {
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
                // Relative submodule URLs resolve against the app's repository, as they would for a clone of it.
                StoredConfig config = git.getRepository().getConfig();
                config.setString("remote", "origin", "url", appRepo.getDirectory().getAbsolutePath());
                config.save();
                git.reset().setMode(ResetCommand.ResetType.HARD).setRef(commit.name()).call();
                if (Files.exists(checkout.dir.resolve(".gitmodules"))) {
                    git.submoduleInit().call();
                    git.submoduleUpdate().call();
                }
            }
            Files.deleteIfExists(checkout.dir.resolve(".git"));
            return checkout;
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
