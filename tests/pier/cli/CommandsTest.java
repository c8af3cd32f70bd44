package pier.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pier.base.PierException;
import pier.names.AppName;

/** The shape every pier command shares: the PierCommand base, the APP and --format mixins. */
class CommandsTest {
    @TempDir
    Path tmp;

    record Ran(int code, String out, String err) {
    }

    Ran run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String before = System.getProperty("pier.home");
        System.setProperty("pier.home", tmp.toString());
        try {
            int code = pier.run(new PrintWriter(out), new PrintWriter(err), args);
            return new Ran(code, out.toString(), err.toString());
        } finally {
            if (before == null) {
                System.clearProperty("pier.home");
            } else {
                System.setProperty("pier.home", before);
            }
        }
    }

    /** Each command closes the Pier it opened: only the base's call() opens one, and it closes it in a finally. */
    @Test
    void everyCommandExtendsPierCommand() {
        List<String> other = new ArrayList<>();
        pier.commandLine().getSubcommands().forEach((name, sub) -> {
            if (!(sub.getCommand() instanceof PierCommand) && !(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                other.add(name);
            }
        });
        assertEquals(List.of(), other);
    }

    /** A bad APP is refused while parsing, with AppName's own words: one error line, exit 2. */
    @Test
    void aBadAppNameIsOneUsageLineInAppNamesWords() {
        String expected = assertThrowsUsage("../x");
        for (List<String> args : List.of(List.of("apps:info", "../x"), List.of("ps:scale", "../x", "web=1"),
                List.of("logs", "-n", "5", "../x"), List.of("events", "../x"), List.of("deploy:list", "../x"),
                List.of("apps:create", "../x"), List.of("config", "../x"))) {
            Ran r = run(args.toArray(String[]::new));
            assertEquals(PierException.USAGE, r.code(), args + ": " + r.err());
            assertEquals("error: " + expected + "\n", r.err(), args.toString());
            assertEquals("", r.out(), args.toString());
        }
    }

    private static String assertThrowsUsage(String name) {
        try {
            AppName.of(name);
        } catch (PierException e) {
            assertEquals(PierException.USAGE, e.exitCode());
            return e.getMessage();
        }
        throw new AssertionError(name + " was accepted");
    }

    /** The mixins keep the help text as it was: APP where it was, --format with its description. */
    @Test
    void theMixinsShowInHelpAsTheFieldsDid() {
        Ran r = run("apps:info", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Usage: pier apps:info [-hV] [--format=<format>] APP\n"
                + "Show an app's domains, release and containers.\n"
                + "      APP\n"
                + "      --format=<format>   text or json\n"), r.out());
    }

    @Test
    void formatIsTextOrJson() {
        assertEquals(new Ran(0, "[]\n", ""), run("apps:list", "--format", "json"));
        assertEquals(new Ran(0, "", ""), run("apps:list"));
        Ran bad = run("apps:list", "--format", "yaml");
        assertEquals(PierException.USAGE, bad.code());
        assertTrue(bad.err().startsWith("error: Invalid value for option '--format': expected one of [text, json]"), bad.err());
    }
}
