package org.qoraedge.gateway.deploy;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.Topics;

/**
 * The broker limits a fleet needs: the largest MQTT PUBLISH any client of the fleet legitimately
 * sends (Mosquitto's {@code max_packet_size}) and the queue sizes of a client that is away.
 *
 * <p><b>Packet size.</b> Mosquitto 2.0.11 compares {@code 1 + remaining length} of every packet it
 * reads with {@code max_packet_size} and disconnects the client above it (measured: with a limit
 * of 1000, a QoS 1 PUBLISH on a 1-byte topic passes with 994 payload bytes and is refused with
 * 995). A QoS 1 PUBLISH is 1 fixed-header byte, a remaining-length field of 1 to 4 bytes, a 2-byte
 * topic length, the topic, a 2-byte packet id and the payload. The limit written is
 * {@code 1 + 4 + 2 + longest topic + 2 + largest payload}: it counts the remaining-length field at
 * its largest, which Mosquitto does not count at all, so every legal PUBLISH fits with 1 to 4
 * bytes to spare. The largest payload is the largest of:
 * <ul>
 *   <li>a frame (UPDATE or the gateway's MODEL): {@code 291 + 2d} (docs/PROTOCOL.md section 4);</li>
 *   <li>a text message (round announcement, gateway status, rejection notice, birth, death):
 *       at most {@value #TEXT_BYTES} bytes (each is a dozen short lines of identifiers, numbers,
 *       digests and at most one signature), plus, for the announcement of a round that draws a
 *       cohort (docs/PROTOCOL.md section 6.2), its {@code cohort} line: at most one id and a comma per
 *       registered node;</li>
 *   <li>the gateway's audit record (docs/AUDIT.md), bounded from the config: {@value #AUDIT_FIXED_BYTES}
 *       bytes for the fixed fields (config, digests, timing, signature), plus per registered node
 *       {@code 6 * J + }{@value #AUDIT_PER_NODE_BYTES} (expected, a cohort round's eligible nodes,
 *       canonical order, score, ranking, selection, reputation change, operator actions), plus per listed frame
 *       {@code J + }{@value #AUDIT_PER_FRAME_BYTES}, at most {@code audit.maxFrames} frames;
 *       {@code J} is the longest registered node id as JSON (quotes included, 6 bytes for any
 *       character but {@code [A-Za-z0-9._-]}, the longest a JSON writer's escape can make it).
 *       Only registered ids can appear: the broker's ACL lets nobody else publish on an update
 *       topic.</li>
 * </ul>
 *
 * <p><b>Queues.</b> A client that is away (the gateway restarting: its session persists) gets its
 * QoS 1 messages queued. {@code max_queued_messages = max(1000, 10 n)} holds, for each of the
 * {@code n} registered nodes, an update, a birth and a death of three rounds; {@code
 * max_queued_bytes = max(16 MiB, 4 n (largest frame PUBLISH))} bounds the memory one client's
 * queue can take, while holding four updates per node. Mosquitto drops (and counts in
 * {@code $SYS}) what does not fit.
 *
 * @param fleet the fleet
 * @param nodes number of registered nodes {@code n}
 * @param longestNodeIdBytes UTF-8 bytes of the longest registered node id
 * @param longestNodeIdJson {@code J}: the longest registered node id as JSON, at most
 * @param dimension model dimension {@code d}
 * @param auditMaxFrames {@code audit.maxFrames}
 */
