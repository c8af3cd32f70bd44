package pier.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pier.base.PierException;
import pier.engine.Nginx;
import pier.names.AppName;
import pier.state.PierHome;

class ProxySettingsTest {
    private static final Nginx.Proxying D = Nginx.Proxying.DEFAULT;

    @Test
    void eachKeyChangesItsOwnSettingAndAnEmptyValueResetsIt() {
        Nginx.Proxying s = ProxySettings.with(D, "client-max-body-size", "50M");
        s = ProxySettings.with(s, "proxy-read-timeout", "120");
        s = ProxySettings.with(s, "proxy-send-timeout", "30s");
        s = ProxySettings.with(s, "proxy-buffering", "off");
        assertEquals(new Nginx.Proxying("50m", "120s", "30s", false), s);
        assertEquals(new Nginx.Proxying("20m", "120s", "30s", false), ProxySettings.with(s, "client-max-body-size", ""));
    }

    @ParameterizedTest
    @CsvSource({"client-max-body-size,0", "client-max-body-size,50mb", "client-max-body-size,'1m; root /'",
            "client-max-body-size,9999g", "proxy-read-timeout,0", "proxy-read-timeout,3601", "proxy-send-timeout,1m",
            "proxy-buffering,yes", "proxy_buffering,on", "worker_processes,1"})
    void aValueNginxShouldNotSeeIsRefused(String key, String value) {
        PierException e = assertThrows(PierException.class, () -> ProxySettings.with(D, key, value));
        assertEquals(PierException.USAGE, e.exitCode());
        assertTrue(e.getMessage().startsWith("invalid ") || e.getMessage().startsWith("unknown setting"), e.getMessage());
    }

    @Test
    void aDamagedSettingsFileIsAnErrorNamingIt(@TempDir Path tmp) throws Exception {
        PierHome home = new PierHome(tmp);
        AppName app = AppName.of("blog");
        Files.createDirectories(home.app(app));
        Files.writeString(home.app(app).resolve("nginx"), "client-max-body-size=1m;evil\n");
        PierException e = assertThrows(PierException.class, () -> ProxySettings.read(home, app));
        assertTrue(e.getMessage().startsWith("cannot read " + home.app(app).resolve("nginx")), e.getMessage());
        Files.writeString(home.app(app).resolve("nginx"), "proxy-buffering=off\n");
        assertEquals(new Nginx.Proxying("20m", "60s", "60s", false), ProxySettings.read(home, app));
    }
}
