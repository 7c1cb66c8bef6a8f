package org.qoraedge.gateway.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.testing.TestNodes;
import org.qoraedge.gateway.testing.TlsFiles;

/** What a {@link NodeClient} connects with. */
class NodeClientMqttSettingsTest {
    private static final NodeCredentials NODE = TestNodes.credentials("node-7", false).withGateway("gw", new byte[32]);

    @TempDir
    Path tmp;

    @Test
    void byDefaultANodeHasACleanSessionInMemoryAndLeavesItsOfflineNoticeAsWill() throws Exception {
        NodeClient.Builder b = NodeClient.builder("tcp://127.0.0.1:1883", "fleet-a", NODE);
        MqttSettings s = NodeClient.mqttSettings(b);
        assertEquals("tcp://127.0.0.1:1883", s.brokerUri());
        assertEquals("qora-node-fleet-a-node-7", s.clientId());
        assertTrue(s.cleanSession());
        assertFalse(s.manualAcks());
        assertNull(s.persistenceDir());
        assertEquals(Duration.ofSeconds(30), s.firstConnectTimeout());
        assertEquals(MqttSettings.publishBytesFor(64L << 20), s.maxInboundPublishBytes());

        MqttConnectOptions o = s.connectOptions(NodeClient.deathWill(new Topics("fleet-a"), "node-7"));
        assertEquals(MqttConnectOptions.MQTT_VERSION_3_1_1, o.getMqttVersion());
        assertTrue(o.isCleanSession());
        assertTrue(o.isAutomaticReconnect());
        assertEquals(5000, o.getMaxReconnectDelay());
        assertEquals(30, o.getKeepAliveInterval());
        assertEquals(10, o.getConnectionTimeout());
        assertEquals(1000, o.getMaxInflight());
        assertNull(o.getUserName());
        assertNull(o.getPassword());
        assertEquals("qora/v1/fleet-a/death/node-7", o.getWillDestination());
        assertArrayEquals("node=node-7\nstate=offline\n".getBytes(StandardCharsets.UTF_8), o.getWillMessage().getPayload());
        assertEquals(1, o.getWillMessage().getQos());
        assertFalse(o.getWillMessage().isRetained());
        assertFalse(o.getSocketFactory() instanceof SSLSocketFactory);
    }

    @Test
    void theBuildersClientIdCredentialsTrustStorePersistenceAndLimitsAreUsed() throws Exception {
        TlsFiles tls = TlsFiles.create(tmp.resolve("tls"));
        NodeClient.Builder b = NodeClient.builder("ssl://127.0.0.1:8883", "fleet-b", NODE).clientId("custom")
                .credentials("user", "pw".toCharArray()).trustStore(tls.trustStore, TlsFiles.PASSWORD)
                .persistenceDir(tmp.resolve("paho")).connectTimeout(Duration.ofSeconds(3)).maxModelFrameBytes(100);
        MqttSettings s = NodeClient.mqttSettings(b);
        assertEquals("custom", s.clientId());
        assertTrue(s.cleanSession());
        assertEquals(tmp.resolve("paho"), s.persistenceDir());
        assertEquals(Duration.ofSeconds(3), s.firstConnectTimeout());
        assertEquals(MqttSettings.publishBytesFor(TextMessage.MAX_BYTES), s.maxInboundPublishBytes(),
                "never below the largest text message");
        assertEquals(tls.trustStore, s.trustStore());

        MqttConnectOptions o = s.connectOptions(NodeClient.deathWill(new Topics("fleet-b"), "node-7"));
        assertEquals("user", o.getUserName());
        assertArrayEquals("pw".toCharArray(), o.getPassword());
        assertEquals("qora/v1/fleet-b/death/node-7", o.getWillDestination());
        assertInstanceOf(SSLSocketFactory.class, o.getSocketFactory());
    }

    @Test
    void aPasswordWithoutUsernameIsNotSentAndNoTimeoutMeansRetryingUntilConnected() throws Exception {
        NodeClient.Builder b = NodeClient.builder("tcp://127.0.0.1:1883", "fleet-c", NODE).credentials(null, "x".toCharArray())
                .trustStore(null, "y".toCharArray()).connectTimeout(null);
        MqttSettings s = NodeClient.mqttSettings(b);
        assertNull(s.username());
        assertNull(s.trustStore());
        assertNull(s.firstConnectTimeout());
        MqttConnectOptions o = s.connectOptions(null);
        assertNull(o.getUserName());
        assertNull(o.getPassword());
        assertFalse(o.getSocketFactory() instanceof SSLSocketFactory);
    }
}
