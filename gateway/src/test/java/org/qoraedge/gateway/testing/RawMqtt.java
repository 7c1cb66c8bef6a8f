package org.qoraedge.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare MQTT 3.1.1 client over a socket, for tests that need packets no library sends on demand
 * (a resent PUBLISH with DUP, a PUBLISH left unacknowledged, a connection that just vanishes).
 */
public final class RawMqtt implements AutoCloseable {
    /** A packet read: its type (high nibble of the first byte, flags cleared), packet id, topic and payload if any. */
    public record Packet(int type, int packetId, String topic, String payload) {
    }

    public static final int CONNACK = 0x20;
    public static final int PUBLISH = 0x30;
    public static final int PUBACK = 0x40;
    public static final int SUBACK = 0x90;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RawMqtt(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** Opens a socket to 127.0.0.1:{@code port} and sends CONNECT (keep-alive 30 s) without waiting. */
    public static RawMqtt open(int port, String clientId, boolean cleanSession, int readTimeoutMillis) throws IOException {
        RawMqtt c = new RawMqtt(new Socket("127.0.0.1", port));
        c.socket.setSoTimeout(readTimeoutMillis);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT");
        body.write(4);
        body.write(cleanSession ? 0x02 : 0x00);
        body.write(0);
        body.write(30);
        string(body, clientId);
        c.send(0x10, body.toByteArray());
        return c;
    }

    /** {@link #open} and wait for a CONNACK that accepts. */
    public static RawMqtt connect(int port, String clientId, boolean cleanSession, int readTimeoutMillis) throws IOException {
        RawMqtt c = open(port, clientId, cleanSession, readTimeoutMillis);
        Packet p = c.read();
        if (p.type() != CONNACK) {
            throw new IOException("expected CONNACK, got " + p);
        }
        return c;
    }

    public void subscribe(String filter, int packetId) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId);
        string(body, filter);
        body.write(1);
        send(0x82, body.toByteArray());
        Packet p = read();
        if (p.type() != SUBACK) {
            throw new IOException("expected SUBACK, got " + p);
        }
    }

    /** A QoS 1 PUBLISH, with the DUP flag when {@code dup}. */
    public void publish(String topic, int packetId, String payload, boolean dup) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, topic);
        body.write(packetId >> 8);
        body.write(packetId);
        body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        send(0x32 | (dup ? 0x08 : 0), body.toByteArray());
    }

    /**
     * A QoS 0 PUBLISH whose topic is given as raw bytes: for topics no well-behaved library sends
     * (not UTF-8, for example).
     */
    public void publishQos0(byte[] topic, byte[] payload) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(topic.length >> 8);
        body.write(topic.length);
        body.writeBytes(topic);
        body.writeBytes(payload);
        send(0x30, body.toByteArray());
    }

    /** True while the broker keeps the connection: a PINGREQ is answered with a PINGRESP. */
    public boolean alive() {
        try {
            send(0xC0, new byte[0]);
            return read().type() == 0xD0;
        } catch (IOException e) {
            return false;
        }
    }

    public void puback(int packetId) throws IOException {
        send(0x40, new byte[] {(byte) (packetId >> 8), (byte) packetId});
    }

    /**
     * Receives one packet without decoding its payload, acknowledging a QoS 1 PUBLISH at once: for
     * measuring what the broker delivers when the client costs nothing.
     *
     * @return {@code type << 32 | length}: the packet's type (its first byte with the flags cleared) and
     *     its remaining length
     */
    public long receiveAndAck() throws IOException {
        int header = readHeader();
        byte[] b = readBody();
        int len = b.length;
        int type = header & 0xF0;
        if (type == PUBLISH && ((header >> 1) & 3) == 1) {
            int tl = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
            puback(((b[2 + tl] & 0xFF) << 8) | (b[3 + tl] & 0xFF));
        }
        return ((long) type << 32) | len;
    }

    /** Reads one packet; a SocketTimeoutException when none comes within the read timeout. */
    public Packet read() throws IOException {
        int header = readHeader();
        byte[] b = readBody();
        int type = header & 0xF0;
        if (type == PUBLISH) {
            int tl = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
            String topic = new String(b, 2, tl, StandardCharsets.UTF_8);
            int qos = (header >> 1) & 3;
            int id = qos > 0 ? ((b[2 + tl] & 0xFF) << 8) | (b[3 + tl] & 0xFF) : 0;
            int start = 2 + tl + (qos > 0 ? 2 : 0);
            return new Packet(type, id, topic, new String(b, start, b.length - start, StandardCharsets.UTF_8));
        }
        int id = b.length >= 2 && type != CONNACK ? ((b[0] & 0xFF) << 8) | (b[1] & 0xFF) : 0;
        return new Packet(type, id, null, null);
    }

    /** A packet's first byte. */
    private int readHeader() throws IOException {
        int header = in.read();
        if (header < 0) {
            throw new EOFException("connection closed");
        }
        return header;
    }

    /** The rest of a packet after its first byte: the remaining length, then that many bytes. */
    private byte[] readBody() throws IOException {
        int len = 0;
        int mult = 1;
        int digit;
        do {
            digit = in.read();
            if (digit < 0) {
                throw new EOFException("connection closed");
            }
            len += (digit & 0x7F) * mult;
            mult *= 128;
        } while ((digit & 0x80) != 0);
        byte[] b = in.readNBytes(len);
        if (b.length < len) {
            throw new EOFException("connection closed inside a packet");
        }
        return b;
    }

    private synchronized void send(int header, byte[] body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(header);
        int len = body.length;
        do {
            int digit = len % 128;
            len /= 128;
            b.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        b.writeBytes(body);
        out.write(b.toByteArray());
        out.flush();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length);
        out.writeBytes(b);
    }

    /** Closes the socket without DISCONNECT, as a crashed client. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
