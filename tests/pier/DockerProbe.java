package pier;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/**
 * docker-java straight to the engine, for system tests that look at what pier left in Docker without going
 * through pier's own engine class (which keeps docker-java to itself).
 */
public final class DockerProbe {
    private DockerProbe() {
    }

    private static DockerClient client;

    /** One client for the whole test run, never closed: the JVM's end closes its socket. */
    public static synchronized DockerClient client() {
        if (client == null) {
            DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
            client = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig()).build());
        }
        return client;
    }
}
