package pier.remote;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pier.base.PierException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code --remote user@host[:port]}: what an admin types is read exactly, and anything else is a usage error. */
class SshTargetTest {
    @Test
    void userAndHostGivePort22() {
        assertEquals(new SshTarget("pier", "example.com", 22), SshTarget.parse("pier@example.com"));
    }

    @Test
    void portFollowsTheHost() {
        assertEquals(new SshTarget("pier", "10.0.0.5", 2222), SshTarget.parse("pier@10.0.0.5:2222"));
    }

    @Test
    void ipv6HostIsBracketed() {
        SshTarget target = SshTarget.parse("pier@[::1]:2222");
        assertEquals(new SshTarget("pier", "::1", 2222), target);
        assertEquals("pier@[::1]:2222", target.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pier@example.com", "deploy@host-1.example.com:2200", "pier@[2001:db8::1]"})
    void printsAsItWasTyped(String typed) {
        assertEquals(typed, SshTarget.parse(typed).toString());
    }

    @Test
    void sshCommandNamesThePortOnlyWhenNotDefault() {
        assertEquals("ssh pier@example.com", SshTarget.parse("pier@example.com").sshCommand());
        assertEquals("ssh -p 2222 pier@example.com", SshTarget.parse("pier@example.com:2222").sshCommand());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.com", "@example.com", "pier@", "pier@host:", "pier@host:0", "pier@host:65536",
            "pier@host:22x", "Pier@host", "pier@-oProxyCommand=id", "pier@host name", "pier@a@b", "pier@[::1",
            "pier@host:22:33", "pier;id@host", "pier@[example.com]"})
    void refusesAnythingElseAsUsage(String typed) {
        PierException e = assertThrows(PierException.class, () -> SshTarget.parse(typed));
        assertEquals(PierException.USAGE, e.exitCode());
    }
}
