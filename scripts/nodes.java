///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.SERVER;

import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Rule;
import pier.cluster.NodeShell;
import pier.cluster.Nodes;
import pier.engine.Host;
import pier.engine.Launcher;
import pier.engine.Swarm;
import pier.names.NodeHost;
import pier.remote.Remote;

/** pier's cluster commands: nodes:add, nodes:list, nodes:drain, nodes:activate, nodes:remove. */
@Command(name = "nodes", description = "Grow past one server: more hosts as nodes of a Docker swarm this host manages.",
        mixinStandardHelpOptions = true,
        subcommands = {nodes.Add.class, nodes.ListNodes.class, nodes.Drain.class, nodes.Activate.class, nodes.Remove.class,
                nodes.Watch.class})
public class nodes {
    public static void main(String... args) {
        System.exit(Cli.execute(nodes::new, args));
    }

    @Command(name = "nodes:add", mixinStandardHelpOptions = true,
            description = {"Add HOST to the cluster as a worker node. The first time, this host becomes the cluster's"
                    + " manager: Docker goes into swarm mode on the private address (live-restore goes off, as swarm mode"
                    + " refuses it; apps restart by their policy when dockerd restarts), and Docker's registry starts there"
                    + " for the nodes to pull pier's images from (TLS, pier's account only).",
                    "pier reaches HOST over SSH as root with root's keys and known_hosts (accept its host key once with"
                    + " ssh root@HOST). HOST needs only Docker, with live-restore off (pier install --node sets it up).",
                    "Run as root on this host."})
    @Rule(scope = SERVER, changes = true)
    static class Add extends PierCommand {
        @Parameters(paramLabel = "HOST", description = "the node's address or name as this host reaches it, e.g. 10.0.0.2")
        String host;
        @Option(names = "--address", paramLabel = "ADDRESS", description = "this host's private address the nodes reach it"
                + " on (default: the one it reaches HOST from); fixed by the first nodes:add")
        @Nullable String address;
        @Option(names = "--print", description = "do not connect to HOST: print the commands to run there as root"
                + " (they hold the swarm's join token: keep them secret)")
        boolean print;

        protected int run() {
            NodeHost node = NodeHost.of(host);
            Nodes nodes = new Nodes(pier().docker(), pier().templates());
            if (print) {
                List<String> commands = nodes.joinCommands(node, address, progress());
                out().println("=====> Run these as root on " + node + ", then nodes:list shows it:");
                commands.forEach(out()::println);
                return 0;
            }
            Nodes.Added added = nodes.add(node, address, NodeShell.ssh(node, Remote.userSshDir()), progress());
            progress().step(node + (added.joinedNow() ? " joined the cluster" : " is in the cluster") + " as a worker");
            // The watcher runs as pier's user, as everything that writes Nginx's sites does.
            if (Host.isRoot() && Launcher.userExists()) {
                Launcher.runAsPier("nodes:watch", "--start");
            }
            return 0;
        }
    }

    @Command(name = "nodes:list", mixinStandardHelpOptions = true,
            description = "List the cluster's hosts: this manager first, then each node with its state and availability.")
    @Rule(scope = SERVER, changes = false)
    static class ListNodes extends PierCommand {
        @Mixin
        FormatMixin format;

        protected int run() {
            List<Swarm.Node> all = new Nodes(pier().docker(), pier().templates()).list();
            if (all.isEmpty() && !format.json()) {
                out().println("no cluster: this host runs every app itself (nodes:add HOST starts one)");
                return 0;
            }
            if (!format.json()) {
                out().println(String.format("%-24s %-16s %-8s %-8s %-12s %s", "HOST", "ADDRESS", "ROLE", "STATE", "AVAILABILITY",
                        "DOCKER"));
            }
            format.rows(all.stream().map(Row::of).toList(), row -> row, row -> String.format("%-24s %-16s %-8s %-8s %-12s %s",
                    row.host(), row.address(), row.role(), row.state(), row.availability(), row.docker()));
            return 0;
        }

        record Row(String host, String address, String role, String state, String availability, String docker, String id) {
            static Row of(Swarm.Node n) {
                return new Row(n.shown(), n.address(), n.manager() ? "manager" : "worker", n.state(), n.availability(), n.engine(),
                        n.id());
            }
        }
    }

    @Command(name = "nodes:drain", mixinStandardHelpOptions = true,
            description = "Move all work off HOST and give it no more (for maintenance); nodes:activate takes it back.")
    @Rule(scope = SERVER, changes = true)
    static class Drain extends PierCommand {
        @Parameters(paramLabel = "HOST")
        String host;

        protected int run() {
            Swarm.Node node = new Nodes(pier().docker(), pier().templates()).drain(NodeHost.of(host));
            progress().step(host + " is " + node.availability() + ": its work moves to the other nodes");
            return 0;
        }
    }

    @Command(name = "nodes:activate", mixinStandardHelpOptions = true, description = "HOST takes work again after a drain.")
    @Rule(scope = SERVER, changes = true)
    static class Activate extends PierCommand {
        @Parameters(paramLabel = "HOST")
        String host;

        protected int run() {
            Swarm.Node node = new Nodes(pier().docker(), pier().templates()).activate(NodeHost.of(host));
            progress().step(host + " is " + node.availability());
            return 0;
        }
    }

    @Command(name = "nodes:watch", mixinStandardHelpOptions = true,
            description = {"Keep Nginx on the tasks of the apps on the swarm: every " + "2 s, an app whose running web tasks"
                    + " moved (a node failed or was drained) is re-routed. Runs until stopped, as pier's user; nodes:add and the"
                    + " minute tick start it in the background (log: /var/lib/pier/cluster/watch.log)."})
    @Rule(scope = SERVER, changes = false)
    static class Watch extends PierCommand {
        @Option(names = "--start", description = "start it in the background unless it runs, then return")
        boolean start;
        @Option(names = "--once", description = "one round, then return")
        boolean once;

        protected int run() {
            var watch = pier().swarmWatch();
            if (start) {
                out().println(watch.ensure() ? "started the swarm watcher"
                        : watch.running() ? "the swarm watcher runs already" : "no cluster: nothing to watch");
            } else if (once) {
                watch.once(progress()).forEach(out()::println);
            } else {
                watch.run(progress());
            }
            return 0;
        }
    }

    @Command(name = "nodes:remove", mixinStandardHelpOptions = true,
            description = {"Drain HOST, have it leave the swarm (over SSH as root) and take it out of the cluster.",
                    "Run as root on this host."})
    @Rule(scope = SERVER, changes = true)
    static class Remove extends PierCommand {
        @Parameters(paramLabel = "HOST")
        String host;
        @Option(names = "--force", description = "HOST is gone or unreachable: forget it without asking it to leave")
        boolean force;

        protected int run() {
            NodeHost node = NodeHost.of(host);
            new Nodes(pier().docker(), pier().templates()).remove(node, force ? null : NodeShell.ssh(node, Remote.userSshDir()),
                    progress());
            progress().step(node + " is no longer in the cluster");
            return 0;
        }
    }
}
