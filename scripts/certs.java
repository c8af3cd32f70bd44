///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/pier/**.java
package pier.cli;

import static pier.access.Access.Scope.APP;
import static pier.access.Access.Scope.SERVER;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pier.access.Actor;
import pier.access.Rule;
import pier.apps.Certificates;
import pier.apps.LetsEncrypt;
import pier.base.Progress;
import pier.install.Installer;
import pier.base.PierException;
import pier.base.Tar;
import pier.names.AppName;
import pier.names.Domain;

/**
 * pier's certificate commands (Dokku's names): HTTPS for an app's names with its own certificate, a self-signed one,
 * or the server's global one. Each is an app command a developer may run on its app; {@code --global} makes one
 * server-wide, for admins (the gate reads no APP then).
 */
@Command(name = "certs", description = "Serve apps over HTTPS with their own certificates.", mixinStandardHelpOptions = true,
        subcommands = {certs.Report.class, certs.Add.class, certs.Generate.class, certs.Remove.class, certs.Set.class,
                certs.LeEnable.class, certs.LeDisable.class, certs.LeRenew.class, certs.LeList.class, certs.LeSet.class})
public class certs {
    public static void main(String... args) {
        System.exit(Cli.execute(certs::new, args));
    }

    static String names(List<Domain> domains) {
        return String.join(" ", domains.stream().map(Domain::value).toList());
    }

    static void installed(PrintWriter out, String what, Certificates.Installed installed) {
        out.println("-----> " + what + " (serial " + installed.serial() + ")");
        installed.uncovered().forEach(d -> out.println(" !     " + d + " is not covered by the certificate: it stays plain HTTP"));
        installed.skipped().forEach(app -> out.println(" !     kept its site as it was: " + app));
        out.println(installed.sitesChanged() > 0 ? "       Nginx reloaded (nothing restarted); HTTPS for " + names(installed.served())
                : "       stored; it is served once the app is deployed");
    }