public record BrokerLimits(String fleet, int nodes, int longestNodeIdBytes, int longestNodeIdJson, int dimension,
        int auditMaxFrames) {
    /** Bound of every text message the protocol publishes, in bytes. */
    public static final int TEXT_BYTES = 4096;
    /** Audit record bytes that do not grow with nodes or frames. */
    public static final int AUDIT_FIXED_BYTES = 8192;
    /** Audit record bytes per registered node, besides 6 copies of its id. */
    public static final int AUDIT_PER_NODE_BYTES = 1024;
    /** Audit record bytes per listed frame, besides its node id: keys, two 20-digit numbers, two digests, a status. */
    public static final int AUDIT_PER_FRAME_BYTES = 320;
    /** MQTT bytes of a QoS 1 PUBLISH besides topic and payload: fixed header byte, remaining length at its largest (4), topic length (2), packet id (2). */
    public static final int PUBLISH_OVERHEAD = 1 + 4 + 2 + 2;

    /** Limits of a fleet with these registered node ids. */
    public static BrokerLimits of(String fleet, Collection<String> nodeIds, int dimension, int auditMaxFrames) {
        int longest = 0;
        int longestJson = 2;
        for (String id : nodeIds) {
            longest = Math.max(longest, id.getBytes(StandardCharsets.UTF_8).length);
            longestJson = Math.max(longestJson, jsonBound(id));
        }
        return new BrokerLimits(fleet, nodeIds.size(), longest, longestJson, dimension, auditMaxFrames);
    }

    /** Bytes of {@code s} as a JSON string at most: quotes, and 6 bytes ({@code \\uXXXX}) for anything but {@code [A-Za-z0-9._-]}. */
    static int jsonBound(String s) {
        int n = 2;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            n += plain ? 1 : 6;
        }
        return n;
    }

    /** The largest update frame of the round, dense or sparse: {@link Frame#maxUpdateSize(int)}. */
    public long frameBytes() {
        return Frame.maxUpdateSize(dimension);
    }

    /** Upper bound of one audit record line, as published. */
    public long auditBytes() {
        return AUDIT_FIXED_BYTES + (long) nodes * (6L * longestNodeIdJson + AUDIT_PER_NODE_BYTES)
                + (long) auditMaxFrames * (longestNodeIdJson + AUDIT_PER_FRAME_BYTES);
    }

    /** The longest topic of the fleet, in UTF-8 bytes: {@code update/} or {@code reject/} of the longest id, or {@code gateway/status}. */
    public int topicBytes() {
        int prefix = new Topics(fleet).round().getBytes(StandardCharsets.UTF_8).length - "round".length();
        return prefix + Math.max("gateway/status".length(), "update/".length() + longestNodeIdBytes);
    }

    /** Upper bound of a text message: {@value #TEXT_BYTES}, plus a cohort line naming every registered node at most. */
    public long textBytes() {
        return TEXT_BYTES + (long) nodes * (longestNodeIdBytes + 1);
    }

    /** The largest payload a client of the fleet publishes. */
    public long payloadBytes() {
        return Math.max(Math.max(frameBytes(), textBytes()), auditBytes());
    }

    /** Mosquitto's {@code max_packet_size}. */
    public long maxPacketSize() {
        return PUBLISH_OVERHEAD + topicBytes() + payloadBytes();
    }

    /** Mosquitto's {@code max_queued_messages}. */
    public long maxQueuedMessages() {
        return Math.max(1000L, 10L * nodes);
    }

    /** Mosquitto's {@code max_queued_bytes}. */
    public long maxQueuedBytes() {
        return Math.max(16L << 20, 4L * nodes * (PUBLISH_OVERHEAD + topicBytes() + frameBytes()));
    }

    /** Which payload sets the packet limit, for the operator. */
    public String explanation() {
        String which = payloadBytes() == auditBytes() && auditBytes() > frameBytes()
                ? String.format(Locale.ROOT, "the audit record (%d nodes, audit.maxFrames = %d; lower audit.maxFrames to lower the limit)",
                        nodes, auditMaxFrames)
                : payloadBytes() == frameBytes() ? String.format(Locale.ROOT, "the largest frame of dimension %d", dimension)
                : "the largest text message";
        return String.format(Locale.ROOT, "%d = %d (MQTT header, topic length, packet id) + %d (longest topic) + %d (largest payload: %s;"
                + " frame %d, text %d, audit record %d)", maxPacketSize(), PUBLISH_OVERHEAD, topicBytes(), payloadBytes(), which,
                frameBytes(), textBytes(), auditBytes());
    }
}
