package pier.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.base.PierException;
import pier.remote.SshTarget;
import pier.remote.GitRemoteTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Remote or local, and which app: the rule every pier command line goes through. The model here has the shapes of
 * pier's commands (APP first, APP KEY=VALUE with --global, an option with a value, no APP at all).
 */
class RouteTest {
    @TempDir
    Path tmp;

    @Command(name = "root")
    static class Root {
    }

    @Command(name = "config:set")
    static class ConfigSet {
        @Option(names = "--global")
        boolean global;
        @Option(names = "--no-restart")
        boolean noRestart;
        @Parameters(paramLabel = "APP KEY=VALUE", arity = "1..*")
        List<String> words;
    }

    @Command(name = "logs")
    static class Logs {
        @Option(names = {"-n", "--num"})
        int lines;
        @Option(names = "-t")
        boolean follow;
        @Parameters(paramLabel = "APP")
        String app;
    }

    @Command(name = "apps:list", aliases = "apps")
    static class AppsList {
    }

    @Command(name = "ssh-keys:add")
    static class KeysAdd {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
    }

    static CommandLine model() {
        CommandLine root = new CommandLine(new Root());
        for (Object command : List.of(new ConfigSet(), new Logs(), new AppsList(), new KeysAdd())) {
            root.addSubcommand(command);
        }
        return root;
    }

    static final Function<List<String>, CommandLine> MODEL = words -> model();
    static final Function<List<String>, CommandLine> NO_MODEL = words -> {
        throw new AssertionError("the Picocli model was built for a line that places no app");
    };

    Route route(Path dir, String... args) {
        return Route.of(Arrays.asList(args), dir, MODEL);
    }

    Path checkout(String... remotes) throws Exception {
        return GitRemoteTest.checkout(tmp, remotes);
    }

    Path outside() throws Exception {
        return Files.createDirectories(tmp.resolve("elsewhere"));
    }

    static final SshTarget EXAMPLE = new SshTarget("pier", "example.com", 22);

    @Test
    void outsideACheckoutWithoutRemoteRunsLocallyAsTyped() throws Exception {
        Route route = Route.of(List.of("config:set", "blog", "K=V"), outside(), NO_MODEL);
        assertEquals(new Route(Optional.empty(), List.of("config:set", "blog", "K=V")), route);
    }

    @Test
    void remoteOptionSendsTheRestAsTyped() throws Exception {
        Route route = Route.of(List.of("--remote", "pier@example.com", "apps:list"), outside(), NO_MODEL);
        assertEquals(new Route(Optional.of(EXAMPLE), List.of("apps:list")), route);
        assertEquals(route, Route.of(List.of("--remote=pier@example.com", "apps:list"), outside(), NO_MODEL));
    }

    @Test
    void checkoutWithOnePierRemoteRunsThereWithItsApp() throws Exception {
        Path dir = checkout("origin", "git@github.com:org/blog.git", "pier", "pier@example.com:blog");
        assertEquals(new Route(Optional.of(EXAMPLE), List.of("config:set", "blog", "K=V")), route(dir, "config:set", "K=V"));
    }

    @Test
    void dokkuHabitOfTypingTheAppInItsCheckoutStillWorks() throws Exception {
        Path dir = checkout("pier", "pier@example.com:blog");
        assertEquals(List.of("config:set", "blog", "K=V"), route(dir, "config:set", "blog", "K=V").args());
    }

    @Test
    void appGoesBeforeOptionsAndTheirValues() throws Exception {
        Path dir = checkout("pier", "pier@example.com:blog");
        assertEquals(List.of("logs", "blog", "-n", "5", "-t"), route(dir, "logs", "-n", "5", "-t").args());
        assertEquals(List.of("config:set", "blog", "--no-restart", "K=V"), route(dir, "config:set", "--no-restart", "K=V").args());
    }

    @Test
    void anOptionValueIsNotTakenForTheAppButAFlagsNeighbourIs() throws Exception {
        Path dir = checkout("pier", "pier@example.com:blog");
        assertEquals(List.of("logs", "blog", "-n", "blog"), route(dir, "logs", "-n", "blog").args());
        assertEquals(List.of("logs", "-t", "blog"), route(dir, "logs", "-t", "blog").args());
    }

