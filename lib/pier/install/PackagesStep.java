package pier.install;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import pier.base.PierException;
import pier.engine.Host;

/**
 * Debian packages installed with apt-get; each entry may list alternatives ("docker.io|docker-ce"), any one
 * of which will do. Never undone: other software on the host may need them.
 */
record PackagesStep(List<String> wanted) implements InstallStep {
    PackagesStep {
        wanted = List.copyOf(wanted);
    }

    public String describe() {
        return "packages " + String.join(", ", wanted) + " installed";
    }

    public boolean satisfied() {
        return missing().isEmpty();
    }

    public String plan() {
        return "apt-get install " + String.join(" ", toInstall());
    }

    public void apply() {
        List<String> names = toInstall();
        Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
        Host.Result update = Host.run(List.of("apt-get", "update", "-q"), null, env);
        if (!update.ok()) {
            throw PierException.failed("apt-get update failed: " + update.lastLine());
        }
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
        install.addAll(names);
        Host.Result result = Host.run(install, null, env);
        if (!result.ok()) {
            throw PierException.failed("apt-get install " + String.join(" ", names) + " failed: " + result.lastLine());
        }
    }

    private List<String> toInstall() {
        return missing().stream().map(w -> w.split("\\|")[0]).toList();
    }

    private List<String> missing() {
        return wanted.stream().filter(w -> Arrays.stream(w.split("\\|")).noneMatch(PackagesStep::installed)).toList();
    }

    static boolean installed(String pkg) {
        Host.Result r = Host.run(List.of("dpkg-query", "-W", "-f=${Status}", pkg));
        return r.ok() && r.output().contains("install ok installed");
    }
}
