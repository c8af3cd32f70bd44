package pier.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import pier.names.Domain;

/**
 * The certificate Nginx serves for a name: a TLS handshake with that name as SNI on this host's port 443. Nothing
 * is trusted or checked here but which certificate came back: the caller compares it with the one it installed.
 */
public final class ServedCertificate {
    private ServedCertificate() {
    }

    /** The leaf Nginx presents for {@code name} on 127.0.0.1:443; empty when no TLS handshake succeeds. */
    public static Optional<X509Certificate> of(Domain name) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Accepting()}, null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", 443), 3000);
                socket.setSoTimeout(5000);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(name.value())));
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                return Optional.of((X509Certificate) socket.getSession().getPeerCertificates()[0]);
            }
        } catch (IOException | GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** Accepts whatever is presented: the handshake is made only to see the certificate. */
    private static final class Accepting implements X509TrustManager {
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
