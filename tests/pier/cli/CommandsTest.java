package pier.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pier.Pier;
import pier.access.Actor;
import pier.access.Events;
import pier.access.Keys;
import pier.access.Role;
import pier.access.SshKey;
import pier.access.SshKeyTest;
import pier.apps.Apps;
import pier.apps.Checks;
import pier.apps.Procfile;
import pier.apps.Release;
import pier.apps.Releases;
import pier.base.PierException;
import pier.engine.Templates;
import pier.names.AppName;
import pier.names.KeyName;
import pier.names.ProcessType;
import pier.state.PierHome;

/** The shape every pier command shares: the PierCommand base, the APP and --format mixins. */
class CommandsTest {
    @TempDir
    Path tmp;

    record Ran(int code, String out, String err) {
    }

    Ran run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int[] code = new int[1];
        withHome(() -> code[0] = pier.run(new PrintWriter(out), new PrintWriter(err), args));
        return new Ran(code[0], out.toString(), err.toString());
    }

    /** Each command closes the Pier it opened: only the base's call() opens one, and it closes it in a finally. */
    /** Modelling every command costs each start a fifth of a second, so a line gets only the command it names. */
    @Test
    void aCommandLineIsModelledWithOnlyTheCommandItNames() {
        int all = pier.commandLine().getSubcommands().size();
        assertEquals(List.of("config:set", "help"), List.copyOf(new java.util.TreeSet<>(pier.commandLine("config:set", "blog", "A=1").getSubcommands().keySet())));
        assertTrue(pier.commandLine("restart", "blog").getSubcommands().containsKey("ps:restart"), "an alias names its command");
        assertEquals(all, pier.commandLine("help").getSubcommands().size(), "help lists every command");
        assertEquals(all, pier.commandLine("--help").getSubcommands().size());
        assertEquals(all, pier.commandLine("confgi:set").getSubcommands().size(), "a typo gets suggestions from every command");
        assertEquals(all, pier.commandLine().getSubcommands().size());
        assertTrue(all > 60, "the whole tree: " + all);
    }

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

    /** Every command of the flattened pier tree gets the contract, --format's case-insensitivity too. */
    @Test
    void formatIsTextOrJsonInAnyCase() {
        assertEquals(new Ran(0, "[]\n", ""), run("apps:list", "--format", "JSON"));
        assertEquals(new Ran(0, "", ""), run("apps:list"));
        Ran bad = run("apps:list", "--format", "yaml");
        assertEquals(PierException.USAGE, bad.code());
        assertTrue(bad.err().startsWith("error: Invalid value for option '--format': expected one of [text, json]"), bad.err());
    }

    /** Two --format json outputs pinned to the byte: keys, their order and value types are a contract with scripts. */
    @Test
    void jsonOutputKeepsItsKeysOrderAndTypes() {
        PierHome home = new PierHome(tmp);
        AppName blog = AppName.of("blog");
        new Apps(home).create(blog);
        Releases releases = new Releases(home, blog);
        releases.record(new Release(1, "a".repeat(40), "pier/blog:1", 5000, Instant.parse("2024-01-01T00:00:00Z"), "alice"));
        releases.record(new Release(2, "b".repeat(40), "pier/blog:2", 5000, Instant.parse("2024-01-02T00:00:00Z"), "dev",
                "Set A", "0123abcd", Procfile.none(), false, Checks.DEFAULT, new TreeMap<>(Map.of(ProcessType.WEB, 2))));
        assertEquals(new Ran(0, """
                [
                  {
                    "id": 2,
                    "live": true,
                    "time": "2024-01-02T00:00:00Z",
                    "key": "dev",
                    "description": "Set A",
                    "commit": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                    "image": "pier/blog:2",
                    "config": "0123abcd",
                    "scale": {
                      "web": 2
                    }
                  },
                  {
                    "id": 1,
                    "live": false,
                    "time": "2024-01-01T00:00:00Z",
                    "key": "alice",
                    "description": "",
                    "commit": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    "image": "pier/blog:1",
                    "config": null,
                    "scale": {
                      "web": 1
                    }
                  }
                ]
                """, ""), run("releases", "blog", "--format", "json"));
        assertEquals(new Ran(0, """
                {
                  "app": "blog",
                  "default": "blog.localhost",
                  "domains": []
                }
                """, ""), run("domains", "blog", "--format", "json"));
    }

    /** config:set declares its values secret, so its event shows KEY=... only (EventsTest checks how). */
    @Test
    void configValuesNeverReachTheEventLog() throws Exception {
        new Apps(new PierHome(tmp)).create(AppName.of("blog"));
        Ran set = run("config:set", "--no-restart", "blog", "SECRET=hunter2");
        assertEquals(0, set.code(), set.err());
        String log = Files.readString(tmp.resolve("events.log"));
        assertTrue(log.endsWith("\tlocal\tblog\tok\tconfig:set --no-restart blog SECRET=...\n"), log);
        assertFalse(log.contains("hunter2"), log);
    }

    /** `run APP ls -la`: the words after APP are the command's own, options included, in pier's tree too. */
    @Test
    void runPassesItsWordsOn() {
        CommandLine.ParseResult parsed = pier.commandLine().parseArgs("run", "blog", "ls", "-la", "--format", "x");
        assertEquals(List.of("ls", "-la", "--format", "x"), parsed.subcommand().matchedPositional(1).getValue());
    }

    /**
     * A key's command runs in a tree built for the key: the gate checks its rights, and the Pier its command opens
     * acts for it (AppDomains refuses what a developer may not claim), with no static state between the two.
     */
    @Test
    void aKeysCommandRunsForThatKey() {
        PierHome home = new PierHome(tmp);
        Templates templates = new Templates(tmp.resolve("no-overrides"));
        AppName blog = AppName.of("blog");
        new Apps(home).create(blog);
        new Keys(home, templates).grant(blog, Role.developer, Optional.of(KeyName.of("dev")),
                SshKey.parse(SshKeyTest.ed25519Line("dev@test")));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        BiFunction<Actor, List<String>, CommandLine> tree = (actor, words) -> {
            CommandLine cli = Cli.commandLine(pier::new, actor);
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            return cli;
        };
        withHome(() -> {
            try (Pier local = new Pier(home, templates)) {
                assertEquals(1, SshCommand.run(local, "dev", "domains:add blog 10.0.0.1", tree));
                assertTrue(err.toString().startsWith("error: key dev may not claim 10.0.0.1"), err.toString());
                assertEquals(1, SshCommand.run(local, "dev", "apps:list", tree));
                assertTrue(err.toString().contains("error: key dev may not run apps:list: it is server-wide"), err.toString());
                assertEquals(0, SshCommand.run(local, "dev", "config blog", tree), err.toString());
                assertEquals("=====> blog config\n", out.toString());
            }
        });
        List<Events.Event> events = new Events(home).last(Optional.empty(), 10);
        assertEquals(List.of("dev failed domains:add blog 10.0.0.1", "dev refused apps:list"),
                events.stream().map(e -> e.key() + " " + e.result().split(":")[0] + " " + e.command()).toList());
        assertEquals(new Ran(0, "blog\n", ""), run("apps:list"), "the same JVM, locally: no key's rights linger");
    }

    private void withHome(Runnable body) {
        String before = System.getProperty("pier.home");
        System.setProperty("pier.home", tmp.toString());
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty("pier.home");
            } else {
                System.setProperty("pier.home", before);
            }
        }
    }
}
