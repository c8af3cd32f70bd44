package pier.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;
import pier.base.Shown;
import pier.state.AtomicFile;

/**
 * The cluster's registry over its HTTP API (distribution's {@code /v2/}), as pier's account: the tags of a repository,
 * the digest a tag names, and deleting a manifest by digest. It trusts exactly the registry's own certificate (pinned:
 * the system's CAs never vouch for it) and sends the account's basic auth with every request. Each call has a
 * deadline of a few seconds; a registry that does not answer, or answers otherwise than the API says, is one
 * {@link PierException#failed} line saying what to do.
 */
public final class RegistryClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /**
     * Every kind of manifest a push may store. Without one the registry answers in another form: a Docker v2 manifest
     * asked by tag without its type comes back rewritten as schema 1, under another digest; an OCI one not at all.
     */
    static final String MANIFESTS = String.join(", ", "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json");
    /** How many repositories one catalog page asks for (the registry's own default limit is 1000). */
    static final int CATALOG_PAGE = 1000;
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String authorization;
    private final HttpClient http;

    /**
     * The registry at {@code base} ({@code https://HOST:PORT}), trusting the certificates in {@code certificatePem}
     * alone, as {@link Registry#USER} with {@code password}.
     */
    public RegistryClient(URI base, String certificatePem, String password) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((Registry.USER + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().sslContext(pinned(certificatePem)).connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** This host's registry for its cluster, trusting {@link Registry#CERTIFICATE}. */
    public static RegistryClient of(Registry registry, String password) {
        String certificate = AtomicFile.read(Registry.CERTIFICATE).orElseThrow(() -> PierException.failed(
                "the cluster's registry has no certificate in " + Registry.CERTIFICATE + ": run pier nodes:add with one of"
                        + " its nodes again, which puts it back"));
        return new RegistryClient(URI.create("https://" + registry.host()), certificate, password);
    }

    /** The tags of {@code repository} (e.g. {@code pier/blog}); none when the registry does not know it. */
    public List<String> tags(String repository) {
        HttpResponse<String> response = send("GET", "/v2/" + repository + "/tags/list", null);
        if (response.statusCode() == 404 && errorCode(response.body()).filter("NAME_UNKNOWN"::equals).isPresent()) {
            return List.of();
        }
        expect(response, 200);
        return tagsOf(response.body());
    }

    /** The digest of the manifest {@code tag} names in {@code repository}; empty when there is no such tag. */
    public Optional<String> digest(String repository, String tag) {
        HttpResponse<String> response = send("HEAD", "/v2/" + repository + "/manifests/" + tag, MANIFESTS);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        expect(response, 200);
        String digest = response.headers().firstValue("Docker-Content-Digest").orElse("");
        if (!DIGEST.matcher(digest).matches()) {
            throw PierException.failed("the cluster's registry at " + base.getAuthority() + " named " + repository + ":" + tag
                    + " by " + Shown.quote(digest) + ", not a sha256 digest: is " + base.getAuthority() + " Docker's registry?");
        }
        return Optional.of(digest);
    }

    /**
     * Deletes the manifest {@code digest} of {@code repository}, and so every tag naming it; false when it was gone
     * already. Its layers stay on disk until a garbage collection ({@code pier registry:gc}).
     */
    public boolean delete(String repository, String digest) {
        if (!DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        HttpResponse<String> response = send("DELETE", "/v2/" + repository + "/manifests/" + digest, null);
        if (response.statusCode() == 404) {
            return false;
        }
        if (response.statusCode() == 405) {
            throw PierException.failed("the cluster's registry at " + base.getAuthority() + " does not delete images: "
                    + Registry.CONFIG + " needs storage: delete: enabled: true (as pier's templates/registry/config.yml.ftl"
                    + " has it), then a restart of the registry");
        }
        expect(response, 202);
        return true;
    }

    /** Every repository the registry holds, page by page. */
    public List<String> repositories() {
        List<String> all = new ArrayList<>();
        String path = "/v2/_catalog?n=" + CATALOG_PAGE;
        // A page of the catalog names the next in its Link header; a registry that repeats itself stops here.
        for (int page = 0; path != null && page < 100; page++) {
            HttpResponse<String> response = send("GET", path, null);
            expect(response, 200);
            all.addAll(repositoriesOf(response.body()));
            path = next(response.headers().firstValue("Link").orElse("")).orElse(null);
        }
        return all;
    }

    /** The tags in a {@code tags/list} answer; {@code "tags": null} (every tag deleted) is none. */
    static List<String> tagsOf(String body) {
        return strings(parse(body).path("tags"));
    }

    /** The repositories in a {@code _catalog} answer. */
    static List<String> repositoriesOf(String body) {
        return strings(parse(body).path("repositories"));
    }

    /** The first error code of an error answer ({@code {"errors": [{"code": "NAME_UNKNOWN", ...}]}}). */
    static Optional<String> errorCode(String body) {
        return firstError(body).map(e -> e.path("code").asText("")).filter(c -> !c.isEmpty());
    }

    /** The path and query of the next page a {@code Link} header names, when it names one on this registry. */
    static Optional<String> next(String link) {
        Matcher m = NEXT.matcher(link);
        if (!m.find()) {
            return Optional.empty();
        }
        URI target = URI.create(m.group(1));
        // Only a path on this registry: the account's password never goes to a host a header names.
        if (target.getAuthority() != null || target.getRawPath() == null || !target.getRawPath().startsWith("/v2/")) {
            return Optional.empty();
        }
        return Optional.of(target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()));
    }

    private static Optional<JsonNode> firstError(String body) {
        try {
            JsonNode errors = JSON.readTree(body).path("errors");
            return errors.isArray() && errors.size() > 0 ? Optional.of(errors.get(0)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw PierException.failed("the cluster's registry answered with something other than JSON ("
                    + Shown.firstLine(e.getMessage()) + "): is it Docker's registry?", e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }

    private HttpResponse<String> send(String method, String path, @Nullable String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", authorization).method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            request.header("Accept", accept);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401) {
                throw PierException.failed("the cluster's registry at " + base.getAuthority() + " refused pier's account (the"
                        + " password in " + Registry.PASSWORD_FILE + "): run pier nodes:add with one of its nodes again,"
                        + " which puts the account back");
            }
            return response;
        } catch (SSLException e) {
            throw PierException.failed("the cluster's registry at " + base.getAuthority() + " did not present the certificate"
                    + " in " + Registry.CERTIFICATE + " (" + Shown.firstLine(e.getMessage()) + "): check that its config ("
                    + Registry.CONFIG + ") serves that file", e);
        } catch (IOException e) {
            throw PierException.failed("the cluster's registry at " + base.getAuthority() + " does not answer ("
                    + Shown.firstLine(String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()))
                    + "): start it, as root, with pier install --boot", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PierException.failed("interrupted while asking the cluster's registry at " + base.getAuthority());
        }
    }

    private void expect(HttpResponse<String> response, int status) {
        if (response.statusCode() == status) {
            return;
        }
        String said = firstError(response.body()).map(e -> e.path("code").asText("") + ": " + e.path("message").asText(""))
                .orElse(Shown.firstLine(response.body()));
        throw PierException.failed("the cluster's registry at " + base.getAuthority() + " answered "
                + response.request().method() + " " + response.request().uri().getRawPath() + " with " + response.statusCode()
                + (said.isBlank() ? "" : " (" + Shown.oneLine(said) + ")") + ": see its log (journalctl -u docker-registry,"
                + " or /var/log/pier/docker-registry.log)");
    }

    /** An SSL context whose one trust is {@code pem}'s certificates. */
    private static SSLContext pinned(String pem) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                trust.setCertificateEntry("registry-" + i++, c);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in it");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw PierException.failed("cannot read the registry's certificate " + Registry.CERTIFICATE + " ("
                    + Shown.firstLine(e.getMessage()) + "): run pier nodes:add with one of its nodes again, which makes it anew", e);
        }
    }
}
