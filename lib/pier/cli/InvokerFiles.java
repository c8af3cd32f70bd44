package pier.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;
import pier.base.PierException;
import pier.engine.Launcher;

/**
 * Files named on a command line are read by the user who typed it. Root's commands re-run as the pier user
 * ({@link Launcher#runAsPier}), which cannot read {@code /root/alice.pub}; so before switching, root reads the FILE of a
 * command that takes one ({@link ReadsFile}: {@code ssh-keys:add}, {@code deploy:allow}, {@code developer:allow}),
 * the command checks its content there, and the pier side gets only what the command took from it on stdin, with FILE
 * dropped from its words (every such command reads stdin when FILE is omitted). The pier side is never given a path to
 * open, nor any option to ask for one, and over SSH nothing changes: there the FILE is read on the server as pier.
 */
public final class InvokerFiles {
    /** The most a FILE may hold: far above any public key, and a bound on what a mistaken path (a device) can feed. */
    public static final int MAX_BYTES = 64 * 1024;

    /** A command whose FILE, if given, may come on stdin instead. */
    public interface ReadsFile {
        /** The FILE given, if any. */
        @Nullable Path file();

        /** What the command needs of the file's {@code content}, checked by the user who named it; only this is handed over. */
        String handOver(String content);
    }

    /**
     * A command that names several files, all handed over at once ({@code certs:add APP CRT KEY}: a tar of both, the
     * form it also takes on stdin over SSH). The words are dropped as {@link ReadsFile}'s FILE is.
     */
    public interface ReadsFiles {
        /** The words that name files, in order; empty when the command takes them from stdin. */
        List<String> fileWords();

        /** What the pier side gets on stdin for the files' {@code contents} (in {@link #fileWords()}' order). */
        String handOver(List<String> contents);
    }

    /** The words to run as pier and what to give it on stdin. */
    record Handover(List<String> args, String stdin) {
    }

    private InvokerFiles() {
    }

    /**
     * Runs {@code args} as the pier user, with a FILE they name read here first (see above); {@code model} is pier's
     * command tree, only parsed. An unreadable or wrong FILE is one {@code error:} line and nothing runs.
     */
    public static int runAsPier(CommandLine model, String... args) {
        Optional<Handover> handover;
        try {
            handover = handover(model, List.of(args));
        } catch (PierException e) {
            return Cli.fail(new PrintWriter(System.err), e);
        }
        return handover.map(h -> Launcher.runAsPier(h.stdin().getBytes(StandardCharsets.UTF_8), h.args().toArray(String[]::new)))
                .orElseGet(() -> Launcher.runAsPier(args));
    }

    /** The handover for {@code args}, or empty when they name no FILE (or do not parse: the pier side says why). */
    static Optional<Handover> handover(CommandLine model, List<String> args) {
        ParseResult parsed;
        try {
            parsed = model.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException | PierException e) {
            return Optional.empty();
        }
        while (parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        if (parsed.commandSpec().userObject() instanceof ReadsFiles several && !several.fileWords().isEmpty()) {
            List<String> contents = several.fileWords().stream().map(w -> read(Path.of(w))).toList();
            String content = several.handOver(contents);
            List<String> rest = new ArrayList<>(args);
            for (int i = several.fileWords().size() - 1; i >= 0; i--) {
                rest.remove(rest.lastIndexOf(several.fileWords().get(i)));
            }
            return Optional.of(new Handover(rest, content));
        }
        if (!(parsed.commandSpec().userObject() instanceof ReadsFile command) || command.file() == null) {
            return Optional.empty();
        }
        Path file = command.file();
        String word = parsed.matchedPositionals().stream().filter(p -> p.paramLabel().equals("FILE")).findFirst()
                .map(PositionalParamSpec::originalStringValues).filter(v -> v.size() == 1).map(v -> v.get(0))
                .orElseThrow(() -> new IllegalStateException("a ReadsFile command names its FILE parameter FILE"));
        String content = command.handOver(read(file));
        // FILE is the command's last positional, so its last occurrence is the one to drop.
        List<String> rest = new ArrayList<>(args);
        rest.remove(rest.lastIndexOf(word));
        return Optional.of(new Handover(rest, content));
    }

    /** {@code file} read as the user running this process, at most {@link #MAX_BYTES}. */
    public static String read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw PierException.failed("cannot read " + file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + " " + e.getMessage()));
        }
        if (bytes.length > MAX_BYTES) {
            throw PierException.usage(file + " is larger than " + MAX_BYTES / 1024 + " KiB: name a public key or certificate file");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
