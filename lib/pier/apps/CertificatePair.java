package pier.apps;

//DEPS org.bouncycastle:bcprov-jdk18on:1.87
//DEPS org.bouncycastle:bcpkix-jdk18on:1.87

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import pier.base.PierException;
import pier.names.Domain;

/**
 * A certificate chain and its private key, and every rule a pair must pass before pier stores it: both parse as PEM
 * (RSA or EC keys, PKCS#1, SEC1 or PKCS#8), the key belongs to the first (leaf) certificate, each certificate is
 * issued by the next, the leaf is valid now, and it names at least one of the app's names. Each broken rule is one
 * message that says which. The key never appears in a message or in {@link #toString()}.
 */
public final class CertificatePair {
    /** How long a self-signed certificate lasts: long enough to forget, short enough that browsers still take it. */
    public static final Duration SELF_SIGNED_LIFETIME = Duration.ofDays(365);

    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final String chainPem;
    private final String keyPem;

    private CertificatePair(List<X509Certificate> chain, PrivateKey key, String chainPem, String keyPem) {
        this.chain = List.copyOf(chain);
        this.key = key;
        this.chainPem = chainPem;
        this.keyPem = keyPem;
    }

    /**
     * Parses a chain (leaf first) and its key, refusing a key that does not belong to the leaf and a chain out of
     * order. Whether the pair fits a time and an app is asked separately ({@link #checkValidAt}, {@link #coverage}).
     */
    public static CertificatePair parse(String chainPem, String keyPem) {
        List<X509Certificate> chain = certificates(chainPem);
        PrivateKey key = privateKey(keyPem);
        if (!keyMatches(key, chain.get(0))) {
            throw PierException.failed("the key does not match the certificate (" + subject(chain.get(0))
                    + "): give the key the certificate was issued for");
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (!issued(chain.get(i + 1), chain.get(i))) {
                throw PierException.failed("the chain is out of order: certificate " + (i + 2) + " (" + subject(chain.get(i + 1))
                        + ") did not issue certificate " + (i + 1) + " (" + subject(chain.get(i))
                        + "); put the server's certificate first, then each issuer in turn");
            }
        }
        return new CertificatePair(chain, key, chainPem, keyPem);
    }

