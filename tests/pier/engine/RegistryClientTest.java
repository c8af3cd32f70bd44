package pier.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pier.FakeRegistry;
import pier.apps.CertificatePair;
import pier.base.PierException;

/** pier's client of the cluster's registry, against a registry over HTTPS in this process. */
class RegistryClientTest {
    static final String PASSWORD = "s3cret";
    FakeRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = new FakeRegistry(PASSWORD)
                .tag("pier/blog", "v1", FakeRegistry.digest('1'))
                .tag("pier/blog", "v2", FakeRegistry.digest('2'))
                .tag("pier/blog", "v3", FakeRegistry.digest('2'));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    RegistryClient client() {
        return new RegistryClient(registry.base(), registry.certificatePem(), PASSWORD);
    }

    @Test
    void tagsDigestsAndDeletesGoOverThePinnedCertificateAsPiersAccount() {
        RegistryClient client = client();
        assertEquals(List.of("v1", "v2", "v3"), client.tags("pier/blog"));
        assertEquals(Optional.of(FakeRegistry.digest('2')), client.digest("pier/blog", "v3"));
        assertTrue(client.delete("pier/blog", FakeRegistry.digest('1')));
        assertEquals(List.of("pier/blog@" + FakeRegistry.digest('1')), registry.deletes());
        assertEquals(List.of("v2", "v3"), client.tags("pier/blog"));
        assertEquals(List.of("GET /v2/pier/blog/tags/list", "HEAD /v2/pier/blog/manifests/v3",
                "DELETE /v2/pier/blog/manifests/" + FakeRegistry.digest('1'), "GET /v2/pier/blog/tags/list"), registry.requests(),
                "and each passed the registry's check of pier's account");
    }

    @Test
    void aDigestIsAskedForWithEveryKindOfManifestAPushStores() {
        client().digest("pier/blog", "v1");
        String accept = registry.accepts().get(0);
        for (String type : List.of("application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.index.v1+json")) {
            assertTrue(accept.contains(type), accept);
        }
    }

    @Test
    void anUnknownRepositoryHasNoTagsAndAnUnknownTagNoDigest() {
        assertEquals(List.of(), client().tags("pier/gone"));
        assertEquals(Optional.empty(), client().digest("pier/blog", "v9"));
    }

    @Test
    void deletingAManifestThatIsGoneIsNoError() {
        assertFalse(client().delete("pier/blog", FakeRegistry.digest('9')));
        assertEquals(List.of(), registry.deletes());
    }

    @Test
    void theCatalogIsReadPageByPage() {
        registry.tag("pier/api", "v1", FakeRegistry.digest('a')).tag("pier/shop", "v4", FakeRegistry.digest('b'));
        registry.catalogPage(2);
        assertEquals(List.of("pier/api", "pier/blog", "pier/shop"), client().repositories());
        assertEquals(2, registry.requests().stream().filter(r -> r.startsWith("GET /v2/_catalog")).count());
    }

    @Test
    void aWrongPasswordIsOneLineSayingWhatToDo() {
        PierException e = assertThrows(PierException.class,
                () -> new RegistryClient(registry.base(), registry.certificatePem(), "wrong").tags("pier/blog"));
        assertTrue(e.getMessage().contains("refused pier's account") && e.getMessage().contains("nodes:add"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aServerWithAnotherCertificateIsRefusedBeforeAnythingIsSent() {
        String other = CertificatePair.selfSignedForAddress("127.0.0.1", Instant.now(), Duration.ofDays(1)).chainPem();
        PierException e = assertThrows(PierException.class,
                () -> new RegistryClient(registry.base(), other, PASSWORD).tags("pier/blog"));
        assertTrue(e.getMessage().contains("did not present the certificate in " + Registry.CERTIFICATE), e.getMessage());
        assertEquals(List.of(), registry.requests(), "no request, so no password, reached it");
    }

    @Test
    void aRegistryThatIsDownFailsAtOnceAndOneThatStallsWithinItsTimeout() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        PierException down = assertThrows(PierException.class,
                () -> new RegistryClient(URI.create("https://127.0.0.1:" + closed), registry.certificatePem(), PASSWORD).tags("pier/blog"));
        assertTrue(down.getMessage().contains("does not answer") && down.getMessage().contains("pier install --boot"),
                down.getMessage());

        // Accepts the connection, then says nothing: not even the TLS handshake.
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    held.add(silent.accept());
                } catch (java.io.IOException e) {
                    // Closed by the test.
                }
            });
            acceptor.start();
            long t0 = System.nanoTime();
            PierException stalled = assertThrows(PierException.class, () -> new RegistryClient(URI.create("https://127.0.0.1:"
                    + silent.getLocalPort()), registry.certificatePem(), PASSWORD).tags("pier/blog"));
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited < RegistryClient.TIMEOUT.toMillis() + 3000, "waited " + waited + " ms");
            assertTrue(stalled.getMessage().contains("does not answer"), stalled.getMessage());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void theRegistrysAnswersAreReadAsTheApiWritesThem() {
        assertEquals(List.of("v1", "v10"), RegistryClient.tagsOf("{\"name\":\"pier/blog\",\"tags\":[\"v1\",\"v10\"]}"));
        assertEquals(List.of(), RegistryClient.tagsOf("{\"name\":\"pier/blog\",\"tags\":null}"), "every tag deleted");
        assertEquals(List.of("pier/blog", "library/x"), RegistryClient.repositoriesOf("{\"repositories\":[\"pier/blog\",\"library/x\"]}"));
        assertEquals(Optional.of("NAME_UNKNOWN"), RegistryClient.errorCode("{\"errors\":[{\"code\":\"NAME_UNKNOWN\","
                + "\"message\":\"repository name not known to registry\",\"detail\":{\"name\":\"pier/gone\"}}]}"));
        assertEquals(Optional.empty(), RegistryClient.errorCode("404 page not found\n"));
        assertEquals(Optional.empty(), RegistryClient.errorCode("{\"errors\":[]}"));
    }

    @Test
    void theNextCatalogPageIsFollowedOnThisRegistryOnly() {
        assertEquals(Optional.of("/v2/_catalog?last=pier%2Fblog&n=1000"),
                RegistryClient.next("</v2/_catalog?last=pier%2Fblog&n=1000>; rel=\"next\""));
        assertEquals(Optional.empty(), RegistryClient.next(""));
        assertEquals(Optional.empty(), RegistryClient.next("<https://elsewhere.example/v2/_catalog?n=1>; rel=\"next\""),
                "the password never goes to a host a header names");
        assertEquals(Optional.empty(), RegistryClient.next("</v2/_catalog?n=1>; rel=\"prev\""));
    }

    @Test
    void aDigestThatIsNotOneIsNeverPutInAPath() {
        assertThrows(IllegalArgumentException.class, () -> client().delete("pier/blog", "v1/../../x"));
        assertEquals(List.of(), registry.requests());
        assertEquals(FakeRegistry.digest('1'), registry.tags("pier/blog").get("v1"));
    }
}
