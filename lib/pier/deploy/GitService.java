package pier.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.errors.TooLargePackException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;
import pier.apps.Apps;
import pier.base.PierException;
import pier.base.Progress;
import pier.names.AppName;
import pier.state.Lock;
import pier.state.PierHome;
import pier.state.Settings;

/**
 * git-receive-pack and git-upload-pack for an app, on the streams SSH gave us. A push to main or master
 * deploys from the pre-receive hook, before any ref moves: a failed deploy rejects the push with its
 * reason and the repository keeps its old head. Pushes to other branches are stored, not deployed.
 */
public final class GitService {
    static final List<String> DEPLOY_BRANCHES = List.of("refs/heads/main", "refs/heads/master");

    private final PierHome home;
    private final Apps apps;

    public GitService(PierHome home) {
        this.home = home;
        this.apps = new Apps(home);
    }

    /**
     * Receives a push; {@code deployer} runs the deploy (Docker and Nginx are only opened when one happens). The app's
     * lock is taken only once the pack has arrived, for the deploy: a slow or stalled client never holds it. The pack
     * may be at most {@link Settings#pushMaxSize()} and must arrive within {@link Settings#pushTimeout()}.
     */
    public void receive(AppName app, String key, InputStream in, OutputStream out, OutputStream err,
                        Deployer deployer) {
        Settings settings = new Settings(home);
        boolean created;
        try (Lock ignored = Lock.app(home, app)) {
            created = apps.ensure(app);
        }
        long limit = settings.pushMaxSize();
        Duration deadline = settings.pushTimeout();
        Deadline timed = new Deadline(in, deadline);
        try (Repository repo = apps.openRepo(app)) {
            ReceivePack rp = new ReceivePack(repo);
            rp.setAllowNonFastForwards(true);
            rp.setAllowDeletes(true);
            rp.setMaxPackSizeLimit(limit);
            rp.setTimeout(IDLE_SECONDS);
            rp.setPreReceiveHook((pack, commands) -> {
                timed.disarm();
                Progress progress = Progress.to(pack.getMessageOutputStream());
                try (Lock ignored = Lock.app(home, app)) {
                    if (!apps.exists(app)) {
                        commands.forEach(c -> c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON,
                                app + " was destroyed while the push arrived"));
                        return;
                    }
                    if (created) {
                        progress.step("Created app " + app);
                    }
                    onPush(app, repo, key, commands, progress, deployer);
                } catch (PierException e) {
                    commands.forEach(c -> c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, e.getMessage()));
                }
            });
            rp.receive(timed, out, err);
        } catch (IOException e) {
            // JGit reports a failed unpack as an UnpackException around the reason. At the limit, JGit's stream ends
            // the pack instead of throwing when no more bytes have arrived yet ("Packfile is truncated"): what was read
            // past the limit says which it was.
            boolean tooLarge = timed.count() > limit;
            for (Throwable t = e; t != null && !tooLarge; t = t.getCause()) {
                tooLarge = t instanceof TooLargePackException;
            }
            if (tooLarge) {
                throw PierException.failed("the push is larger than " + (limit >> 20) + " MiB, the most this server takes ("
                        + Settings.PUSH_MAX_SIZE + "); nothing was deployed");
            }
            if (timed.expired()) {
                throw PierException.failed("the push did not arrive within " + deadline.toSeconds() + "s and was stopped ("
                        + Settings.PUSH_TIMEOUT + "); nothing was deployed");
            }
            throw PierException.failed("push to " + app + " failed: " + e.getMessage(), e);
        }
    }

    /** A client that sends nothing for this long is gone. */
    static final int IDLE_SECONDS = 120;

    /** The push's input until its pack has arrived, refused after a deadline: a client sending one byte a minute ends. */
    private static final class Deadline extends java.io.FilterInputStream {
        private final long end;
        private volatile boolean armed = true;
        private volatile boolean expired;
        private long count;

        Deadline(InputStream in, Duration after) {
            super(in);
            this.end = System.nanoTime() + after.toNanos();
        }

        void disarm() {
            armed = false;
        }

        boolean expired() {
            return expired;
        }

        /** The bytes read so far: the commands, then the pack. */
        long count() {
            return count;
        }

        private void check() throws IOException {
            if (armed && System.nanoTime() > end) {
                expired = true;
                throw new IOException("the push took too long");
            }
        }

        @Override
        public int read() throws IOException {
            check();
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check();
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    public void upload(AppName app, InputStream in, OutputStream out, OutputStream err) {
        try (Repository repo = apps.openRepo(app)) {
            new UploadPack(repo).upload(in, out, err);
        } catch (IOException e) {
            throw PierException.failed("fetch from " + app + " failed: " + e.getMessage(), e);
        }
    }

    /** Runs one deploy of a pushed commit; a thrown PierException rejects the push with its message. */
    @FunctionalInterface
    public interface Deployer {
        void deploy(AppName app, Repository repo, ReceiveCommand command, String key, Progress progress);
    }

    private static void onPush(AppName app, Repository repo, String key, Collection<ReceiveCommand> commands,
                               Progress progress, Deployer deployer) {
        Optional<ReceiveCommand> deploy = DEPLOY_BRANCHES.stream().flatMap(branch -> commands.stream()
                .filter(c -> c.getRefName().equals(branch) && c.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED))
                .findFirst();
        for (ReceiveCommand c : commands) {
            if (deploy.isPresent() && c == deploy.get()) {
                continue;
            }
            if (DEPLOY_BRANCHES.contains(c.getRefName()) && c.getType() == ReceiveCommand.Type.DELETE) {
                c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON,
                        "pier will not delete its deploy branch; use apps:destroy " + app);
            } else if (c.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED) {
                progress.step("Stored " + Repository.shortenRefName(c.getRefName())
                        + ", not deployed: pier deploys pushes to main or master");
            }
        }
        if (deploy.isEmpty()) {
            return;
        }
        ReceiveCommand command = deploy.get();
        if (command.getType() == ReceiveCommand.Type.DELETE) {
            command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON,
                    "pier will not delete its deploy branch; use apps:destroy " + app);
            return;
        }
        try {
            deployer.deploy(app, repo, command, key, progress);
            pointHeadAt(repo, command.getRefName());
        } catch (PierException e) {
            progress.warn(e.getMessage());
            progress.warn("the push was rejected; the previous release keeps serving");
            command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, "deploy failed: " + e.getMessage());
        }
    }

    /** So that a clone of the app checks out the branch that was deployed. */
    private static void pointHeadAt(Repository repo, String ref) {
        try {
            RefUpdate head = repo.updateRef(Constants.HEAD);
            head.disableRefLog();
            head.link(ref);
        } catch (IOException e) {
            // Only affects what a later clone checks out by default.
        }
    }
}