    @Command(name = "certs:report", description = "Show the certificate that serves an app: source, issuer, names, expiry.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = false)
    static class Report extends AppReport {
        protected int report(AppName name) {
            Certificates.Report r = pier().certificates().report(name);
            if (format.json()) {
                format.print(new Json(name.value(), r.source(), r.issuer().orElse(null), r.names(),
                        r.notAfter().map(Instant::toString).orElse(null), r.serial().orElse(null),
                        r.https().stream().map(Domain::value).toList(), r.redirect(), r.hsts()));
                return 0;
            }
            PrintWriter out = out();
            out.println("=====> " + name + " certificate");
            out.println("source:     " + r.source());
            r.issuer().ifPresent(i -> out.println("issuer:     " + i));
            if (!r.names().isEmpty()) {
                out.println("names:      " + String.join(" ", r.names()));
            }
            r.notAfter().ifPresent(t -> out.println("not after:  " + t));
            r.serial().ifPresent(s -> out.println("serial:     " + s));
            out.println("https:      " + (r.https().isEmpty() ? "(none: plain HTTP only)" : names(r.https())));
            out.println("redirect:   " + (r.redirect() ? "on" : "off"));
            out.println("hsts:       " + (r.hsts() ? "on" : "off"));
            return 0;
        }

        record Json(String app, String source, String issuer, List<String> names, String notAfter, String serial,
                    List<String> https, boolean redirect, boolean hsts) {
        }
    }

    @Command(name = "certs:add", description = "Serve an app over HTTPS with a certificate chain (CRT, server's first) and "
            + "its key (KEY); without CRT KEY, a tar holding server.crt and server.key on stdin. With --global, the "
            + "certificate of every app it covers that has none of its own.",
            customSynopsis = {"pier certs:add [-hV] APP [CRT KEY]", "pier certs:add [-hV] --global [CRT KEY]"},
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Add extends PierCommand implements InvokerFiles.ReadsFiles {
        @Option(names = "--global", description = "the server's certificate (e.g. for *.GLOBAL), for admins")
        boolean global;
        // One list, labelled APP so the gate finds the app in its first word (none with --global).
        @Parameters(paramLabel = "APP", arity = "0..3", description = "APP CRT KEY, APP (a tar on stdin), --global CRT KEY")
        List<String> words = List.of();

        protected int run() {
            Map<String, String> pair = files();
            String chain = pair.get(Certificates.CHAIN);
            String key = pair.get(Certificates.KEY);
            if (global) {
                installed(out(), "Added the global certificate", pier().certificates().addGlobal(chain, key));
            } else {
                AppName app = AppName.of(words.get(0));
                installed(out(), "Added a certificate to " + app, pier().certificates().add(app, chain, key));
            }
            return 0;
        }

        private List<String> fileNames() {
            int first = global ? 0 : 1;
            if (!global && words.isEmpty()) {
                throw PierException.usage("give the app: pier certs:add APP [CRT KEY]");
            }
            List<String> rest = words.subList(first, words.size());
            if (!rest.isEmpty() && rest.size() != 2) {
                throw PierException.usage("give both files, CRT then KEY, or neither (a tar on stdin)");
            }
            return rest;
        }

        /** server.crt and server.key: from the files named, else from the tar on stdin. */
        private Map<String, String> files() {
            List<String> named = fileNames();
            Map<String, String> found = new LinkedHashMap<>();
            if (!named.isEmpty() && !actor().equals(Actor.LOCAL)) {
                // Over SSH a path would be opened on the server as pier, whose files include every app's keys.
                throw PierException.usage("over SSH, give the pair as a tar on stdin: tar cf - server.crt server.key | "
                        + "ssh pier@HOST certs:add " + (global ? "--global" : words.get(0)));
            }
            if (!named.isEmpty()) {
                found.put(Certificates.CHAIN, InvokerFiles.read(Path.of(named.get(0))));
                found.put(Certificates.KEY, InvokerFiles.read(Path.of(named.get(1))));
                return found;
            }
            try {
                Tar.read(System.in, InvokerFiles.MAX_BYTES).forEach((name, bytes) -> found.put(name, new String(bytes, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw PierException.failed("cannot read stdin: " + e.getMessage(), e);
            }
            if (!found.containsKey(Certificates.CHAIN) || !found.containsKey(Certificates.KEY)) {
                throw PierException.usage("stdin holds no tar of server.crt and server.key (tar cf - server.crt server.key |"
                        + " ssh pier@HOST certs:add APP), nor were CRT and KEY given");
            }
            return found;
        }

        @Override
        public List<String> fileWords() {
            try {
                return fileNames();
            } catch (PierException e) {
                return List.of();
            }
        }

        /** Root reads CRT and KEY; the pier side gets them as the tar it also takes over SSH. */
        @Override
        public String handOver(List<String> contents) {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put(Certificates.CHAIN, contents.get(0).getBytes(StandardCharsets.UTF_8));
            files.put(Certificates.KEY, contents.get(1).getBytes(StandardCharsets.UTF_8));
            return new String(Tar.write(files), StandardCharsets.UTF_8);
        }
    }

    @Command(name = "certs:generate", description = "Serve an app over HTTPS with a new self-signed certificate for all its names.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Generate extends PierCommand {
        @Mixin
        AppMixin app;

        protected int run() {
            installed(out(), "Generated a self-signed certificate for " + app.app(), pier().certificates().generate(app.app()));
            return 0;
        }
    }

    @Command(name = "certs:remove", description = "Stop serving an app with its own certificate (or, with --global, the "
            + "server's): back to plain HTTP, or the global certificate where it covers the app.",
            customSynopsis = {"pier certs:remove [-hV] APP", "pier certs:remove [-hV] --global"}, mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Remove extends PierCommand {
        @Option(names = "--global", description = "the server's certificate, for admins")
        boolean global;
        @Parameters(index = "0", arity = "0..1", paramLabel = "APP", converter = AppMixin.Converter.class)
        AppName app;

        protected int run() {
            if (global == (app != null)) {
                throw PierException.usage("give an APP or --global");
            }
            boolean removed;
            if (global) {
                java.util.Optional<List<String>> skipped = pier().certificates().removeGlobal();
                skipped.ifPresent(apps -> apps.forEach(a -> out().println(" !     kept its site as it was: " + a)));
                removed = skipped.isPresent();
            } else {
                removed = pier().certificates().remove(app);
            }
            String whose = global ? "the server" : app.toString();
            out().println(removed ? "-----> Removed the certificate of " + whose + "; Nginx reloaded (nothing restarted)"
                    : "-----> " + whose + " has no certificate of its own; nothing to change");
            return 0;
        }
    }

    @Command(name = "certs:set", description = "HTTPS settings of an app: redirect (plain HTTP answers 301 to HTTPS; "
            + "default on) and hsts (Strict-Transport-Security; default off).", mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class Set extends PierCommand {
        @Mixin
        AppMixin app;
        @Parameters(index = "1", paramLabel = "SETTING", description = "redirect or hsts")
        String setting;
        @Parameters(index = "2", paramLabel = "VALUE", description = "on or off")
        String value;

        protected int run() {
            boolean on = Certificates.onOff(value);
            boolean changed = pier().certificates().set(app.app(), setting, on);
            out().println("-----> " + setting + " is " + (on ? "on" : "off") + " for " + app.app()
                    + (changed ? "" : " already; nothing to change"));
            return 0;
        }
    }

    static void issued(Progress progress, LetsEncrypt.Outcome o) {
        progress.step(o.app() + ": certificate " + o.serial() + " for " + names(o.names())
                + (o.failed().isEmpty() ? "" : "; left out: " + names(List.copyOf(o.failed().keySet()))));
    }

    @Command(name = "letsencrypt:enable", description = {"Get a Let's Encrypt certificate for all of APP's names now, and"
            + " renew it from then on (the host's daily trigger runs letsencrypt:renew). A name that cannot be proved is"
            + " reported by name and left out; the others are issued.", "Set an email first: pier letsencrypt:set email"
            + " you@example.com"}, mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class LeEnable extends PierCommand {
        @Mixin
        AppMixin app;

        protected int run() {
            Progress progress = progress();
            LetsEncrypt.Outcome o = pier().letsEncrypt().enable(app.app(), progress);
            issued(progress, o);
            return o.failed().isEmpty() ? 0 : PierException.FAILED;
        }
    }

    @Command(name = "letsencrypt:disable", description = "Stop renewing APP's Let's Encrypt certificate and stop serving it.",
            mixinStandardHelpOptions = true)
    @Rule(scope = APP, changes = true)
    static class LeDisable extends PierCommand {
        @Mixin
        AppMixin app;

        protected int run() {
            boolean changed = pier().letsEncrypt().disable(app.app());
            out().println(changed ? "Let's Encrypt is off for " + app.app() + "; its certificate is no longer served"
                    : "Already: Let's Encrypt is not enabled for " + app.app());
            return 0;
        }
    }

    @Command(name = "letsencrypt:renew", description = {"Renew APP's certificate now; without APP, every certificate that"
            + " is due (what the daily trigger runs). Each renewal is checked as served by Nginx."},
            mixinStandardHelpOptions = true)
    // Without an APP it is server-wide, so for admin keys only.
    @Rule(scope = APP, changes = true)
    static class LeRenew extends PierCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "APP", converter = AppMixin.Converter.class)
        AppName app;

        protected int run() {
            Progress progress = progress();
            if (app != null) {
                issued(progress, pier().letsEncrypt().renew(app, progress));
                return 0;
            }
            List<String> done = pier().letsEncrypt().renewDue(Instant.now(), progress);
            done.forEach(line -> out().println(line));
            if (done.isEmpty()) {
                out().println("No certificate is due for renewal");
            }
            return done.stream().anyMatch(l -> l.contains(": failed: ")) ? PierException.FAILED : 0;
        }
    }

    @Command(name = "letsencrypt:list", description = "Each app with Let's Encrypt: its certificate's expiry, its next"
            + " renewal and the last error; warns when the daily renewal trigger is missing.", mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = false)
    static class LeList extends PierCommand {
        @Mixin
        FormatMixin format;

        /** Times as ISO-8601 text, as certs:report shows them. */
        record Row(String app, String serial, String expires, String renews, String lastError) {
        }

        protected int run() {
            LetsEncrypt le = pier().letsEncrypt();
            List<Row> rows = le.enabled().stream().map(a -> {
                LetsEncrypt.State s = le.state(a);
                return new Row(a.value(), s.serial().orElse(null), s.notAfter().map(Instant::toString).orElse(null),
                        s.renewAt(le.renewBefore()).map(Instant::toString).orElse(null), s.lastError().orElse(null));
            }).toList();
            java.util.Optional<String> missing = Installer.renewalTriggerMissing();
            if (format.json()) {
                format.print(Map.of("apps", rows, "trigger", missing.map(m -> "missing: " + m).orElse("ok")));
                return 0;
            }
            PrintWriter out = out();
            out.println("=====> Let's Encrypt (" + le.server() + ")");
            out.println(String.format("%-24s %-22s %-22s %s", "APP", "EXPIRES", "RENEWS", "LAST ERROR"));
            rows.forEach(r -> out.println(String.format("%-24s %-22s %-22s %s", r.app(), r.expires() == null ? "-" : r.expires(),
                    r.renews() == null ? "-" : r.renews(), r.lastError() == null ? "-" : r.lastError())));
            missing.ifPresent(m -> err().println(" !     renewals will not run: " + m + "; run the installer again (pier install)"));
            return 0;
        }
    }

    @Command(name = "letsencrypt:set", description = {"Set KEY (without VALUE: back to its default): email (the account's"
            + " contact), server (production, staging or an ACME directory URL), server-ca (a PEM CA file to trust for"
            + " that server's HTTPS), renew-before (renew no later than this before expiry: 7d)."},
            mixinStandardHelpOptions = true)
    @Rule(scope = SERVER, changes = true)
    static class LeSet extends PierCommand {
        @Parameters(index = "0", paramLabel = "KEY", description = "email, server, server-ca or renew-before")
        String key;
        @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE")
        String value;

        protected int run() {
            pier().letsEncrypt().set(key, value);
            out().println("Set letsencrypt " + key + (value == null ? " to its default" : " to " + value));
            return 0;
        }
    }
}