    @Test
    void globalStandsInForTheApp() throws Exception {
        Path dir = checkout("pier", "pier@example.com:blog");
        assertEquals(List.of("config:set", "--global", "K=V"), route(dir, "config:set", "--global", "K=V").args());
    }

    @Test
    void commandsWithoutAnAppAreSentAsTypedToTheCheckoutsServer() throws Exception {
        Path dir = checkout("pier", "pier@example.com:blog");
        assertEquals(new Route(Optional.of(EXAMPLE), List.of("apps")), route(dir, "apps"));
        assertEquals(List.of("ssh-keys:add", "bob"), route(dir, "ssh-keys:add", "bob").args());
        assertEquals(List.of("no-such-command", "x"), route(dir, "no-such-command", "x").args());
    }

    @Test
    void severalPierRemotesNeedRemoteName() throws Exception {
        Path dir = checkout("prod", "pier@prod.example.com:blog", "staging", "pier@staging.example.com:blog-staging");
        PierException e = assertThrows(PierException.class, () -> route(dir, "config:set", "K=V"));
        assertEquals(PierException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("--remote NAME"), e.getMessage());

        Route staging = route(dir, "--remote", "staging", "config:set", "K=V");
        assertEquals(new Route(Optional.of(new SshTarget("pier", "staging.example.com", 22)),
                List.of("config:set", "blog-staging", "K=V")), staging);
    }

    @Test
    void remoteNameThatIsNotAPierRemoteIsUsage() throws Exception {
        Path dir = checkout("origin", "git@github.com:org/blog.git");
        PierException e = assertThrows(PierException.class, () -> route(dir, "--remote", "origin", "apps"));
        assertEquals(PierException.USAGE, e.exitCode());
    }

    @Test
    void explicitServerInACheckoutTakesNoAppFromIt() throws Exception {
        Path dir = checkout("pier", "pier@example.com:blog");
        Route route = Route.of(List.of("--remote", "pier@other.example.com", "config:set", "K=V"), dir, NO_MODEL);
        assertEquals(List.of("config:set", "K=V"), route.args());
    }

    @Test
    void appOptionNamesTheAppRemotelyAndLocally() throws Exception {
        assertEquals(new Route(Optional.of(EXAMPLE), List.of("logs", "shop", "-t")),
                route(outside(), "--remote", "pier@example.com", "-a", "shop", "logs", "-t"));
        assertEquals(new Route(Optional.empty(), List.of("logs", "shop")), route(outside(), "--app=shop", "logs"));
        Path dir = checkout("pier", "pier@example.com:blog");
        assertEquals(List.of("logs", "shop"), route(dir, "-a", "shop", "logs").args());
    }

    @Test
    void appOptionOnACommandWithoutAppIsUsage() throws Exception {
        PierException e = assertThrows(PierException.class, () -> route(outside(), "-a", "blog", "apps:list"));
        assertEquals(PierException.USAGE, e.exitCode());
        assertThrows(PierException.class, () -> route(outside(), "-a", "blog", "config:set", "--global", "K=V"));
        assertThrows(PierException.class, () -> route(outside(), "-a", "Bad_Name", "logs"));
        assertThrows(PierException.class, () -> route(outside(), "-a", "blog"));
        assertThrows(PierException.class, () -> route(outside(), "--remote"));
    }

    @Test
    void optionsAfterTheCommandBelongToIt() throws Exception {
        Route route = Route.of(List.of("run", "--remote", "x", "-a", "y"), outside(), NO_MODEL);
        assertEquals(new Route(Optional.empty(), List.of("run", "--remote", "x", "-a", "y")), route);
    }

    @Test
    void hostOnlyCommandsAndHelpStayLocalInACheckout() throws Exception {
        Path dir = checkout("pier", "pier@example.com:blog");
        for (List<String> args : List.of(List.of("ssh-command", "--key", "k"), List.of("install"), List.of("--help"), List.<String>of())) {
            assertEquals(new Route(Optional.empty(), args), Route.of(args, dir, NO_MODEL), args.toString());
        }
    }
}
