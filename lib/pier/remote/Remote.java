package pier.remote;

//DEPS org.apache.sshd:sshd-core:2.20.0
//DEPS net.i2p.crypto:eddsa:0.3.0

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;
import pier.base.PierException;
import pier.base.SshWords;
import pier.base.Terminal;

/**
 * pier's CLI on a laptop: one command line run on a pier server over SSH, as {@code ssh pier@host CMD} would, with
 * the user's own keys and known_hosts. The server's forced command splits the line with {@link SshWords}, so the
 * words arrive exactly as typed; stdin goes up, stdout and stderr come back as they are written, and the exit code
 * is the server's. Nothing here reads or writes pier's state on this machine.
 */
public final class Remote {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    /** Long enough to type a key's passphrase, which is asked during authentication. */
    static final Duration AUTH_TIMEOUT = Duration.ofMinutes(2);
    /** Commands that want a terminal on the server when this one has one, as {@code ssh -t} gives. */
    static final Set<String> TERMINAL_COMMANDS = Set.of("enter");

    private Remote() {
    }

    /** Runs {@code words} on {@code target} with this process's stdio and the keys in {@code ~/.ssh}; returns the exit code. */
    public static int run(SshTarget target, List<String> words) {
        return run(target, words, sshDir(), System.in, new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err));
    }

    /** What a command run by {@link #capture} ended with, and what it wrote. */
    public record Captured(int exitCode, String out, String err) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The last non-blank line it wrote to stderr, else to stdout: what an error message quotes. */
        public String lastLine() {
            for (String text : List.of(err, out)) {
                List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
                if (!lines.isEmpty()) {
                    return lines.get(lines.size() - 1).strip();
                }
            }
            return "no output";
        }
    }

    /**
     * Runs {@code argv} on {@code target} (through its login shell, each word quoted) with {@code stdin}, the keys and
     * known_hosts in {@code sshDir}; what it wrote is kept, not shown. For pier driving another host it administers.
     */
    public static Captured capture(SshTarget target, List<String> argv, String stdin, Path sshDir) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = run(target, argv, sshDir, new java.io.ByteArrayInputStream(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                out, err);
        return new Captured(code, out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code $HOME/.ssh} of this process: the keys and known_hosts pier uses to reach another host. */
    public static Path userSshDir() {
        return sshDir();
    }

    /**
     * MINA SSHD registers Bouncy Castle as a JCE provider when it is on the class path (pier has it for certificates):
     * 900 classes from a signed jar, about 0.4 s of every laptop command. The JDK has every algorithm the client needs
     * but Ed25519 keys, which net.i2p's small EdDSA provider gives MINA instead. Set before MINA's security utilities
     * first load, and only in the laptop client.
     */
    static void withoutBouncyCastle() {
        if (System.getProperty(BC_ENABLED) == null) {
            System.setProperty(BC_ENABLED, "false");
        }
    }

    static final String BC_ENABLED = "org.apache.sshd.security.provider.BC.enabled";

    /** {@code $HOME/.ssh}: HOME first, as ssh users expect a changed HOME to be honoured (the JVM's user.home is not). */
    static Path sshDir() {
        String home = Optional.ofNullable(System.getenv("HOME")).filter(h -> !h.isBlank()).orElse(System.getProperty("user.home"));
        return Path.of(home, ".ssh");
    }

    static int run(SshTarget target, List<String> words, Path sshDir, InputStream in, OutputStream out, OutputStream err) {
        withoutBouncyCastle();
        String command = SshWords.join(words);
        UserKeys keys = UserKeys.in(sshDir);
        KnownHosts knownHosts = new KnownHosts(sshDir.resolve("known_hosts"));
        AtomicReference<KnownHosts.Verdict> verdict = new AtomicReference<>();
        AtomicReference<PublicKey> serverKey = new AtomicReference<>();

        SshClient client = SshClient.setUpDefaultClient();
        // Only what this class documents: no ~/.ssh/config, no password prompts, no agent.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        client.setKeyIdentityProvider(keys.provider());
        client.setSignatureFactories(preferring(client.getSignatureFactories(), knownHosts.keyTypes(target)));
        client.setServerKeyVerifier((session, address, key) -> {
            serverKey.set(key);
            verdict.set(knownHosts.check(target, key));
            return verdict.get() == KnownHosts.Verdict.KNOWN;
        });
        // logs -t may be quiet for hours: no idle limit, and a heartbeat so a NAT on the way keeps the connection.
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        CoreModuleProperties.NIO2_READ_TIMEOUT.set(client, Duration.ZERO);
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(30));
        client.start();
        try (ClientSession session = client.connect(target.user(), target.host(), target.port())
                .verify(CONNECT_TIMEOUT).getSession()) {
            session.auth().verify(AUTH_TIMEOUT);
            return exec(session, command, TERMINAL_COMMANDS.contains(words.isEmpty() ? "" : words.get(0)), in, out, err);
        } catch (IOException | RuntimeException e) {
            if (e instanceof PierException p) {
                throw p;
            }
            throw PierException.failed(why(e, target, verdict.get(), serverKey.get(), knownHosts, keys), e);
        } finally {
            client.stop();
        }
    }

    private static int exec(ClientSession session, String command, boolean wantsTerminal, InputStream in, OutputStream out,
                            OutputStream err) throws IOException {
        Optional<Terminal> terminal = wantsTerminal ? Terminal.raw() : Optional.empty();
        try (ChannelExec channel = session.createExecChannel(command, null, locale(System.getenv()))) {
            terminal.ifPresent(t -> {
                channel.setUsePty(true);
                channel.setPtyType(Optional.ofNullable(System.getenv("TERM")).orElse("xterm"));
                int[] size = t.size();
                if (size != null) {
                    channel.setPtyLines(size[0]);
                    channel.setPtyColumns(size[1]);
                }
            });
            channel.setIn(in);
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(CONNECT_TIMEOUT);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 0L);
            out.flush();
            err.flush();
            Integer status = channel.getExitStatus();
            if (status == null) {
                String signal = channel.getExitSignal();
                throw PierException.failed(signal != null ? "the command on the server was ended by SIG" + signal
                        : "the server closed the connection before the command finished");
            }
            return status;
        } finally {
            terminal.ifPresent(Terminal::close);
        }
    }

    /**
     * LANG and LC_*, sent as OpenSSH sends them by default (SendEnv LANG LC_* on Debian and macOS): the server's JVM
     * reads the command line and writes its output in that locale, so without it a UTF-8 value arrives mangled.
     */
    static Map<String, String> locale(Map<String, String> environment) {
        Map<String, String> sent = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.equals("LANG") || name.startsWith("LC_")) {
                sent.put(name, value);
            }
        });
        return sent;
    }

    /** The client's signature list with the host key types the user has accepted for this server first. */
    static List<NamedFactory<Signature>> preferring(List<NamedFactory<Signature>> factories, Set<String> keyTypes) {
        List<NamedFactory<Signature>> first = new ArrayList<>();
        List<NamedFactory<Signature>> rest = new ArrayList<>();
        for (NamedFactory<Signature> f : factories) {
            (keyTypes.contains(KeyUtils.getCanonicalKeyType(f.getName())) ? first : rest).add(f);
        }
        first.addAll(rest);
        return first;
    }

    /** One line saying what went wrong and what to do, from what the attempt got to. */
    private static String why(Exception e, SshTarget target, KnownHosts.Verdict verdict, PublicKey key, KnownHosts knownHosts,
                              UserKeys keys) {
        String fingerprint = key == null ? "" : " (" + KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key) + ")";
        if (verdict == KnownHosts.Verdict.UNKNOWN) {
            return "the host key of " + target.host() + fingerprint + " is not in " + knownHosts.file()
                    + ": check it and accept it once with " + target.sshCommand() + ", then run pier again";
        }
        if (verdict == KnownHosts.Verdict.CHANGED) {
            return "the host key of " + target.host() + " has CHANGED" + fingerprint + " from the one in " + knownHosts.file()
                    + ": someone may be intercepting the connection; if the server was reinstalled, remove the old key with"
                    + " ssh-keygen -R " + knownHostsName(target) + " and accept the new one with " + target.sshCommand();
        }
        if (verdict == KnownHosts.Verdict.REVOKED) {
            return "the host key of " + target.host() + fingerprint + " is marked @revoked in " + knownHosts.file()
                    + ": refusing to connect";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "cannot connect to " + target + ": unknown host " + target.host();
            }
            if (t instanceof ConnectException) {
                return "cannot connect to " + target + ": " + t.getMessage() + " (is sshd running on port " + target.port() + "?)";
            }
        }
        if (verdict == KnownHosts.Verdict.KNOWN && String.valueOf(e.getMessage()).contains("authentication methods")) {
            return target + " accepted none of your keys (" + keys.describe() + "): an admin adds yours on the server with"
                    + " pier ssh-keys:add NAME < your-key.pub";
        }
        return "cannot run the command on " + target + ": " + e.getMessage();
    }

    private static String knownHostsName(SshTarget target) {
        return target.port() == SshTarget.DEFAULT_PORT ? target.host() : "'[" + target.host() + "]:" + target.port() + "'";
    }
}
