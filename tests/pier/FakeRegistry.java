package pier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import pier.apps.CertificatePair;

/**
 * Docker's registry as far as pier asks it, in process, over HTTPS with a throwaway certificate made the way pier makes
 * the real one's (for an address, self-signed): repositories of tags naming digests, the tags list (404 NAME_UNKNOWN for
 * an unknown repository), HEAD of a manifest by tag (the digest in Docker-Content-Digest, only for an Accept naming its
 * type), DELETE of a manifest by digest (202, taking every tag naming it; 404 when unknown), and the catalog, a page at a
 * time. Every request must carry pier's basic auth with {@code password}, else 401. It records what it was asked.
 */
public final class FakeRegistry implements AutoCloseable {
    /** The type every manifest here has: what a push from Docker's classic image store stores. */
    public static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

    private final HttpsServer server;
    private final CertificatePair pair;
    private final String password;
    private final Map<String, Map<String, String>> repositories = Collections.synchronizedMap(new TreeMap<>());
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> deletes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> accepts = Collections.synchronizedList(new ArrayList<>());
    private volatile int catalogPage = 1000;

    public FakeRegistry(String password) throws Exception {
        this.password = password;
        this.pair = CertificatePair.selfSignedForAddress("127.0.0.1", Instant.now(), Duration.ofDays(1));
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context(pair)));
        server.createContext("/v2/", this::handle);
        server.start();
    }

    /** {@code https://127.0.0.1:PORT}. */
    public URI base() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The certificate it presents, as pier's registry writes it. */
    public String certificatePem() {
        return pair.chainPem();
    }

    /** Tags {@code repository:tag} as {@code digest}. */
    public FakeRegistry tag(String repository, String tag, String digest) {
        repositories.computeIfAbsent(repository, r -> new LinkedHashMap<>()).put(tag, digest);
        return this;
    }

    /** The tags of {@code repository} now, with their digests. */
    public Map<String, String> tags(String repository) {
        return Map.copyOf(repositories.getOrDefault(repository, Map.of()));
    }

    /** Every request, as "METHOD PATH?QUERY", in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** Every manifest deleted, as "REPOSITORY@DIGEST", in order. */
    public List<String> deletes() {
        return List.copyOf(deletes);
    }

    /** The Accept header of every manifest HEAD. */
    public List<String> accepts() {
        return List.copyOf(accepts);
    }

    /** How many repositories one catalog page holds. */
    public void catalogPage(int size) {
        catalogPage = size;
    }

    /** A sha256 digest made of one repeated hex digit. */
    public static String digest(char hex) {
        return "sha256:" + String.valueOf(hex).repeat(64);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String method = exchange.getRequestMethod();
            requests.add(method + " " + path + (query == null ? "" : "?" + query));
            String expected = "Basic " + Base64.getEncoder().encodeToString(("pier:" + password).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"pier-registry\"");
                error(exchange, 401, "UNAUTHORIZED", "authentication required");
                return;
            }
            if (method.equals("GET") && path.equals("/v2/_catalog")) {
                catalog(exchange, query == null ? "" : query);
            } else if (method.equals("GET") && path.endsWith("/tags/list")) {
                String repository = path.substring("/v2/".length(), path.length() - "/tags/list".length());
                Map<String, String> tags = repositories.get(repository);
                if (tags == null) {
                    error(exchange, 404, "NAME_UNKNOWN", "repository name not known to registry");
                    return;
                }
                // The registry writes "tags": null once every tag of a repository was deleted.
                String list = tags.isEmpty() ? "null" : "[" + String.join(",", tags.keySet().stream().map(t -> "\"" + t + "\"").toList()) + "]";
                json(exchange, 200, "{\"name\":\"" + repository + "\",\"tags\":" + list + "}");
            } else if (path.contains("/manifests/")) {
                String repository = path.substring("/v2/".length(), path.indexOf("/manifests/"));
                String reference = path.substring(path.indexOf("/manifests/") + "/manifests/".length());
                manifest(exchange, method, repository, reference);
            } else {
                error(exchange, 404, "UNSUPPORTED", "not here");
            }
        }
    }

    private void manifest(HttpExchange exchange, String method, String repository, String reference) throws IOException {
        Map<String, String> tags = repositories.getOrDefault(repository, new LinkedHashMap<>());
        if (method.equals("HEAD")) {
            String accept = String.valueOf(exchange.getRequestHeaders().getFirst("Accept"));
            accepts.add(accept);
            String digest = tags.get(reference);
            if (digest == null || !accept.contains(MANIFEST_TYPE)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            // As the registry does: the manifest's length, and no body.
            exchange.getResponseHeaders().add("Content-Type", MANIFEST_TYPE);
            exchange.getResponseHeaders().add("Content-Length", "528");
            exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
            exchange.sendResponseHeaders(200, -1);
        } else if (method.equals("DELETE")) {
            if (!tags.containsValue(reference)) {
                error(exchange, 404, "MANIFEST_UNKNOWN", "manifest unknown");
                return;
            }
            deletes.add(repository + "@" + reference);
            tags.values().removeIf(reference::equals);
            exchange.sendResponseHeaders(202, -1);
        } else {
            error(exchange, 405, "UNSUPPORTED", "The operation is unsupported.");
        }
    }

    private void catalog(HttpExchange exchange, String query) throws IOException {
        String last = "";
        for (String pair : query.split("&")) {
            if (pair.startsWith("last=")) {
                last = java.net.URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
            }
        }
        String after = last;
        List<String> rest = repositories.keySet().stream().filter(r -> r.compareTo(after) > 0).toList();
        List<String> page = rest.subList(0, Math.min(catalogPage, rest.size()));
        if (rest.size() > page.size()) {
            exchange.getResponseHeaders().add("Link", "</v2/_catalog?last="
                    + java.net.URLEncoder.encode(page.get(page.size() - 1), StandardCharsets.UTF_8) + "&n=" + catalogPage + ">; rel=\"next\"");
        }
        json(exchange, 200, "{\"repositories\":[" + String.join(",", page.stream().map(r -> "\"" + r + "\"").toList()) + "]}");
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        json(exchange, status, "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"detail\":null}]}");
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** A TLS context presenting {@code pair}. */
    private static SSLContext context(CertificatePair pair) throws Exception {
        String base64 = pair.keyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("registry", key, new char[0], pair.chain().toArray(Certificate[]::new));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
