package pier.install;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** A path that must not exist (Debian's default Nginx site, which claims default_server); {@code after} runs once it went. */
record AbsentStep(Path path, String why, Runnable after) implements InstallStep {
    public String describe() {
        return path + " absent (" + why + ")";
    }

    public boolean satisfied() {
        return !Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    public String plan() {
        return "remove it";
    }

    public void apply() {
        HostSteps.remove(path);
        after.run();
    }
}
