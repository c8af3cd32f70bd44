package pier.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import pier.TestPki;
import pier.TestPki.Issued;
import pier.base.PierException;
import pier.names.Domain;

/** Each rule a certificate pair passes before pier stores it, one test each, and the message that names it. */
class CertificatePairTest {
    static final Issued CA = TestPki.ca("Test Root");
    static final Issued INTERMEDIATE = TestPki.issue(CA, TestPki.ec(), "Test Intermediate", List.of(),
            Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(1000)), true);
    static final List<Domain> BLOG = List.of(Domain.of("blog.pier.test"), Domain.of("www.blog.example"));

    static String message(Runnable r) {
        return assertThrows(PierException.class, r::run).getMessage();
    }

    @Test
    void anEcKeyInPkcs8OrSec1FormMatchesItsCertificate() {
        Issued leaf = TestPki.server(CA, List.of("blog.pier.test"));
        assertEquals(List.of("blog.pier.test"), CertificatePair.parse(leaf.certificatePem(), leaf.keyPem()).names());
        assertTrue(leaf.traditionalKeyPem().contains("BEGIN EC PRIVATE KEY"));
        CertificatePair.parse(leaf.certificatePem(), leaf.traditionalKeyPem());
    }

    @Test
    void anRsaKeyInPkcs1OrPkcs8FormMatchesItsCertificate() {
        Issued leaf = TestPki.issue(CA, TestPki.rsa(), "blog.pier.test", List.of("blog.pier.test"),
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)), false);
        assertTrue(leaf.traditionalKeyPem().contains("BEGIN RSA PRIVATE KEY"));
        CertificatePair.parse(leaf.certificatePem(), leaf.traditionalKeyPem());
        CertificatePair.parse(leaf.certificatePem(), leaf.keyPem());
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        Issued leaf = TestPki.server(CA, List.of("blog.pier.test"));
        Issued other = TestPki.server(CA, List.of("blog.pier.test"));
        String m = message(() -> CertificatePair.parse(leaf.certificatePem(), other.keyPem()));
        assertTrue(m.startsWith("the key does not match the certificate"), m);
        Issued rsa = TestPki.issue(CA, TestPki.rsa(), "x", List.of("blog.pier.test"), Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(1)), false);
        assertTrue(message(() -> CertificatePair.parse(leaf.certificatePem(), rsa.keyPem())).startsWith("the key does not match"));
    }

    @Test
    void aChainInOrderIsTakenAndOneOutOfOrderIsRefused() {
        Issued leaf = TestPki.server(INTERMEDIATE, List.of("blog.pier.test"));
        CertificatePair ok = CertificatePair.parse(leaf.certificatePem() + INTERMEDIATE.certificatePem() + CA.certificatePem(), leaf.keyPem());
        assertEquals(3, ok.chain().size());
        String m = message(() -> CertificatePair.parse(leaf.certificatePem() + CA.certificatePem() + INTERMEDIATE.certificatePem(),
                leaf.keyPem()));
        assertTrue(m.startsWith("the chain is out of order: certificate 2 (CN=Test Root) did not issue certificate 1"), m);
    }

    @Test
    void anExpiredOrNotYetValidCertificateIsRefused() {
        Issued expired = TestPki.issue(CA, TestPki.ec(), "blog.pier.test", List.of("blog.pier.test"),
                Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)), false);
        CertificatePair pair = CertificatePair.parse(expired.certificatePem(), expired.keyPem());
        assertTrue(message(() -> pair.checkValidAt(Instant.now())).contains("expired on"));
        Issued future = TestPki.issue(CA, TestPki.ec(), "blog.pier.test", List.of("blog.pier.test"),
                Instant.now().plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)), false);
        CertificatePair later = CertificatePair.parse(future.certificatePem(), future.keyPem());
        assertTrue(message(() -> later.checkValidAt(Instant.now())).contains("is not valid until"));
        later.checkValidAt(Instant.now().plus(Duration.ofDays(2)));
    }

    @Test
    void aWildcardCoversExactlyOneLabel() {
        assertTrue(CertificatePair.covers("*.pier.test", Domain.of("blog.pier.test")));
        assertTrue(CertificatePair.covers("BLOG.pier.test", Domain.of("blog.pier.test")));
        assertFalse(CertificatePair.covers("*.pier.test", Domain.of("a.blog.pier.test")));
        assertFalse(CertificatePair.covers("*.pier.test", Domain.of("pier.test")));
        assertFalse(CertificatePair.covers("blog.pier.test", Domain.of("shop.pier.test")));
        assertTrue(CertificatePair.covers("*.example.com", Domain.of("*.example.com")), "an app's wildcard, by the same wildcard");
        assertFalse(CertificatePair.covers("a.example.com", Domain.of("*.example.com")));
    }

    @Test
    void aCertificateForNoneOfTheNamesIsRefusedAndOneForSomeWarnsAboutTheRest() {
        Issued other = TestPki.server(CA, List.of("shop.example"));
        CertificatePair pair = CertificatePair.parse(other.certificatePem(), other.keyPem());
        String m = message(() -> pair.requireCovers(BLOG, "blog's"));
        assertEquals("the certificate is for shop.example, none of blog's names (blog.pier.test, www.blog.example)", m);
        Issued some = TestPki.server(CA, List.of("*.pier.test"));
        CertificatePair.Coverage c = CertificatePair.parse(some.certificatePem(), some.keyPem()).requireCovers(BLOG, "blog's");
        assertEquals(List.of(Domain.of("blog.pier.test")), c.covered());
        assertEquals(List.of(Domain.of("www.blog.example")), c.uncovered());
    }

    @Test
    void theCommonNameCountsOnlyWithoutSubjectAltNames() {
        Issued old = TestPki.issue(CA, TestPki.ec(), "blog.pier.test", List.of(), Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(1)), false);
        assertEquals(List.of("blog.pier.test"), CertificatePair.parse(old.certificatePem(), old.keyPem()).names());
        Issued modern = TestPki.issue(CA, TestPki.ec(), "ignored.example", List.of("blog.pier.test"),
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(1)), false);
        assertEquals(List.of("blog.pier.test"), CertificatePair.parse(modern.certificatePem(), modern.keyPem()).names());
    }

    @Test
    void notPemAndEncryptedKeysAreRefusedWithWhatToDo() throws Exception {
        Issued leaf = TestPki.server(CA, List.of("blog.pier.test"));
        assertTrue(message(() -> CertificatePair.parse("hello", leaf.keyPem())).startsWith("the certificate file holds no PEM"));
        assertTrue(message(() -> CertificatePair.parse(leaf.certificatePem(), "hello")).startsWith("the key file holds no PEM"));
        assertTrue(message(() -> CertificatePair.parse(leaf.certificatePem(), leaf.certificatePem()))
                .contains("where a private key belongs"));
        String encrypted = TestPki.pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(leaf.keys().getPrivate(),
                new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                        .setPassword("secret".toCharArray()).build()).generate());
        assertTrue(message(() -> CertificatePair.parse(leaf.certificatePem(), encrypted)).startsWith("the key is encrypted"));
    }

    @Test
    void theKeyNeverShowsInMessagesOrToString() {
        Issued leaf = TestPki.server(CA, List.of("blog.pier.test"));
        Issued other = TestPki.server(CA, List.of("blog.pier.test"));
        String body = other.keyPem().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        assertFalse(message(() -> CertificatePair.parse(leaf.certificatePem(), other.keyPem())).contains(body));
        String pairText = CertificatePair.parse(other.certificatePem(), other.keyPem()).toString();
        assertFalse(pairText.contains(body), pairText);
    }

    @Test
    void aSelfSignedCertificateNamesEveryNameAndPassesEveryRule() {
        CertificatePair pair = CertificatePair.selfSigned(BLOG, Instant.now());
        assertEquals(List.of("blog.pier.test", "www.blog.example"), pair.names());
        CertificatePair again = CertificatePair.parse(pair.chainPem(), pair.keyPem());
        again.checkValidAt(Instant.now());
        assertEquals(BLOG, again.requireCovers(BLOG, "blog's").covered());
        assertFalse(pair.serial().isEmpty());
    }
}
