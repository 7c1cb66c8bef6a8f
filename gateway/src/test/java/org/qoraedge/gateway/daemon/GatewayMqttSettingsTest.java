package org.qoraedge.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.testing.TestNodes;
import org.qoraedge.gateway.testing.TlsFiles;

/** What the gateway's own MQTT connection and the {@code status} command's connect with. */
class GatewayMqttSettingsTest {
    private static final byte[] OFFLINE = "state=offline\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private GatewayConfig.Builder config() throws Exception {
        List<NodeCredentials> nodes = TestNodes.fleet("n-", 5);
        return GatewayConfig.builder().fleet("opts").keysFile(TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes))
                .aggregator(AggregatorKind.KRUM).f(1).dimension(8);
    }

    @Test
    void theGatewayKeepsAPersistentSessionAcknowledgesWhenDurableAndLeavesItsOfflineStatusAsWill() throws Exception {
        TlsFiles tls = TlsFiles.create(tmp.resolve("tls"));
        GatewayConfig c = config().stateDir(tmp.resolve("state")).credentials("gw-user", "gw-pass")
                .trustStore(tls.trustStore, new String(TlsFiles.PASSWORD)).build();

        MqttSettings s = Gateway.linkSettings(c, "ssl://127.0.0.1:8883", Duration.ofSeconds(7));
        assertEquals("ssl://127.0.0.1:8883", s.brokerUri());
        assertEquals("qora-gateway-opts", s.clientId());
        assertFalse(s.cleanSession());
        assertTrue(s.manualAcks());
        assertEquals(tmp.resolve("state").resolve("paho"), s.persistenceDir());
        assertEquals(Duration.ofSeconds(7), s.firstConnectTimeout());
        assertEquals(MqttSettings.publishBytesFor(Frame.maxUpdateSize(8)), s.maxInboundPublishBytes());
        assertEquals(tls.trustStore, s.trustStore());

        MqttConnectOptions o = s.connectOptions(GatewayLink.offlineWill(new Topics("opts").gatewayStatus(), OFFLINE));
        assertEquals(MqttConnectOptions.MQTT_VERSION_3_1_1, o.getMqttVersion());
        assertFalse(o.isCleanSession());
        assertTrue(o.isAutomaticReconnect());
        assertEquals(5000, o.getMaxReconnectDelay());
        assertEquals(30, o.getKeepAliveInterval());
        assertEquals(10, o.getConnectionTimeout());
        assertEquals(1000, o.getMaxInflight());
        assertEquals("gw-user", o.getUserName());
        assertArrayEquals("gw-pass".toCharArray(), o.getPassword());
        assertEquals("qora/v1/opts/gateway/status", o.getWillDestination());
        assertArrayEquals(OFFLINE, o.getWillMessage().getPayload());
        assertEquals(1, o.getWillMessage().getQos());
        assertTrue(o.getWillMessage().isRetained());
        assertInstanceOf(SSLSocketFactory.class, o.getSocketFactory());
    }

    @Test
    void withoutStateDirCredentialsOrTrustStoreTheGatewayKeepsInFlightMessagesInMemoryOnAPlainSocket() throws Exception {
        GatewayConfig c = config().clientId("gw-7").build();
        MqttSettings s = Gateway.linkSettings(c, "tcp://127.0.0.1:1883", null);
        assertEquals("gw-7", s.clientId());
        assertNull(s.persistenceDir());
        assertNull(s.firstConnectTimeout(), "retried until it succeeds");
        assertNull(s.username());
        assertNull(s.trustStore());
        MqttConnectOptions o = s.connectOptions(GatewayLink.offlineWill(new Topics("opts").gatewayStatus(), OFFLINE));
        assertFalse(o.isCleanSession());
        assertNull(o.getUserName());
        assertNull(o.getPassword());
        assertFalse(o.getSocketFactory() instanceof SSLSocketFactory);
    }

    @Test
    void theStatusCommandConnectsWithTheConfigsCredentialsACleanSessionOfItsOwnAndNoWill() throws Exception {
        TlsFiles tls = TlsFiles.create(tmp.resolve("tls"));
        GatewayConfig c = config().brokerUri("ssl://127.0.0.1:8883").stateDir(tmp.resolve("state")).credentials("st-user", "st-pass")
                .trustStore(tls.trustStore, new String(TlsFiles.PASSWORD)).build();

        MqttSettings s = GatewayMain.Status.mqttSettings(c, Duration.ofMillis(1500));
        assertEquals("ssl://127.0.0.1:8883", s.brokerUri());
        assertTrue(s.clientId().matches("qora-status-[0-9a-f]{8}"), s.clientId());
        assertTrue(s.cleanSession());
        assertFalse(s.manualAcks());
        assertNull(s.persistenceDir());
        assertEquals(Duration.ofMillis(1500), s.firstConnectTimeout());
        assertEquals(MqttSettings.publishBytesFor(16L << 20), s.maxInboundPublishBytes());

        MqttConnectOptions o = s.connectOptions(null);
        assertTrue(o.isCleanSession());
        assertTrue(o.isAutomaticReconnect());
        assertEquals(30, o.getKeepAliveInterval());
        assertEquals(10, o.getConnectionTimeout());
        assertEquals(1000, o.getMaxInflight());
        assertEquals("st-user", o.getUserName());
        assertArrayEquals("st-pass".toCharArray(), o.getPassword());
        assertNull(o.getWillDestination());
        assertInstanceOf(SSLSocketFactory.class, o.getSocketFactory());
    }
}
