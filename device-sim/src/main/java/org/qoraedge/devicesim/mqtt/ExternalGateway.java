package org.qoraedge.devicesim.mqtt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.ProtocolException;
import org.qoraedge.gateway.protocol.RoundAnnouncement;

/**
 * How simulated nodes reach a gateway that runs in another process (the daemon): its broker, its
 * fleet, and each node's credentials file as the gateway's {@code keys} command writes it, with the
 * gateway's public key pinned in it. Shared by the {@code node} command (one node) and
 * {@code scenario --gateway external} (a fleet).
 *
 * @param brokerUri {@code tcp://host:port} or {@code ssl://host:port}
 * @param fleet the gateway's {@code fleet}
 * @param username the broker user name, or null
 * @param password its password, or null
 * @param trustStore a PKCS#12 trust store for {@code ssl://}, or null for the JVM's
 * @param trustStorePassword its password, or null
 */
public record ExternalGateway(String brokerUri, String fleet, String username, char[] password, Path trustStore,
        char[] trustStorePassword) {
    public ExternalGateway {
        if (brokerUri == null || !(brokerUri.startsWith("tcp://") || brokerUri.startsWith("ssl://"))) {
            throw new InvalidConfigException("--broker " + brokerUri + " is not tcp://HOST:PORT or ssl://HOST:PORT (the broker"
                    + " the gateway daemon uses: its broker.uri, or tcp://127.0.0.1:1883 for run --embedded-broker)");
        }
        if (password != null && username == null) {
            throw new InvalidConfigException("--password needs --username");
        }
        password = password == null ? null : password.clone();
        trustStorePassword = trustStorePassword == null ? null : trustStorePassword.clone();
    }

    /** A client builder for {@code node} on this gateway's broker, trusting only the key pinned in its credentials. */
    public NodeClient.Builder client(NodeCredentials node) {
        return NodeClient.builder(brokerUri, fleet, node).connectTimeout(MqttScenario.CONNECT_TIMEOUT)
                .credentials(username, password).trustStore(trustStore, trustStorePassword);
    }

    /** The MQTT settings of a read-only observer on this broker (the fleet's audit subscriber). */
    MqttSettings.Builder observer(String clientId, long maxPayloadBytes) {
        return MqttSettings.builder(brokerUri, clientId).cleanSession(true).firstConnectTimeout(MqttScenario.CONNECT_TIMEOUT)
                .maxInboundPublishBytes(MqttSettings.publishBytesFor(maxPayloadBytes))
                .credentials(username, password).trustStore(trustStore, trustStorePassword);
    }

    /**
     * Reads a node's credentials file and checks that it pins a gateway key.
     *
     * @throws InvalidConfigException naming the file and what is wrong (missing, malformed, no pinned key)
     */
    public static NodeCredentials readKey(Path file) throws IOException {
        NodeCredentials c;
        try {
            c = KeyFiles.readCredentials(file);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException("node key file " + file + " not found (the gateway's 'keys --config"
                    + " gateway.properties --count N --out-dir DIR' writes DIR/node-01.key ...)");
        } catch (ProtocolException e) {
            throw new InvalidConfigException("node key file " + e.getMessage());
        }
        if (c.gatewayKey() == null) {
            throw new InvalidConfigException("node key file " + file + " pins no gateway key (no 'gateway-ed25519' line): a"
                    + " node trusts only the gateway key it was provisioned with; write the file with the gateway's 'keys"
                    + " --config' command, or add the line '<gateway-id> gateway-ed25519 <public key hex>'");
        }
        return c;
    }

    /** The credentials file of node {@code id} in {@code dir}: {@code dir/id.key}. */
    public static Path keyFile(Path dir, String id) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidConfigException("--keys-dir " + dir + " is not a directory (the gateway's 'keys --out-dir')");
        }
        return dir.resolve(id + ".key");
    }

    /**
     * Refuses to train a model whose parameter count is not the gateway's {@code model.dimension}.
     *
     * @param what how the model was made, for the message (for example "logreg on fashion-mnist")
     */
    public static void checkDimension(RoundAnnouncement a, Model model, String what) {
        if (a.dimension() != model.parameterCount()) {
            throw new InvalidConfigException("the gateway's model (" + a.modelId() + ") has " + a.dimension()
                    + " parameters (its model.dimension), but " + what + " has " + model.parameterCount()
                    + ": choose the data and --model that the gateway's model was made for (logreg on fashion-mnist: 7850;"
                    + " on synthetic: 75)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExternalGateway g && brokerUri.equals(g.brokerUri) && fleet.equals(g.fleet)
                && Objects.equals(username, g.username) && Arrays.equals(password, g.password)
                && Objects.equals(trustStore, g.trustStore) && Arrays.equals(trustStorePassword, g.trustStorePassword);
    }

    @Override
    public int hashCode() {
        return brokerUri.hashCode() * 31 + fleet.hashCode();
    }

    @Override
    public String toString() {
        return "ExternalGateway[" + brokerUri + ", fleet " + fleet + (username != null ? ", user " + username : "")
                + (trustStore != null ? ", trust store " + trustStore : "") + "]";
    }
}
