package pier.install;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import pier.base.PierException;
import pier.engine.Host;
import pier.state.AtomicFile;

/**
 * A file rendered by {@code content}. A {@code check} command vets the host's config with the new file in
 * place, "{}" standing for the file; when it fails the old file is put back. {@code after} runs once the file
 * changed or went (a reload). Undoing deletes the file, and a check without "{}" (a whole-config check such as
 * {@code nginx -t}) vets the config without it the same way.
 */
record FileStep(Path path, Supplier<String> content, String owner, String mode, List<String> check, Runnable after)
        implements UndoableStep {
    FileStep {
        check = List.copyOf(check);
    }

    public String describe() {
        return "file " + path + " (" + owner + ", " + mode + ")";
    }

    public boolean satisfied() {
        return AtomicFile.read(path).equals(Optional.of(content.get())) && HostSteps.hasMode(path, mode)
                && HostSteps.ownedBy(path, owner);
    }

    public String plan() {
        Optional<String> now = AtomicFile.read(path);
        if (now.isEmpty()) {
            return "create it";
        }
        List<String> changes = new ArrayList<>();
        if (!now.get().equals(content.get())) {
            changes.add("content differs");
        }
        if (!HostSteps.hasMode(path, mode)) {
            changes.add("mode " + HostSteps.mode(path) + " -> " + mode);
        }
        if (!HostSteps.ownedBy(path, owner)) {
            changes.add("owner -> " + owner);
        }
        return String.join(", ", changes);
    }

    public void apply() {
        Optional<String> previous = AtomicFile.read(path);
        AtomicFile.write(path, content.get(), mode);
        HostSteps.chown(path, owner);
        vet(check, previous, "the new " + path);
        after.run();
    }

    public boolean present() {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    public void undo() {
        Optional<String> previous = AtomicFile.read(path);
        HostSteps.remove(path);
        vet(check.stream().anyMatch(a -> a.contains("{}")) ? List.of() : check, previous, "removing " + path);
        after.run();
    }

    /** Runs {@code command} (if any) and, when it fails, puts the file back as it was and says so. */
    private void vet(List<String> command, Optional<String> previous, String what) {
        if (command.isEmpty()) {
            return;
        }
        List<String> args = command.stream().map(a -> a.replace("{}", path.toString())).toList();
        Host.Result r = Host.run(args);
        if (!r.ok()) {
            if (previous.isPresent()) {
                AtomicFile.write(path, previous.get(), mode);
                HostSteps.chown(path, owner);
            } else {
                HostSteps.remove(path);
            }
            throw PierException.failed(String.join(" ", args) + " rejected " + what + ", kept " + path + " as it was: "
                    + r.lastLine());
        }
    }

}