    /** The certificates in {@code pem}, in order; at least one, or this fails. Used alone to read a stored chain. */
    public static List<X509Certificate> certificates(String pem) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw PierException.failed("the certificate file holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            Collection<? extends java.security.cert.Certificate> read = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> chain = new ArrayList<>();
            read.forEach(c -> chain.add((X509Certificate) c));
            if (chain.isEmpty()) {
                throw PierException.failed("the certificate file holds no PEM certificate");
            }
            return chain;
        } catch (CertificateException e) {
            throw PierException.failed("the certificate file is not a valid PEM certificate chain: " + oneLine(e));
        }
    }

    private static PrivateKey privateKey(String pem) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object read = parser.readObject(); read != null; read = parser.readObject()) {
                if (read instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                } else if (read instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                } else if (read instanceof PEMEncryptedKeyPair || read instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw PierException.failed("the key is encrypted: give it without a passphrase "
                            + "(openssl pkey -in KEY -out plain.key)");
                } else if (!(read instanceof ASN1ObjectIdentifier || read instanceof X9ECParameters)) {
                    // EC PARAMETERS blocks come before "openssl ecparam -genkey"'s key; anything else is not a key.
                    throw PierException.failed("the key file holds a " + read.getClass().getSimpleName()
                            + " where a private key belongs");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PierException p) {
                throw p;
            }
            throw PierException.failed("the key file is not a valid PEM private key: " + oneLine(e));
        }
        throw PierException.failed("the key file holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    /** The key belongs to the certificate when what it signs, the certificate's public key verifies. */
    private static boolean keyMatches(PrivateKey key, X509Certificate leaf) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw PierException.failed("the key is " + key.getAlgorithm() + ": pier takes RSA and EC keys");
        };
        if (!leaf.getPublicKey().getAlgorithm().equals(key.getAlgorithm())
                && !(leaf.getPublicKey().getAlgorithm().startsWith("EC") && key.getAlgorithm().startsWith("EC"))) {
            return false;
        }
        byte[] probe = "pier checks that this key belongs to the certificate".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean issued(X509Certificate issuer, X509Certificate subject) {
        if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Refuses a leaf that has expired or is not valid yet at {@code now}. */
    public void checkValidAt(Instant now) {
        X509Certificate leaf = leaf();
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw PierException.failed("the certificate (" + subject(leaf) + ") expired on " + leaf.getNotAfter().toInstant());
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw PierException.failed("the certificate (" + subject(leaf) + ") is not valid until "
                    + leaf.getNotBefore().toInstant());
        }
    }

    /** Which of an app's names the leaf covers, and which not. */
    public record Coverage(List<Domain> covered, List<Domain> uncovered) {
        public Coverage {
            covered = List.copyOf(covered);
            uncovered = List.copyOf(uncovered);
        }
    }

    /** Splits {@code names} into those this certificate covers and those it does not. */
    public Coverage coverage(List<Domain> names) {
        return coverage(names(), names);
    }

    /** Splits {@code names} by whether a certificate naming {@code certified} covers them. */
    public static Coverage coverage(List<String> certified, List<Domain> names) {
        List<Domain> covered = new ArrayList<>();
        List<Domain> uncovered = new ArrayList<>();
        for (Domain name : names) {
            (certified.stream().anyMatch(c -> covers(c, name)) ? covered : uncovered).add(name);
        }
        return new Coverage(covered, uncovered);
    }

    /**
     * Whether a certificate name covers a host name: equal (ignoring case), or a wildcard {@code *.example.com} and a
     * name one label under it ({@code a.example.com}, not {@code a.b.example.com} nor {@code example.com}), as browsers
     * match (RFC 6125). An app's own wildcard domain is covered only by the same wildcard.
     */
    public static boolean covers(String certified, Domain name) {
        String pattern = certified.toLowerCase(Locale.ROOT);
        String host = name.value().toLowerCase(Locale.ROOT);
        if (pattern.equals(host)) {
            return true;
        }
        if (!pattern.startsWith("*.") || host.startsWith("*.")) {
            return false;
        }
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot + 1).equals(pattern.substring(2));
    }

    /** Refuses a pair that covers none of {@code names} (saying what it is for); returns the coverage otherwise. */
    public Coverage requireCovers(List<Domain> names, String whose) {
        Coverage coverage = coverage(names);
        if (coverage.covered().isEmpty()) {
            throw PierException.failed("the certificate is for " + String.join(", ", names()) + ", none of " + whose + " names ("
                    + String.join(", ", names.stream().map(Domain::value).toList()) + ")");
        }
        return coverage;
    }

    /** The DNS names of the leaf's subjectAltName, or its common name when it has none (old certificates). */
    public List<String> names() {
        return names(leaf());
    }

    /** See {@link #names()}. */
    public static List<String> names(X509Certificate leaf) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = leaf.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alt : alternatives) {
                    if (alt.size() == 2 && Integer.valueOf(2).equals(alt.get(0)) && alt.get(1) instanceof String dns) {
                        names.add(dns.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // A malformed extension names nothing; the common name below may still.
        }
        if (names.isEmpty()) {
            commonName(leaf.getSubjectX500Principal()).ifPresent(cn -> names.add(cn.toLowerCase(Locale.ROOT)));
        }
        return List.copyOf(names);
    }

    private static Optional<String> commonName(X500Principal principal) {
        try {
            for (Rdn rdn : new LdapName(principal.getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            // No readable name: none.
        }
        return Optional.empty();
    }

    /** A new self-signed certificate (EC P-256) for exactly {@code names}, valid from an hour before {@code now}. */
    public static CertificatePair selfSigned(List<Domain> names, Instant now) {
        if (names.isEmpty()) {
            throw PierException.failed("a certificate needs at least one name");
        }
        return selfSigned(names.get(0).value(), names.stream().map(n -> new GeneralName(GeneralName.dNSName, n.value()))
                .toArray(GeneralName[]::new), now, SELF_SIGNED_LIFETIME);
    }

    /**
     * A new self-signed certificate for one IP {@code address}, for {@code lifetime}: a service reached by address on a
     * private network, whose clients trust this very certificate rather than a CA.
     */
    public static CertificatePair selfSignedForAddress(String address, Instant now, Duration lifetime) {
        return selfSigned(address, new GeneralName[]{new GeneralName(GeneralName.iPAddress, address)}, now, lifetime);
    }

    private static CertificatePair selfSigned(String commonName, GeneralName[] names, Instant now, Duration lifetime) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=" + commonName);
            BigInteger serial = new BigInteger(64, new SecureRandom()).setBit(63);
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(lifetime)), subject, keys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new CertificatePair(List.of(certificate), keys.getPrivate(), pem(certificate),
                    pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw PierException.failed("cannot make a self-signed certificate: " + oneLine(e), e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    /** The chain as given (what Nginx serves). */
    public String chainPem() {
        return chainPem;
    }

    /** The key as given; only for writing the key file, never for a message. */
    public String keyPem() {
        return keyPem;
    }

    /** The leaf's serial number in hex, as openssl prints it. */
    public String serial() {
        return serial(leaf());
    }

    public static String serial(X509Certificate certificate) {
        return HexFormat.of().withUpperCase().formatHex(certificate.getSerialNumber().toByteArray()).replaceFirst("^00(?=.)", "");
    }

    private static String subject(X509Certificate certificate) {
        return commonName(certificate.getSubjectX500Principal()).map(cn -> "CN=" + cn)
                .orElse(certificate.getSubjectX500Principal().getName());
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }

    @Override
    public String toString() {
        return "CertificatePair[" + subject(leaf()) + ", serial " + serial() + ", key " + key.getAlgorithm() + "]";
    }
}
