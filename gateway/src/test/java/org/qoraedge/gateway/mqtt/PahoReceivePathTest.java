package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.SplittableRandom;
import org.eclipse.paho.client.mqttv3.internal.wire.CountingInputStream;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;
import org.junit.jupiter.api.Test;

/**
 * The bulk-reading {@code CountingInputStream} that replaces Paho's: it is the one loaded, it decodes
 * packets to the same bytes, it counts what it reads, and it was written against the Paho release on
 * the classpath.
 */
class PahoReceivePathTest {
    @Test
    void theGatewaysClassIsTheOneLoadedAheadOfPahosOwn() {
        assertTrue(PahoReceivePath.bulk(), PahoReceivePath.describe());
        assertTrue(PahoReceivePath.describe().startsWith("bulk packet decoding"), PahoReceivePath.describe());
    }

    @Test
    void theReplacementWasWrittenAgainstThePahoReleaseOnTheClasspath() throws IOException {
        // A new Paho release may change CountingInputStream or fix it: look at it, then move PAHO_VERSION.
        Properties pom = new Properties();
        try (InputStream in = MqttWireMessage.class.getResourceAsStream(
                "/META-INF/maven/org.eclipse.paho/org.eclipse.paho.client.mqttv3/pom.properties")) {
            assertNotNull(in, "Paho's pom.properties is on the test classpath");
            pom.load(in);
        }
        assertEquals(PahoReceivePath.PAHO_VERSION, pom.getProperty("version"));
    }

    @Test
    void aLargePublishDecodesToTheSameTopicIdAndPayload() throws Exception {
        byte[] payload = new byte[200_017];
        new SplittableRandom(7).nextBytes(payload);
        String topic = "qora/bench/update/node-042";
        byte[] packet = publishPacket(topic, 4242, payload);

        MqttWireMessage message = MqttWireMessage.createWireMessage(packet);

        MqttPublish publish = assertInstanceOf(MqttPublish.class, message);
        assertEquals(topic, publish.getTopicName());
        assertEquals(4242, publish.getMessageId());
        assertEquals(1, publish.getMessage().getQos());
        assertArrayEquals(payload, publish.getMessage().getPayload());
    }

    @Test
    void bulkReadsCountEveryByteAcrossShortReadsAndStopAtTheEnd() throws IOException {
        byte[] data = new byte[10_000];
        new SplittableRandom(11).nextBytes(data);
        // A source that returns at most 7 bytes per call, as a socket may.
        InputStream trickle = new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7));
            }
        };
        CountingInputStream counting = new CountingInputStream(trickle);
        DataInputStream in = new DataInputStream(counting);
        assertEquals(data[0] & 0xFF, in.readUnsignedByte());
        byte[] rest = new byte[data.length - 1];
        in.readFully(rest);

        byte[] all = new byte[data.length];
        all[0] = data[0];
        System.arraycopy(rest, 0, all, 1, rest.length);
        assertArrayEquals(data, all);
        assertEquals(data.length, counting.getCounter());
        assertEquals(-1, counting.read(new byte[4], 0, 4));
        assertEquals(data.length, counting.getCounter(), "end of stream counts nothing");
        counting.resetCounter();
        assertEquals(0, counting.getCounter());
        assertEquals(-1, counting.read());
    }

    /** A QoS 1 PUBLISH, encoded by hand from MQTT 3.1.1 section 3.3. */
    private static byte[] publishPacket(String topic, int packetId, byte[] payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        int remaining = 2 + t.length + 2 + payload.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(remaining + 5);
        out.write(0x32);
        int x = remaining;
        do {
            int digit = x % 128;
            x /= 128;
            out.write(x > 0 ? digit | 0x80 : digit);
        } while (x > 0);
        out.write(t.length >> 8);
        out.write(t.length & 0xFF);
        out.writeBytes(t);
        out.write(packetId >> 8);
        out.write(packetId & 0xFF);
        out.writeBytes(payload);
        return out.toByteArray();
    }
}
