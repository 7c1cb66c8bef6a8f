package org.qoraedge.gateway.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** MQTT 3.1.1 packets written and read byte by byte, for tests that play a broker. */
final class MqttPackets {
    private MqttPackets() {
    }

    /** One packet read from a client: its first byte and its body. */
    record Packet(int first, byte[] body) {
        int type() {
            return first >>> 4;
        }

        int packetId() {
            return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        }
    }

    static Packet read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int first = d.readUnsignedByte();
        long len = 0;
        for (int i = 0; ; i++) {
            int c = d.readUnsignedByte();
            len |= (long) (c & 0x7F) << (7 * i);
            if ((c & 0x80) == 0) {
                break;
            }
        }
        byte[] body = new byte[(int) len];
        d.readFully(body);
        return new Packet(first, body);
    }

    static byte[] remainingLength(long n) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        do {
            int digit = (int) (n % 128);
            n /= 128;
            b.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        return b.toByteArray();
    }

    /** The head of a PUBLISH (fixed header, topic, packet id) whose payload has {@code payloadBytes}. */
    static byte[] publishHead(byte[] topic, int qos, int packetId, long payloadBytes) {
        long remaining = 2 + topic.length + (qos > 0 ? 2 : 0) + payloadBytes;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x30 | (qos << 1));
        b.writeBytes(remainingLength(remaining));
        b.write(topic.length >>> 8);
        b.write(topic.length & 0xFF);
        b.writeBytes(topic);
        if (qos > 0) {
            b.write(packetId >>> 8);
            b.write(packetId & 0xFF);
        }
        return b.toByteArray();
    }

    static byte[] publish(String topic, int qos, int packetId, byte[] payload) {
        return publish(topic.getBytes(StandardCharsets.UTF_8), qos, packetId, payload);
    }

    static byte[] publish(byte[] topic, int qos, int packetId, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(publishHead(topic, qos, packetId, payload.length));
        b.writeBytes(payload);
        return b.toByteArray();
    }

    static byte[] connack() {
        return new byte[] {0x20, 0x02, 0x00, 0x00};
    }

    /** A SUBACK granting QoS 1 to every topic of {@code subscribe}. */
    static byte[] suback(Packet subscribe) {
        int topics = 0;
        byte[] body = subscribe.body();
        int at = 2;
        while (at < body.length) {
            int len = ((body[at] & 0xFF) << 8) | (body[at + 1] & 0xFF);
            at += 2 + len + 1;
            topics++;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x90);
        b.writeBytes(remainingLength(2 + topics));
        b.write(body[0]);
        b.write(body[1]);
        for (int i = 0; i < topics; i++) {
            b.write(1);
        }
        return b.toByteArray();
    }

    /** Writes {@code n} bytes of 'x' without holding them in memory. */
    static void writeFiller(OutputStream out, long n) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        while (n > 0) {
            int k = (int) Math.min(chunk.length, n);
            out.write(chunk, 0, k);
            n -= k;
        }
    }
}
