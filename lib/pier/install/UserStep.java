package pier.install;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pier.base.PierException;
import pier.engine.Host;

/** A system user with {@code home} as its home and membership of {@code groups}; it can log in by key only. */
record UserStep(String user, Path home, List<String> groups) implements UndoableStep {
    UserStep {
        groups = List.copyOf(groups);
    }

    public String describe() {
        return "system user " + user + " (home " + home + (groups.isEmpty() ? "" : ", groups " + String.join(", ", groups)) + ")";
    }

    public boolean satisfied() {
        return present() && missingGroups().isEmpty();
    }

    public String plan() {
        return present() ? "add it to " + String.join(", ", missingGroups()) : "create it";
    }

    public void apply() {
        if (!present()) {
            HostSteps.check(Host.run(List.of("useradd", "--system", "--user-group", "--home-dir", home.toString(),
                    "--shell", "/bin/sh", user)), "useradd " + user);
            // "*" rather than useradd's "!": sshd refuses key logins to accounts marked locked.
            HostSteps.check(Host.run(List.of("usermod", "-p", "*", user)), "usermod -p * " + user);
        }
        if (!groups.isEmpty()) {
            HostSteps.check(Host.run(List.of("usermod", "-aG", String.join(",", groups), user)), "usermod -aG " + user);
        }
    }

    public boolean present() {
        return Host.run(List.of("getent", "passwd", user)).ok();
    }

    /** Removes the user and its own group; its home is a directory step's to remove. */
    public void undo() {
        Host.Result r = Host.run(List.of("userdel", user));
        if (!r.ok()) {
            throw PierException.failed("userdel " + user + " failed: " + r.lastLine()
                    + " (a process of " + user + " still running? see ps -u " + user + ", then run this again)");
        }
        // userdel keeps the group where USERGROUPS_ENAB is off, and a leftover group makes useradd fail next time.
        if (Host.run(List.of("getent", "group", user)).ok()) {
            HostSteps.check(Host.run(List.of("groupdel", user)), "groupdel " + user);
        }
    }

    private List<String> missingGroups() {
        Host.Result id = Host.run(List.of("id", "-nG", user));
        List<String> has = id.ok() ? List.of(id.output().strip().split("\\s+")) : List.of();
        List<String> missing = new ArrayList<>(groups);
        missing.removeAll(has);
        return missing;
    }
}
