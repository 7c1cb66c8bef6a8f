package org.qoraedge.devicesim.mqtt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import org.qoraedge.devicesim.InvalidConfigException;

/**
 * A TCP connection to a broker's address before anything else starts, so that a broker that is not
 * there fails the command within seconds, naming the URI, instead of an MQTT client retrying with
 * backoff for minutes.
 */
public final class BrokerProbe {
    private static final int TIMEOUT_MILLIS = 3_000;

    private BrokerProbe() {
    }

    /**
     * @throws MqttScenario.ScenarioException when nothing accepts a TCP connection at the URI's host and port
     * @throws InvalidConfigException when the URI has no host or port
     */
    public static void check(String brokerUri) {
        URI u;
        try {
            u = new URI(brokerUri);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException("--broker " + brokerUri + " is not a URI: " + e.getMessage());
        }
        if (u.getHost() == null || u.getPort() < 0) {
            throw new InvalidConfigException("--broker " + brokerUri + " names no host and port (tcp://HOST:PORT)");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), u.getPort()), TIMEOUT_MILLIS);
        } catch (IOException e) {
            throw new MqttScenario.ScenarioException("no MQTT broker at " + brokerUri + " (--broker): " + e.getMessage()
                    + " within " + TIMEOUT_MILLIS + " ms; is the broker (or the gateway daemon with --embedded-broker) running?");
        }
    }
}
