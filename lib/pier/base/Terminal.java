package pier.base;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The terminal pier's stdin is, when it is one (a local shell, or {@code ssh -t}): put in raw mode for a shell in
 * a container ({@code enter}), so keys reach it as typed and it does its own echo, and put back as it was when done,
 * also when pier is stopped. {@code stty} acts on the terminal it gets as stdin.
 */
public final class Terminal implements AutoCloseable {
    private final String saved;
    private final Thread restore;

    private Terminal(String saved) {
        this.saved = saved;
        this.restore = new Thread(() -> stty(List.of(saved)));
        Runtime.getRuntime().addShutdownHook(restore);
    }

    /** Raw mode on our terminal; empty when stdin or stdout is not a terminal (then a container gets no tty either). */
    public static Optional<Terminal> raw() {
        if (System.console() == null) {
            return Optional.empty();
        }
        Optional<String> saved = stty(List.of("-g"));
        if (saved.isEmpty() || stty(List.of("raw", "-echo")).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Terminal(saved.get().strip()));
    }

    /** Rows and columns, for the container's terminal; null when unknown. */
    public int @Nullable [] size() {
        return stty(List.of("size")).map(String::strip).filter(s -> s.matches("\\d+ \\d+"))
                .map(s -> new int[] {Integer.parseInt(s.split(" ")[0]), Integer.parseInt(s.split(" ")[1])})
                .orElse(null);
    }

    private static Optional<String> stty(List<String> args) {
        List<String> command = new java.util.ArrayList<>(List.of("stty"));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        stty(List.of(saved));
        try {
            Runtime.getRuntime().removeShutdownHook(restore);
        } catch (IllegalStateException shuttingDown) {
            // The hook restores it.
        }
    }
}
