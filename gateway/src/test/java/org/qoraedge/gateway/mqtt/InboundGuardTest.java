package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;
import org.junit.jupiter.api.Test;

/**
 * The guard under Paho's reader: what it lets through is byte for byte what the broker sent, and
 * what it refuses reaches Paho as a small PUBLISH on {@code $qora/refused} with the original
 * packet id, which Paho's own decoder accepts.
 */
class InboundGuardTest {
    private static final byte[] OK_TOPIC = "qora/v1/demo/update/node-01".getBytes(StandardCharsets.UTF_8);

    /** Reads every packet the guard hands on, as complete byte arrays. */
    private static List<byte[]> packets(InputStream guard) throws IOException {
        ArrayList<byte[]> out = new ArrayList<>();
        while (true) {
            MqttPackets.Packet p;
            try {
                p = MqttPackets.read(guard);
            } catch (EOFException end) {
                return out;
            }
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(p.first());
            b.writeBytes(MqttPackets.remainingLength(p.body().length));
            b.writeBytes(p.body());
            out.add(b.toByteArray());
        }
    }

    private static MqttPublish decodeWithPaho(byte[] packet) throws Exception {
        return (MqttPublish) MqttWireMessage.createWireMessage(packet);
    }

    private static InputStream concat(byte[]... parts) {
        InputStream s = new ByteArrayInputStream(new byte[0]);
        for (byte[] p : parts) {
            s = new SequenceInputStream(s, new ByteArrayInputStream(p));
        }
        return s;
    }

    @Test
    void letsLegalPacketsThroughByteForByte() throws Exception {
        byte[] a = MqttPackets.publish(OK_TOPIC, 1, 7, "frame".getBytes(StandardCharsets.UTF_8));
        byte[] b = MqttPackets.publish("qora/v1/demo/round", 0, 0, new byte[300]);
        byte[] ack = {0x40, 0x02, 0x00, 0x09};
        byte[] ping = {(byte) 0xD0, 0x00};
        List<byte[]> got = packets(new InboundGuard(concat(a, ack, b, ping), 1000));
        assertEquals(4, got.size());
        assertArrayEquals(a, got.get(0));
        assertArrayEquals(ack, got.get(1));
        assertArrayEquals(b, got.get(2));
        assertArrayEquals(ping, got.get(3));
    }

