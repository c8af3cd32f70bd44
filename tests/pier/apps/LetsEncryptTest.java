package pier.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.state.PierHome;
import pier.state.Settings;

/** When a certificate is renewed, and what letsencrypt:set takes. */
class LetsEncryptTest {
    static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void aNinetyDayCertificateIsRenewedWithThirtyDaysLeft() {
        assertEquals(Instant.parse("2026-03-02T00:00:00Z"),
                LetsEncrypt.renewAt(ISSUED, ISSUED.plus(Duration.ofDays(90)), Duration.ofDays(7)));
    }

    @Test
    void aShortLivedCertificateIsRenewedNoLaterThanTheSettingBeforeExpiry() {
        Instant expires = ISSUED.plus(Duration.ofDays(6));
        assertEquals(expires.minus(Duration.ofDays(2)), LetsEncrypt.renewAt(ISSUED, expires, Duration.ofHours(36)),
                "a third (2 days) comes first");
        assertEquals(expires.minus(Duration.ofDays(3)), LetsEncrypt.renewAt(ISSUED, expires, Duration.ofDays(3)),
                "the setting (3 days) comes first");
    }

    @Test
    void renewBeforeTakesDaysOrHoursAndRefusesAnythingElse() {
        assertEquals(Duration.ofDays(14), LetsEncrypt.duration("14d"));
        assertEquals(Duration.ofHours(36), LetsEncrypt.duration("36h"));
        for (String bad : List.of("", "7", "7 d", "-1d", "1w", "99999d")) {
            assertThrows(PierException.class, () -> LetsEncrypt.duration(bad), bad);
        }
    }

    @Test
    void aBadSettingIsRefusedAndStagingAndProductionNameLetsEncryptsServers() throws IOException {
        PierHome home = new PierHome(Files.createDirectories(tmp.resolve("home")));
        LetsEncrypt le = new LetsEncrypt(home, null);
        for (String[] bad : List.of(new String[] {"email", "not an address"}, new String[] {"server", "http://plain.example/dir"},
                new String[] {"server-ca", tmp.resolve("missing.pem").toString()}, new String[] {"renew-before", "soon"},
                new String[] {"colour", "blue"})) {
            PierException e = assertThrows(PierException.class, () -> le.set(bad[0], bad[1]), bad[0]);
            assertEquals(PierException.USAGE, e.exitCode(), e.getMessage());
        }
        assertEquals(List.of(), new Settings(home).list(LetsEncrypt.SERVER), "nothing stored");
        le.set("server", "staging");
        assertEquals(LetsEncrypt.STAGING, le.server());
        le.set("server", null);
        assertEquals(LetsEncrypt.PRODUCTION, le.server());
        le.set("renew-before", "10d");
        assertEquals(Duration.ofDays(10), le.renewBefore());
    }
}
