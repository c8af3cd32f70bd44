package pier.cluster;

import java.util.List;
import pier.base.PierException;
import pier.base.Shown;
import pier.names.NodeHost;
import pier.remote.Remote;

/**
 * What a host's Docker says of itself, asked over its shell before it joins: that it answers, where it stands in a
 * swarm, and that live-restore is off (swarm mode refuses it). Each refusal says what to do on the host.
 *
 * @param state inactive, pending, active, error or locked
 * @param nodeId its swarm node id; empty when in none
 */
record NodeEngine(String state, String nodeId, boolean liveRestore) {
    static final String FORMAT = "{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{.LiveRestoreEnabled}}";

    static NodeEngine read(NodeHost host, NodeShell shell) {
        Remote.Captured info = shell.run(List.of("docker", "info", "--format", FORMAT), "");
        if (!info.ok()) {
            throw PierException.failed("Docker does not answer on " + host + " (" + Shown.firstLine(info.lastLine())
                    + "): install it there (apt-get install docker.io, or pier install --node), then nodes:add again");
        }
        NodeEngine engine = parse(info.out());
        if (engine.liveRestore()) {
            throw PierException.failed(host + "'s Docker has live-restore on, which swarm mode refuses: set \"live-restore\":"
                    + " false in /etc/docker/daemon.json there and reload dockerd (pier install --node does both), then"
                    + " nodes:add again");
        }
        return engine;
    }

    /** The line {@link #FORMAT} printed; anything else is not a Docker pier can drive. */
    static NodeEngine parse(String line) {
        String[] words = line.strip().split(" ", -1);
        if (words.length != 3 || !(words[2].equals("true") || words[2].equals("false"))) {
            throw PierException.failed("unexpected answer from docker info: " + Shown.quote(line.strip()));
        }
        return new NodeEngine(words[0].isEmpty() ? "inactive" : words[0], words[1], Boolean.parseBoolean(words[2]));
    }
}
