package org.qoraedge.devicesim.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * An attacker's second MQTT connection, for its forged, malformed and flooding frames: publishes
 * with QoS 1 without waiting for each acknowledgement ({@link #flush} waits for all of them), on a
 * socket with {@code TCP_NODELAY}. A flood does not wait for acks; and a node that waits for the
 * PUBACK of each multi-segment frame on a Nagle socket (what Paho does by default, and so what
 * {@code NodeClient.publishRaw} does) pays the broker's delayed ACK, about 40 ms per frame of a
 * Fashion-MNIST model on Linux: 600 flood frames took 30 s a round that way.
 *
 * <p>Plain {@code tcp://} brokers only. Not thread-safe.
 */
final class RawPublisher implements AutoCloseable {
    private static final long TIMEOUT_MILLIS = 60_000;
    /** Above the largest number of frames an attacker publishes between two flushes (10,000 flood frames). */
    private static final int MAX_INFLIGHT = 20_000;

    private final MqttAsyncClient client;
    private final List<IMqttDeliveryToken> pending = new ArrayList<>();

    RawPublisher(String brokerUri, String clientId) throws IOException {
        if (!brokerUri.startsWith("tcp://")) {
            throw new IOException("the attackers' raw connections speak plain tcp:// only, not " + brokerUri);
        }
        try {
            client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setCleanSession(true);
            o.setAutomaticReconnect(false);
            o.setConnectionTimeout(15);
            o.setMaxInflight(MAX_INFLIGHT);
            o.setSocketFactory(new NoDelaySocketFactory());
            client.connect(o).waitForCompletion(TIMEOUT_MILLIS);
        } catch (MqttException e) {
            throw new IOException("attacker connection " + clientId + " to " + brokerUri + " failed: " + e.getMessage(), e);
        }
    }

    /** Publishes with QoS 1, not retained; does not wait. */
    void publish(String topic, byte[] payload) throws IOException {
        try {
            pending.add(client.publish(topic, payload, 1, false));
        } catch (MqttException e) {
            throw new IOException("could not publish " + payload.length + " bytes on " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Waits until the broker acknowledged every frame published since the last flush. */
    void flush() throws IOException {
        try {
            for (IMqttDeliveryToken t : pending) {
                t.waitForCompletion(TIMEOUT_MILLIS);
            }
        } catch (MqttException e) {
            throw new IOException("the broker did not acknowledge an attack frame: " + e.getMessage(), e);
        } finally {
            pending.clear();
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(1000).waitForCompletion(2000);
            }
        } catch (MqttException ignored) {
            // closing is best effort
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // best effort
        }
    }

    /** Plain sockets with Nagle's algorithm off. */
    private static final class NoDelaySocketFactory extends SocketFactory {
        @Override
        public Socket createSocket() throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = new Socket(host, port);
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            Socket s = new Socket(host, port, local, localPort);
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket s = new Socket(host, port);
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) throws IOException {
            Socket s = new Socket(address, port, local, localPort);
            s.setTcpNoDelay(true);
            return s;
        }
    }
}
