package pier.cluster;

import java.nio.file.Path;
import java.util.List;
import pier.names.NodeHost;
import pier.remote.Remote;
import pier.remote.SshTarget;

/** A node's root shell, where pier runs the few commands that make it a node: each argv word quoted, stdin given. */
public interface NodeShell {
    Remote.Captured run(List<String> argv, String stdin);

    /** {@code root@HOST} over SSH with the keys and known_hosts in {@code sshDir}: a host key not accepted there is refused. */
    static NodeShell ssh(NodeHost host, Path sshDir) {
        SshTarget target = new SshTarget("root", host.value(), SshTarget.DEFAULT_PORT);
        return (argv, stdin) -> Remote.capture(target, argv, stdin, sshDir);
    }
}
