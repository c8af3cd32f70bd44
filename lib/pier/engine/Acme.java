package pier.engine;

//DEPS org.shredzone.acme4j:acme4j-client:3.5.1

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.util.KeyPairUtils;
import pier.base.PierException;
import pier.base.Progress;
import pier.base.Shown;
import pier.names.Domain;
import pier.state.AtomicFile;

/**
 * An ACME server (Let's Encrypt, or any RFC 8555 one such as Pebble in the tests), through acme4j: one account per
 * server whose key is kept 0600, and certificates for names proved with HTTP-01. Nginx answers every name's
 * {@code /.well-known/acme-challenge/} from {@code challenges}, so proving a name needs no app and no restart.
 */
public final class Acme {
    /** How long one name's validation, and the issuing, may take. */
    static final Duration WAIT = Duration.ofSeconds(90);

    /** What an order came to: the chain and key for the names proved, and each name that failed with its reason. */
    public record Issued(Optional<String> chainPem, Optional<String> keyPem, List<Domain> names, Map<Domain, String> failed) {
    }

    private final String server;
    private final Optional<Path> extraRoot;
    private final Path accountKey;
    private final Optional<String> email;
    private final Path challenges;

    /**
     * @param server the directory URL ({@code https://…}) or acme4j's {@code acme://letsencrypt.org} form
     * @param extraRoot a CA certificate (PEM) to trust for the server's own HTTPS beside the system's: for a private
     *                  or test ACME server
     */
    public Acme(String server, Optional<Path> extraRoot, Path accountKey, Optional<String> email, Path challenges) {
        this.server = server;
        this.extraRoot = extraRoot;
        this.accountKey = accountKey;
        this.email = email;
        this.challenges = challenges;
    }

    /**
     * One certificate for every name that can be proved. A name whose validation fails is reported with the server's
     * reason and left out; the others are ordered again without it, so one bad name does not block the rest.
     */
    public Issued issue(List<Domain> names, Progress progress) {
        // acme4j reads and writes keys, and builds the CSR, through Bouncy Castle's JCA provider.
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
        trustExtraRoot();
        try {
            Account account = account();
            List<Domain> remaining = new ArrayList<>(names);
            Map<Domain, String> failed = new LinkedHashMap<>();
            while (!remaining.isEmpty()) {
                Order order = account.newOrder().domains(remaining.stream().map(Domain::value).toList()).create();
                Map<Domain, String> refused = prove(order, progress);
                if (!refused.isEmpty()) {
                    failed.putAll(refused);
                    remaining.removeAll(refused.keySet());
                    continue;
                }
                KeyPair key = KeyPairUtils.createKeyPair(2048);
                order.execute(key);
                Status status = order.waitForCompletion(WAIT);
                if (status != Status.VALID) {
                    throw PierException.failed("the ACME server did not issue the certificate: " + order.getError()
                            .map(p -> p.getDetail().orElse(p.toString())).orElse("its order is " + status));
                }
                StringWriter chain = new StringWriter();
                order.getCertificate().writeCertificate(chain);
                StringWriter keyPem = new StringWriter();
                KeyPairUtils.writeKeyPair(key, keyPem);
                return new Issued(Optional.of(chain.toString()), Optional.of(keyPem.toString()), List.copyOf(remaining), failed);
            }
            return new Issued(Optional.empty(), Optional.empty(), List.of(), failed);
        } catch (AcmeException e) {
            throw PierException.failed("the ACME server " + server + " refused: " + Shown.oneLine(e.getMessage()), e);
        } catch (IOException e) {
            throw PierException.failed("cannot reach the ACME server " + server + ": " + Shown.oneLine(String.valueOf(e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted while the ACME server validated the names", e);
        }
    }

    /** Answers each pending authorization's HTTP-01 challenge; the names that failed, with the server's reason. */
    private Map<Domain, String> prove(Order order, Progress progress) throws AcmeException, InterruptedException {
        Map<Domain, String> failed = new LinkedHashMap<>();
        for (Authorization auth : order.getAuthorizations()) {
            Domain name = Domain.of(auth.getIdentifier().getDomain());
            if (auth.getStatus() == Status.VALID) {
                continue;
            }
            Optional<Http01Challenge> challenge = auth.findChallenge(Http01Challenge.class);
            if (challenge.isEmpty()) {
                failed.put(name, "the ACME server offers no HTTP-01 challenge for it");
                continue;
            }
            Path answer = challenges.resolve(challenge.get().getToken());
            AtomicFile.write(answer, challenge.get().getAuthorization(), "rw-r--r--");
            try {
                progress.detail("proving " + name + " (HTTP-01)");
                challenge.get().trigger();
                Status status = auth.waitForCompletion(WAIT);
                if (status != Status.VALID) {
                    failed.put(name, challenge.get().getError().map(p -> p.getDetail().orElse(p.toString()))
                            .orElse("its validation ended " + status));
                }
            } finally {
                try {
                    Files.deleteIfExists(answer);
                } catch (IOException e) {
                    // A stale answer is harmless: a token is used once.
                }
            }
        }
        return failed;
    }

    /** The server's account for this host's key, made (and the key with it) on first use. */
    private Account account() throws AcmeException, IOException {
        KeyPair key;
        Optional<String> stored = AtomicFile.read(accountKey);
        if (stored.isPresent()) {
            key = KeyPairUtils.readKeyPair(new StringReader(stored.get()));
        } else {
            key = KeyPairUtils.createECKeyPair("secp256r1");
            StringWriter pem = new StringWriter();
            KeyPairUtils.writeKeyPair(key, pem);
            Files.createDirectories(accountKey.getParent());
            AtomicFile.write(accountKey, pem.toString(), "rw-------");
        }
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
        email.ifPresent(builder::addEmail);
        return builder.create(new Session(server));
    }

    /** Trusts {@code extraRoot} beside the system's roots for this process's HTTPS (acme4j uses the default context). */
    private void trustExtraRoot() {
        if (extraRoot.isEmpty()) {
            return;
        }
        try {
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            KeyStore roots = KeyStore.getInstance(KeyStore.getDefaultType());
            roots.load(null, null);
            int i = 0;
            for (X509Certificate root : ((X509TrustManager) system.getTrustManagers()[0]).getAcceptedIssuers()) {
                roots.setCertificateEntry("system-" + i++, root);
            }
            try (var in = Files.newInputStream(extraRoot.get())) {
                for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    roots.setCertificateEntry("extra-" + i++, cert);
                }
            }
            TrustManagerFactory both = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            both.init(roots);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, both.getTrustManagers(), null);
            SSLContext.setDefault(context);
        } catch (IOException | GeneralSecurityException e) {
            throw PierException.failed("cannot trust the ACME server's CA " + extraRoot.get() + ": " + e.getMessage()
                    + " (pier letsencrypt:set server-ca takes a PEM certificate)", e);
        }
    }
}