    @Test
    void refusesAnOversizedPublishWithoutBufferingItAndKeepsItsPacketId() throws Exception {
        long payload = 50L * 1024 * 1024; // the 50 MB PUBLISH that killed Paho's receiver at -Xmx64m
        byte[] head = MqttPackets.publishHead(OK_TOPIC, 1, 4242, payload);
        CountingFiller filler = new CountingFiller(payload);
        byte[] next = MqttPackets.publish(OK_TOPIC, 1, 4243, "after".getBytes(StandardCharsets.UTF_8));
        InputStream source = new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(head), filler),
                new ByteArrayInputStream(next));
        List<byte[]> got = packets(new InboundGuard(source, 1024 * 1024));
        assertEquals(2, got.size());
        MqttPublish refused = decodeWithPaho(got.get(0));
        assertEquals(InboundGuard.REFUSED_TOPIC, refused.getTopicName());
        assertEquals(4242, refused.getMessageId());
        assertEquals(1, refused.getMessage().getQos());
        String[] r = InboundGuard.refusal(refused.getTopicName(), refused.getMessage().getPayload());
        assertEquals("oversize", r[0]);
        assertEquals(Long.toString(2 + OK_TOPIC.length + 2 + payload), r[1]);
        assertEquals(payload, filler.served, "the whole payload was read off the socket");
        assertTrue(filler.largestRead <= 8192, "read in small steps, largest " + filler.largestRead);
        assertArrayEquals(next, got.get(1));
    }

    @Test
    void refusesTopicsPahoCannotDecode() throws Exception {
        byte[][] bad = {
            {'q', '/', (byte) 0xFF, 'x'},                          // not UTF-8
            "q/\uFFFD".getBytes(StandardCharsets.UTF_8),            // U+FFFD, as Moquette forwards an invalid byte
            "q/\u0001".getBytes(StandardCharsets.UTF_8),            // control character
            "q/\uD83D\uDE00".getBytes(StandardCharsets.UTF_8),      // a well-formed pair Paho's check refuses
            {'q', '/', (byte) 0xC0, (byte) 0x80},                  // overlong NUL
            {},                                                   // empty topic
        };
        for (byte[] topic : bad) {
            byte[] p = MqttPackets.publish(topic, 1, 99, "x".getBytes(StandardCharsets.UTF_8));
            List<byte[]> got = packets(new InboundGuard(new ByteArrayInputStream(p), 1000));
            MqttPublish m = decodeWithPaho(got.get(0));
            assertEquals(InboundGuard.REFUSED_TOPIC, m.getTopicName());
            assertEquals(99, m.getMessageId());
            assertEquals("bad-topic", InboundGuard.refusal(m.getTopicName(), m.getMessage().getPayload())[0]);
        }
    }

    @Test
    void acceptsExactlyTheTopicsPahoDecodes() throws Exception {
        SplittableRandom random = new SplittableRandom(20261204L);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            int cp = switch (i % 4) {
                case 0 -> random.nextInt(0x80);
                case 1 -> random.nextInt(0x800);
                case 2 -> random.nextInt(0x10000);
                default -> random.nextInt(0x110000);
            };
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue; // not a scalar value: no UTF-8 encoding
            }
            byte[] topic = ("t/" + new String(Character.toChars(cp))).getBytes(StandardCharsets.UTF_8);
            byte[] packet = MqttPackets.publish(topic, 0, 0, new byte[1]);
            boolean paho;
            try {
                MqttWireMessage.createWireMessage(packet);
                paho = true;
            } catch (IllegalArgumentException e) {
                paho = false;
            }
            assertEquals(paho, InboundGuard.pahoAccepts(topic, topic.length), "code point U+" + Integer.toHexString(cp));
            accepted += paho ? 1 : 0;
        }
        assertTrue(accepted > 1000 && accepted < 19_000, "both kinds were tried: " + accepted);
    }

    @Test
    void keepsItsPlaceAcrossReadTimeouts() throws Exception {
        byte[] a = MqttPackets.publish(OK_TOPIC, 1, 1, new byte[500]);
        byte[] big = MqttPackets.publish(OK_TOPIC, 1, 2, new byte[5000]);
        byte[] c = MqttPackets.publish(OK_TOPIC, 0, 0, "c".getBytes(StandardCharsets.UTF_8));
        InputStream stuttering = new Stuttering(concat(a, big, c));
        InboundGuard guard = new InboundGuard(stuttering, 1000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64];
        int timeouts = 0;
        while (true) {
            int n;
            try {
                n = guard.read(buf, 0, buf.length);
            } catch (SocketTimeoutException e) {
                timeouts++;
                continue;
            }
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
        }
        assertTrue(timeouts > 100, "timeouts: " + timeouts);
        List<byte[]> got = packets(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(3, got.size());
        assertArrayEquals(a, got.get(0));
        assertEquals(2, decodeWithPaho(got.get(1)).getMessageId());
        assertEquals(InboundGuard.REFUSED_TOPIC, decodeWithPaho(got.get(1)).getTopicName());
        assertArrayEquals(c, got.get(2));
    }

    @Test
    void endsTheConnectionOnPacketsNoBrokerSends() {
        byte[] hugeSuback = new byte[5];
        hugeSuback[0] = (byte) 0x90;
        System.arraycopy(MqttPackets.remainingLength(1 << 20), 0, hugeSuback, 1, 3);
        IOException e = assertThrows(IOException.class, () -> packets(new InboundGuard(new ByteArrayInputStream(hugeSuback), 1000)));
        assertTrue(e.getMessage().contains("type 9"), e.getMessage());

        byte[] fiveByteLength = {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
        assertThrows(IOException.class, () -> packets(new InboundGuard(new ByteArrayInputStream(fiveByteLength), 1000)));

        byte[] qos3 = {0x36, 0x04, 0x00, 0x01, 'a', 0x00};
        assertThrows(IOException.class, () -> packets(new InboundGuard(new ByteArrayInputStream(qos3), 1000)));
    }

    @Test
    void refusesATopicLengthThatRunsPastThePacket() throws Exception {
        byte[] p = {0x30, 0x04, 0x00, 0x09, 'a', 'b', 0x31, 0x03, 0x00, 0x01, 'z'};
        List<byte[]> got = packets(new InboundGuard(new ByteArrayInputStream(p), 1000));
        assertEquals("malformed", InboundGuard.refusal(decodeWithPaho(got.get(0)).getTopicName(),
                decodeWithPaho(got.get(0)).getMessage().getPayload())[0]);
        assertEquals("z", decodeWithPaho(got.get(1)).getTopicName());
        assertFalse(got.size() > 2);
    }

    /** Serves {@code n} filler bytes, counting them and the largest single read. */
    private static final class CountingFiller extends InputStream {
        private final long n;
        long served;
        int largestRead;

        CountingFiller(long n) {
            this.n = n;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (served == n) {
                return -1;
            }
            int k = (int) Math.min(len, n - served);
            largestRead = Math.max(largestRead, k);
            served += k;
            return k;
        }
    }

    /** One byte per read, and a SocketTimeoutException before every other byte, as Paho's 1 s socket timeout can. */
    private static final class Stuttering extends InputStream {
        private final InputStream in;
        private boolean timeoutNext = true;

        Stuttering(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (timeoutNext) {
                timeoutNext = false;
                throw new SocketTimeoutException("Read timed out");
            }
            timeoutNext = true;
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int c = read();
            if (c < 0) {
                return -1;
            }
            b[off] = (byte) c;
            return 1;
        }
    }
}
