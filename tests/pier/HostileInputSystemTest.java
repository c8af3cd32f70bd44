package pier;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pier.SystemHost.Result;
import pier.base.Shown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile values in every kind of name pier takes (app, volume, domain, config key, container path, buildpack,
 * base image, process type, release), fed to the commands that take them: in-process through the same command
 * line the CLI runs, over real SSH and through the installed CLI. Each must end with exit 2 and one {@code error:} line, and nothing under
 * /var/lib/pier or /etc/nginx may change; {@code nginx -t} must still pass.
 */
class HostileInputSystemTest {
    static final String APP = "hostile";
    static final String VOLUME = "hostile-vol";
    static Path key;

    @BeforeAll
    static void prepare() throws IOException {
        key = SystemHost.installWithAdminKey("pier.test");
        if (!SystemHost.pier("apps:list").output().lines().anyMatch(APP::equals)) {
            assertEquals(0, SystemHost.pier("apps:create", APP).code());
        }
        SystemHost.pier("volume:create", VOLUME, "/data");
    }

    /** Values no name rule may accept: each carries Nginx or shell syntax, a control byte, a path or an odd length. */
    static List<String> corpus() {
        List<String> values = new ArrayList<>();
        for (String c : List.of(" ", ";", "{", "}", "#", "'", "\"", "`", "$", "(", ")", "\n", "\r", "\t", "\0", "|", "&",
                "<", ">", "\\", "%", "~", "^", "\u00a0", "\u2028", "\u001b[31m")) {
            values.add("a" + c + "b");
        }
        values.addAll(List.of("a.com; return 200", "x { return 200; }", "a.com #", "$(id)", "`id`", "${HOME}",
                "../etc/passwd", "../../x", "..", ".", "", " ", "a\nserver_name evil.com", "ok\0", "\0",
                "x".repeat(300), "-rf", "a b c", "*", "'; drop table apps; --", "\u0430pp;"));
        return values;
    }

    /** One command template per kind of name; {@code %s} stands for the hostile value. */
    static Map<String, List<Function<String, List<String>>>> commandsByKind() {
        Map<String, List<Function<String, List<String>>>> kinds = new TreeMap<>();
        kinds.put("app", List.of(v -> List.of("apps:create", v), v -> List.of("apps:info", v),
                v -> List.of("config:set", v, "A=1"), v -> List.of("domains:add", v, "ok.pier.test"),
                v -> List.of("apps:destroy", v, "--force"), v -> List.of("builder:set", v, "static"),
                v -> List.of("ps", v), v -> List.of("ps:scale", v, "web=1"),
                v -> List.of("ps:stop", v), v -> List.of("logs", v), v -> List.of("run", v, "true"),
                v -> List.of("releases", v), v -> List.of("releases:rollback", v)));
        kinds.put("domain", List.of(v -> List.of("domains:add", APP, v), v -> List.of("domains:set-global", v)));
        kinds.put("config key", List.of(v -> List.of("config:set", APP, v + "=1"), v -> List.of("config:unset", APP, v)));
        kinds.put("volume", List.of(v -> List.of("volume:create", v, "/data"), v -> List.of("volume:link", APP, v)));
        kinds.put("container path", List.of(v -> List.of("volume:create", "ok-vol", v)));
        kinds.put("buildpack", List.of(v -> List.of("builder:set", APP, v)));
        kinds.put("image", List.of(v -> List.of("builder:base", v)));
        kinds.put("process type", List.of(v -> List.of("ps:scale", APP, v + "=1"), v -> List.of("logs", APP, "--process", v),
                v -> List.of("enter", APP, v)));
        kinds.put("release", List.of(v -> List.of("releases:rollback", APP, v)));
        return kinds;
    }

    @Test
    void everyHostileValueIsRefusedWithUsageAndChangesNothing() throws Exception {
        Map<String, String> before = SystemHost.snapshot();
        List<String> problems = new ArrayList<>();
        int fed = 0;
        for (var kind : commandsByKind().entrySet()) {
            for (String value : corpus()) {
                if (kind.getKey().equals("container path") && value.startsWith("/") && !value.contains("..")) {
                    continue;
                }
                for (var command : kind.getValue()) {
                    List<String> args = command.apply(value);
                    StringWriter out = new StringWriter();
                    StringWriter err = new StringWriter();
                    int code = pier.cli.pier.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
                    fed++;
                    check(kind.getKey(), args, code, err.toString(), problems);
                }
            }
        }
        assertEquals(List.of(), problems, problems.size() + " of " + fed + " hostile inputs were not refused cleanly");
        assertTrue(fed >= 150, "only " + fed + " inputs fed");
        assertUnchanged(before);
    }

    @Test
    void hostileValuesOverSshAndThroughTheInstalledCliAreRefusedTheSameWay() throws Exception {
        Map<String, String> before = SystemHost.snapshot();
        List<String> problems = new ArrayList<>();
        List<String> sample = corpus().stream().filter(v -> v.indexOf('\0') < 0).limit(16).toList();
        for (String value : sample) {
            for (List<String> args : List.of(List.of("apps:create", value), List.of("domains:add", APP, value),
                    List.of("config:set", APP, value + "=1"))) {
                String remote = String.join(" ", args.stream().map(HostileInputSystemTest::shellQuote).toList());
                Result ssh = SystemHost.run(null, Map.of(), null, "ssh", "-i", key.toString(), "-o", "IdentitiesOnly=yes",
                        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                        "-o", "BatchMode=yes", "pier@localhost", remote);
                check("ssh", args, ssh.code(), ssh.output(), problems);
            }
            Result local = SystemHost.pier("apps:create", value);
            check("local cli", List.of("apps:create", value), local.code(), local.output(), problems);
        }
        assertEquals(List.of(), problems);
        assertUnchanged(before);
    }

    private static void check(String kind, List<String> args, int code, String err, List<String> problems) {
        String shown = kind + " " + args.stream().map(Shown::quote).toList();
        List<String> lines = err.strip().lines().toList();
        if (code != 2) {
            problems.add(shown + ": exit " + code + ", " + err.strip());
        } else if (lines.size() != 1 || !lines.get(0).startsWith("error: ")) {
            problems.add(shown + ": not one error line: " + err);
        } else if (!lines.get(0).matches(".*([:;] use |expected|must|allowed|not available|too long|unterminated|lone backslash"
                + "|Unknown option|Missing required|give ).*")) {
            problems.add(shown + ": the error does not say what is allowed: " + lines.get(0));
        }
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void assertUnchanged(Map<String, String> before) throws Exception {
        Map<String, String> after = SystemHost.snapshot();
        assertEquals(before, after, "files under /var/lib/pier or /etc/nginx changed");
        Result test = SystemHost.run("/usr/sbin/nginx", "-t", "-q");
        assertEquals(0, test.code(), test.output());
    }
}
