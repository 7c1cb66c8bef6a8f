package org.qoraedge.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An MQTT 3.1.1 client written byte by byte, for attacks no well-behaved library sends: topics
 * that are not UTF-8, for example. Anonymous, clean session, QoS 0 publishes only.
 */
public final class RawMqttClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;

    private RawMqttClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /** Connects and waits for a CONNACK that accepts the connection. */
    public static RawMqttClient connect(String host, int port, String clientId) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setSoTimeout(5000);
        RawMqttClient c = new RawMqttClient(s);
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        writeString(v, "MQTT".getBytes(StandardCharsets.US_ASCII));
        v.write(4);       // protocol level 3.1.1
        v.write(0x02);    // clean session
        v.write(0);
        v.write(60);      // keep-alive 60 s
        writeString(v, clientId.getBytes(StandardCharsets.UTF_8));
        c.packet(0x10, v.toByteArray());
        DataInputStream in = new DataInputStream(s.getInputStream());
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        in.readUnsignedByte();
        int code = in.readUnsignedByte();
        if (type != 0x20 || code != 0) {
            s.close();
            throw new IOException("broker refused the connection: packet " + type + ", return code " + code);
        }
        return c;
    }

    /** Publishes with QoS 0, the topic given as raw bytes. */
    public void publish(byte[] topic, byte[] payload, boolean retain) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        writeString(v, topic);
        v.writeBytes(payload);
        packet(0x30 | (retain ? 1 : 0), v.toByteArray());
    }

    /** True while the broker keeps the connection (a PINGREQ is answered). */
    public boolean alive() {
        try {
            packet(0xC0, new byte[0]);
            return socket.getInputStream().read() == 0xD0;
        } catch (IOException e) {
            return false;
        }
    }

    private void packet(int first, byte[] body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(first);
        long n = body.length;
        do {
            int digit = (int) (n % 128);
            n /= 128;
            b.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        b.writeBytes(body);
        out.write(b.toByteArray());
        out.flush();
    }

    private static void writeString(ByteArrayOutputStream b, byte[] s) {
        b.write(s.length >>> 8);
        b.write(s.length & 0xFF);
        b.writeBytes(s);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
