package org.qoraedge.gateway.mqtt;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Sits between the socket and Paho's packet reader and checks every MQTT packet the broker sends
 * before Paho sees a byte of it. Paho 1.2.5 allocates a received packet whole (twice) and decodes
 * its topic with a check that throws {@code IllegalArgumentException}; either kills its receiver
 * thread, the client does not notice, and nothing more arrives. So:
 *
 * <ul>
 *   <li>a PUBLISH whose remaining length exceeds {@code maxPublishBytes}, or whose topic is not one
 *       Paho can decode (malformed UTF-8, or a character Paho's check refuses: see
 *       {@link #pahoAccepts}), or whose topic length runs past the packet, is <em>replaced</em>: its
 *       bytes are read and discarded in 8 KiB steps (never buffered whole), and Paho is handed a
 *       small PUBLISH on {@link #REFUSED_TOPIC} with the same QoS, flags and packet id, whose payload
 *       is {@code reason=...\nbytes=...\n}. The link acknowledges it like any message, so the broker
 *       forgets the original and never delivers it again, and counts it as refused;</li>
 *   <li>any other packet longer than {@link #MAX_CONTROL_PACKET_BYTES}, a remaining length of more
 *       than four bytes, or a PUBLISH with QoS 3 ends the connection with an IOException (Paho then
 *       reconnects): no broker sends those.</li>
 * </ul>
 *
 * <p>Parsing is incremental: Paho's socket has a 1 s read timeout and a SocketTimeoutException may
 * come at any byte; the guard keeps its place and goes on at the next read. Not thread-safe (one
 * reader, Paho's receiver).
 */
final class InboundGuard extends FilterInputStream {
    /**
     * The topic of the replacement packets. Brokers deliver only topics a client subscribed to, and
     * a subscription with a wildcard never matches a topic starting with {@code $}, so no real
     * message arrives on it.
     */
    static final String REFUSED_TOPIC = "$qora/refused";

    /** Longest packet other than PUBLISH accepted (a SUBACK for 65,535 topics fits). */
    static final int MAX_CONTROL_PACKET_BYTES = 1 << 16;

    private static final int PUBLISH = 3;
    private static final byte[] REFUSED_TOPIC_BYTES = REFUSED_TOPIC.getBytes(StandardCharsets.US_ASCII);

    /** Why a PUBLISH was replaced. */
    enum Reason {
        OVERSIZE("oversize"), BAD_TOPIC("bad-topic"), MALFORMED("malformed");

        final String wireName;

        Reason(String wireName) {
            this.wireName = wireName;
        }
    }

    private final long maxPublishBytes;
    private final InboundActivity window;
    private final BooleanSupplier closed;

    // Bytes to hand to Paho before anything else: a checked packet's head, or a replacement.
    private byte[] pending = new byte[0];
    private int pendingPos;
    // Bytes of the current packet that pass through unchanged (a checked PUBLISH's payload, a small control packet's body).
    private long passThrough;
    // Bytes of a replaced PUBLISH still to discard.
    private long discard;

    // Parse state of the packet being read.
    private enum Stage { FIRST, LENGTH, TOPIC_LENGTH, TOPIC, PACKET_ID }

    private Stage stage = Stage.FIRST;
    private int first;
    private long remaining;
    private int lengthBytes;
    private long consumed;        // bytes of the variable part read so far (PUBLISH)
    private int topicLength;
    private final byte[] topic = new byte[65_535];
    private int topicRead;
    private int packetId;
    private int packetIdRead;
    private final byte[] scratch = new byte[8192];

    /** @param maxPublishBytes largest remaining length of a PUBLISH let through (topic, packet id and payload) */
    InboundGuard(InputStream in, long maxPublishBytes) {
        this(in, maxPublishBytes, null, () -> false);
    }

    /**
     * @param window the link's receive window ({@link InboundActivity#admitPublish}): a PUBLISH's body
     *     is read only when it has room; null for none
     * @param closed true once the socket is closed (ends a wait for room)
     */
    InboundGuard(InputStream in, long maxPublishBytes, InboundActivity window, BooleanSupplier closed) {
        super(in);
        if (maxPublishBytes < 2) {
            throw new IllegalArgumentException("maxPublishBytes must be >= 2, got " + maxPublishBytes);
        }
        this.maxPublishBytes = maxPublishBytes;
        this.window = window;
        this.closed = closed;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (pendingPos < pending.length) {
                int n = Math.min(len, pending.length - pendingPos);
                System.arraycopy(pending, pendingPos, b, off, n);
                pendingPos += n;
                return n;
            }
            if (discard > 0) {
                int n = in.read(scratch, 0, (int) Math.min(scratch.length, discard));
                if (n < 0) {
                    return -1;
                }
                discard -= n;
                continue;
            }
            if (passThrough > 0) {
                int n = in.read(b, off, (int) Math.min(len, passThrough));
                if (n > 0) {
                    passThrough -= n;
                }
                return n;
            }
            if (!parseHead()) {
                return -1;
            }
        }
    }

    @Override
    public int available() throws IOException {
        int p = pending.length - pendingPos;
        if (p > 0) {
            return p;
        }
        return passThrough > 0 ? (int) Math.min(passThrough, in.available()) : 0;
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("skip is not supported on the MQTT inbound guard");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads one packet's head; sets pending / passThrough / discard. False at end of stream. */
    private boolean parseHead() throws IOException {
        while (true) {
            switch (stage) {
                case FIRST -> {
                    int c = in.read();
                    if (c < 0) {
                        return false;
                    }
                    first = c;
                    remaining = 0;
                    lengthBytes = 0;
                    stage = Stage.LENGTH;
                }
                case LENGTH -> {
                    int c = in.read();
                    if (c < 0) {
                        return false;
                    }
                    remaining |= (long) (c & 0x7F) << (7 * lengthBytes);
                    lengthBytes++;
                    if ((c & 0x80) != 0) {
                        if (lengthBytes == 4) {
                            throw new IOException("the broker sent a packet whose remaining length has more than 4 bytes");
                        }
                        continue;
                    }
                    if ((first >>> 4) != PUBLISH) {
                        if (remaining > MAX_CONTROL_PACKET_BYTES) {
                            throw new IOException("the broker sent a packet of type " + (first >>> 4) + " with " + remaining
                                    + " bytes; at most " + MAX_CONTROL_PACKET_BYTES + " are accepted");
                        }
                        pending = head(0);
                        pendingPos = 0;
                        passThrough = remaining;
                        stage = Stage.FIRST;
                        return true;
                    }
                    if (qos() == 3) {
                        throw new IOException("the broker sent a PUBLISH with QoS 3");
                    }
                    if (window != null) {
                        window.admitPublish(closed); // its body stays in the socket until the window has room
                    }
                    consumed = 0;
                    topicLength = 0;
                    topicRead = 0;
                    packetId = 0;
                    packetIdRead = 0;
                    stage = Stage.TOPIC_LENGTH;
                }
                case TOPIC_LENGTH -> {
                    if (remaining - consumed < 2) {
                        return replace(Reason.MALFORMED);
                    }
                    int c = in.read();
                    if (c < 0) {
                        return false;
                    }
                    consumed++;
                    topicLength = (topicLength << 8) | c;
                    if (consumed == 2) {
                        stage = Stage.TOPIC;
                    }
                }
                case TOPIC -> {
                    if (2L + topicLength + (qos() > 0 ? 2 : 0) > remaining) {
                        return replace(Reason.MALFORMED);
                    }
                    if (topicRead < topicLength) {
                        int n = in.read(topic, topicRead, topicLength - topicRead);
                        if (n < 0) {
                            return false;
                        }
                        topicRead += n;
                        consumed += n;
                        continue;
                    }
                    stage = Stage.PACKET_ID;
                }
                case PACKET_ID -> {
                    if (qos() > 0 && packetIdRead < 2) {
                        int c = in.read();
                        if (c < 0) {
                            return false;
                        }
                        packetId = (packetId << 8) | c;
                        packetIdRead++;
                        consumed++;
                        continue;
                    }
                    if (remaining > maxPublishBytes) {
                        return replace(Reason.OVERSIZE);
                    }
                    if (topicLength == 0 || !pahoAccepts(topic, topicLength)) {
                        return replace(Reason.BAD_TOPIC);
                    }
                    byte[] h = head((int) consumed);
                    int at = h.length - (int) consumed;
                    h[at++] = (byte) (topicLength >>> 8);
                    h[at++] = (byte) topicLength;
                    System.arraycopy(topic, 0, h, at, topicLength);
                    at += topicLength;
                    if (qos() > 0) {
                        h[at++] = (byte) (packetId >>> 8);
                        h[at] = (byte) packetId;
                    }
                    pending = h;
                    pendingPos = 0;
                    passThrough = remaining - consumed;
                    stage = Stage.FIRST;
                    return true;
                }
                default -> throw new IllegalStateException(stage.toString());
            }
        }
    }

    private int qos() {
        return (first >>> 1) & 0x03;
    }

    /** The fixed header of the current packet followed by room for {@code extra} bytes. */
    private byte[] head(int extra) {
        byte[] h = new byte[1 + lengthBytes + extra];
        h[0] = (byte) first;
        long r = remaining;
        for (int i = 1; i <= lengthBytes; i++) {
            int digit = (int) (r & 0x7F);
            r >>>= 7;
            h[i] = (byte) (i < lengthBytes ? digit | 0x80 : digit);
        }
        return h;
    }

    /**
     * Discards the rest of the current PUBLISH and hands Paho a replacement with the same flags
     * and packet id. When the packet id was not read (malformed before it), the connection ends
     * instead: a QoS 1 message cannot be acknowledged without its id.
     */
    private boolean replace(Reason reason) throws IOException {
        if (qos() > 0 && packetIdRead < 2) {
            throw new IOException("the broker sent a malformed PUBLISH (" + remaining + " bytes, topic length " + topicLength
                    + "): its packet id cannot be read");
        }
        byte[] payload = ("reason=" + reason.wireName + "\nbytes=" + remaining + "\n").getBytes(StandardCharsets.US_ASCII);
        int variable = 2 + REFUSED_TOPIC_BYTES.length + (qos() > 0 ? 2 : 0) + payload.length;
        byte[] p = new byte[2 + variable]; // variable < 128: one length byte
        int at = 0;
        p[at++] = (byte) first;
        p[at++] = (byte) variable;
        p[at++] = 0;
        p[at++] = (byte) REFUSED_TOPIC_BYTES.length;
        System.arraycopy(REFUSED_TOPIC_BYTES, 0, p, at, REFUSED_TOPIC_BYTES.length);
        at += REFUSED_TOPIC_BYTES.length;
        if (qos() > 0) {
            p[at++] = (byte) (packetId >>> 8);
            p[at++] = (byte) packetId;
        }
        System.arraycopy(payload, 0, p, at, payload.length);
        pending = p;
        pendingPos = 0;
        discard = remaining - consumed;
        stage = Stage.FIRST;
        return true;
    }

    /**
     * True when Paho 1.2.5's topic decoder accepts these bytes: strict UTF-8, then the character
     * test of its {@code MqttWireMessage.validateUTF8String}, reproduced as it is (it refuses every
     * ISO control character, every character from U+FDD0 up and, through an inverted test, every
     * well-formed surrogate pair), because anything it refuses kills the receiver thread.
     */
    static boolean pahoAccepts(byte[] bytes, int length) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) || c >= 0xFDD0) {
                return false;
            }
        }
        return true;
    }

    /** Parses the payload of a replacement packet: {@code [reason, bytes]}, or null if it is not one. */
    static String[] refusal(String topic, byte[] payload) {
        if (!REFUSED_TOPIC.equals(topic)) {
            return null;
        }
        String text = new String(payload, StandardCharsets.US_ASCII);
        String reason = null;
        String bytes = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("reason=")) {
                reason = line.substring(7);
            } else if (line.startsWith("bytes=")) {
                bytes = line.substring(6);
            }
        }
        return reason == null || bytes == null ? null : new String[] {reason, bytes};
    }
}
