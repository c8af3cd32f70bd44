package pier.install;

import java.util.List;
import pier.engine.Host;

/**
 * {@code user} is a member of {@code group}: here Nginx's workers of pier's group, so they read the password files of
 * apps' HTTP basic auth without those being readable by every user on the host. Nginx's workers take their groups when
 * they start, so {@code after} (a graceful reload) runs once the membership was added. Kept on uninstall: a purge
 * deletes the group, and the membership with it.
 */
record GroupMemberStep(String user, String group, Runnable after) implements InstallStep {
    public String describe() {
        return "user " + user + " in group " + group + " (Nginx's workers read the apps' HTTP auth files)";
    }

    public boolean satisfied() {
        Host.Result id = Host.run(List.of("id", "-nG", user));
        return id.ok() && List.of(id.output().strip().split("\\s+")).contains(group);
    }

    public String plan() {
        return "add it (usermod -aG " + group + " " + user + "), then reload Nginx";
    }

    public void apply() {
        HostSteps.check(Host.run(List.of("usermod", "-aG", group, user)), "usermod -aG " + group + " " + user);
        after.run();
    }
}
