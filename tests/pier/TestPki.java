package pier;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A small test CA: certificates with chosen names, dates and keys, as PEM, for unit and system tests of HTTPS. */
public final class TestPki {
    private TestPki() {
    }

    /** A certificate and the key pair it was issued for. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
        public String certificatePem() {
            return pem(certificate);
        }

        /** PKCS#8: -----BEGIN PRIVATE KEY-----. */
        public String keyPem() {
            try {
                return pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** OpenSSL's traditional form: PKCS#1 (RSA PRIVATE KEY) or SEC1 (EC PRIVATE KEY, with its curve, as openssl writes it). */
        public String traditionalKeyPem() {
            if (!(keys.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec)) {
                return pem(keys.getPrivate());
            }
            try {
                var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(ec.getEncoded());
                var publicBits = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData();
                var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(), publicBits,
                        info.getPrivateKeyAlgorithm().getParameters());
                return pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public String serial() {
            return certificate.getSerialNumber().toString(16).toUpperCase();
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA, valid from a day ago for ten years. */
    public static Issued ca(String cn) {
        KeyPair keys = ec();
        return issue(null, keys, cn, List.of(), Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(3650)), true);
    }

    /** A server certificate for {@code names}, issued by {@code issuer}, valid from a day ago for a year. */
    public static Issued server(Issued issuer, List<String> names) {
        return issue(issuer, ec(), names.get(0), names, Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365)), false);
    }

    /** A certificate for {@code names} with {@code keys}, issued by {@code issuer} (null: self-signed). */
    public static Issued issue(Issued issuer, KeyPair keys, String cn, List<String> names, Instant notBefore, Instant notAfter,
                               boolean ca) {
        try {
            X500Name subject = new X500Name("CN=" + cn);
            X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(64, new SecureRandom()).setBit(62),
                    Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
            if (ca) {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.stream()
                        .map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
            }
            KeyPair signer = issuer == null ? keys : issuer.keys();
            String algorithm = signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
            return new Issued(cert, keys);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
