package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.testing.TlsFiles;

/** {@link MqttSettings#connectOptions}: the one place the options Paho connects with are made. */
class MqttSettingsTest {
    @TempDir
    Path tmp;

    @Test
    void theDefaultsGiveACleanSessionWithoutCredentialsOrWillOnAGuardedPlainSocket() throws IOException {
        MqttSettings s = MqttSettings.builder("tcp://127.0.0.1:1883", "c1").build();
        MqttConnectOptions o = s.connectOptions(null);
        assertEquals(MqttConnectOptions.MQTT_VERSION_3_1_1, o.getMqttVersion());
        assertTrue(o.isCleanSession());
        assertTrue(o.isAutomaticReconnect());
        assertEquals(5000, o.getMaxReconnectDelay());
        assertEquals(30, o.getKeepAliveInterval());
        assertEquals(10, o.getConnectionTimeout());
        assertEquals(1000, o.getMaxInflight());
        assertNull(o.getUserName());
        assertNull(o.getPassword());
        assertNull(o.getWillDestination());
        assertNull(o.getWillMessage());
        assertFalse(o.getSocketFactory() instanceof SSLSocketFactory);
        assertEquals(MqttSettings.publishBytesFor(16L << 20), MqttSockets.maxPublishBytes(o.getSocketFactory()));
    }

    @Test
    void theSessionKeepAliveInFlightLimitCredentialsAndWillAreTheSettings() throws IOException {
        MqttSettings s = MqttSettings.builder("tcp://127.0.0.1:1883", "c2").cleanSession(false).keepAliveSeconds(7).maxInflight(20)
                .credentials("user", "secret".toCharArray()).maxInboundPublishBytes(5000).build();
        byte[] payload = "gone".getBytes(StandardCharsets.UTF_8);
        MqttConnectOptions o = s.connectOptions(new MqttLink.Will("w/topic", payload, 1, true));
        assertFalse(o.isCleanSession());
        assertEquals(7, o.getKeepAliveInterval());
        assertEquals(20, o.getMaxInflight());
        assertEquals("user", o.getUserName());
        assertArrayEquals("secret".toCharArray(), o.getPassword());
        assertEquals("w/topic", o.getWillDestination());
        assertArrayEquals(payload, o.getWillMessage().getPayload());
        assertEquals(1, o.getWillMessage().getQos());
        assertTrue(o.getWillMessage().isRetained());
        assertEquals(5000, MqttSockets.maxPublishBytes(o.getSocketFactory()));
        assertNotSame(o, s.connectOptions(null), "new options at each call");
        assertNull(s.connectOptions(null).getWillDestination());
    }

    @Test
    void aUsernameWithoutPasswordIsSentAloneAndAPasswordWithoutUsernameIsNotKept() throws IOException {
        MqttConnectOptions alone = MqttSettings.builder("tcp://127.0.0.1:1883", "c3").credentials("user", null).build()
                .connectOptions(null);
        assertEquals("user", alone.getUserName());
        assertNull(alone.getPassword());
        MqttSettings noUser = MqttSettings.builder("tcp://127.0.0.1:1883", "c3").credentials(null, "pw".toCharArray())
                .trustStore(null, "tpw".toCharArray()).build();
        assertNull(noUser.password());
        assertNull(noUser.trustStorePassword());
        MqttConnectOptions o = noUser.connectOptions(null);
        assertNull(o.getUserName());
        assertNull(o.getPassword());
        assertFalse(o.getSocketFactory() instanceof SSLSocketFactory);
    }

    @Test
    void aTrustStoreGivesGuardedTlsSockets() throws Exception {
        TlsFiles tls = TlsFiles.create(tmp.resolve("tls"));
        MqttSettings s = MqttSettings.builder("ssl://127.0.0.1:8883", "c4").trustStore(tls.trustStore, TlsFiles.PASSWORD)
                .maxInboundPublishBytes(70_000).build();
        MqttConnectOptions o = s.connectOptions(null);
        assertInstanceOf(SSLSocketFactory.class, o.getSocketFactory());
        assertEquals(70_000, MqttSockets.maxPublishBytes(o.getSocketFactory()));
    }

    @Test
    void sslWithoutATrustStoreLeavesTheSocketsToPaho() throws IOException {
        MqttConnectOptions o = MqttSettings.builder("ssl://127.0.0.1:8883", "c5").build().connectOptions(null);
        assertNull(o.getSocketFactory(), "Paho's default TLS sockets, with the JVM's trust store");
    }

    @Test
    void aMissingTrustStoreIsRefusedWithItsPath() {
        Path missing = tmp.resolve("missing.p12");
        MqttSettings s = MqttSettings.builder("ssl://127.0.0.1:8883", "c6").trustStore(missing, "pw".toCharArray()).build();
        IOException e = assertThrows(IOException.class, () -> s.connectOptions(null));
        assertTrue(String.valueOf(e.getMessage()).contains(missing.toString()), String.valueOf(e.getMessage()));
    }
}
