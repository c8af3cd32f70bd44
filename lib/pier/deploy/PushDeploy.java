package pier.deploy;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import pier.access.Events;
import pier.base.Shown;
import pier.names.AppName;

/**
 * A {@code git push} from start to end: receive the pack, deploy the pushed commit from the pre-receive hook (a
 * failure rejects the push with its reason), hand the previous release to the background retire, and record the
 * push in the event log, ok or failed. Docker and Nginx are opened only when a deploy happens.
 */
public final class PushDeploy {
    private final GitService git;
    private final Supplier<Deploy> deploy;
    private final Events events;

    public PushDeploy(GitService git, Supplier<Deploy> deploy, Events events) {
        this.git = git;
        this.deploy = deploy;
        this.events = events;
    }

    /** Receives {@code key}'s push to {@code app} on the streams SSH gave; the git protocol goes to {@code out}. */
    public void receive(AppName app, String key, InputStream in, OutputStream out, OutputStream err) {
        git.receive(app, key, in, out, err, (a, repo, command, k, progress) -> {
            String what = command.getRefName() + " " + command.getNewId().abbreviate(7).name();
            try {
                Deploy d = deploy.get();
                d.retireInBackground(a, d.commit(a, repo, command.getNewId(), k, progress), progress);
            } catch (RuntimeException e) {
                events.record(k, Optional.of(a), "failed: " + Shown.oneLine(e.getMessage()), "git push", List.of(what));
                throw e;
            }
            events.record(k, Optional.of(a), "ok", "git push", List.of(what));
        });
    }
}
