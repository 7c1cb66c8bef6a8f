package org.qoraedge.gateway.round;

import java.util.Locale;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.mqtt.InboundActivity;
import org.qoraedge.gateway.protocol.Frame;

/**
 * What a round needs in the heap, checked against {@code -Xmx} when the gateway starts, so that a
 * configuration that cannot fit is refused with its sizes instead of dying later with an
 * {@code OutOfMemoryError} in the middle of a round.
 *
 * <p>Krum, Multi-Krum and the mean keep the round's updates outside the heap (the default round
 * buffers: {@code RoundBufferFactory.outOfHeap}); their heap grows with {@code n^2} (the dot
 * products, 8 bytes a pair) and with {@code d} (the model, the aggregate, frames in flight), never
 * with {@code n x d}. Pipelines still hold every update of the round in the heap, and nearest-
 * neighbour mixing one mixed copy of each: {@value #PIPELINE_BYTES_PER_COORDINATE} bytes per
 * coordinate of the round, beside the rest of the gateway. The inbox may hold up to
 * {@code inbox.maxBytes} of queued frames on top of all that (a burst of updates waiting for the
 * round worker), so its bound counts in full, and so does the MQTT receive path below it:
 * {@value #RECEIVE_FRAMES} of the largest update frames, the {@link InboundActivity#WINDOW} received
 * ones outstanding (one in the link's handler, one in Paho's queue) and the three copies Paho makes
 * of the one it is decoding (its packet, the packet's body, the payload).
 */
final class HeapBudget {
    /** A pipeline's bytes per coordinate of the round: the updates (2) and their mixed copies (2). */
    static final long PIPELINE_BYTES_PER_COORDINATE = 4;
    /**
     * The rest of a gateway's live heap, whatever the rule (measured: 3 MiB at 10 x 1,000; the model,
     * the aggregate, a few frames in flight and their decoded blocks, nearest-neighbour mixing's
     * stored sums of at most 8 MiB, the audit record): 16 MiB, plus 12 bytes per coordinate of the
     * model (model, aggregate, a frame being decoded).
     */
    static final long BASE_BYTES = 16L << 20;
    static final long BYTES_PER_MODEL_COORDINATE = 12;
    /** Largest update frames the MQTT receive path may hold (see the class comment). */
    static final int RECEIVE_FRAMES = InboundActivity.WINDOW + 3;

    private HeapBudget() {
    }

    /**
     * The heap a round of {@code nodes} updates of {@code dimension} coordinates needs under
     * {@code rule}, with an inbox that may queue {@code inboxBytes} of frames, in bytes.
     */
    static long need(AggregationSettings rule, int nodes, int dimension, long inboxBytes) {
        return ruleBytes(rule, nodes, dimension) + rest(dimension) + receivePath(dimension) + inboxBytes;
    }

    /** What the rule keeps: every update and its mixed copy (a pipeline), or the dot products. */
    private static long ruleBytes(AggregationSettings rule, int nodes, int dimension) {
        return rule.kind() == AggregatorKind.PIPELINE ? PIPELINE_BYTES_PER_COORDINATE * nodes * (long) dimension : 8L * nodes * nodes;
    }

    /** The rest of the gateway: {@link #BASE_BYTES} and {@link #BYTES_PER_MODEL_COORDINATE} per coordinate. */
    private static long rest(int dimension) {
        return BASE_BYTES + BYTES_PER_MODEL_COORDINATE * dimension;
    }

    /** The MQTT receive path's bytes: {@link #RECEIVE_FRAMES} of the largest update frames of {@code dimension}. */
    static long receivePath(int dimension) {
        return RECEIVE_FRAMES * Frame.maxUpdateSize(dimension);
    }

    /**
     * Refuses a configuration whose rounds need more heap than {@code maxHeap} bytes.
     *
     * @param maxHeap the JVM's heap limit ({@code Runtime.maxMemory()}: {@code -Xmx}); {@code Long.MAX_VALUE} for none
     * @throws RoundSettingsException naming the rule, the sizes, the need and the limit
     */
    static void check(AggregationSettings rule, int nodes, int dimension, long maxHeap) {
        check(rule, nodes, dimension, 0, maxHeap);
    }

    /**
     * As {@link #check(AggregationSettings, int, int, long)}, with an inbox that may queue
     * {@code inboxBytes} of frames ({@code inbox.maxBytes}).
     */
    static void check(AggregationSettings rule, int nodes, int dimension, long inboxBytes, long maxHeap) {
        long need = need(rule, nodes, dimension, inboxBytes);
        if (need <= maxHeap) {
            return;
        }
        String why = rule.kind() == AggregatorKind.PIPELINE
                ? " keeps every update of a round in the heap: " + nodes + " nodes x " + dimension + " coordinates x "
                        + PIPELINE_BYTES_PER_COORDINATE + " bytes, plus " + mib(rest(dimension)) + " for the rest of the gateway"
                : " keeps the round's dot products in the heap: " + nodes + "^2 x 8 bytes, plus " + mib(rest(dimension))
                        + " for the rest of the gateway";
        why += ", " + mib(receivePath(dimension)) + " for the MQTT receive path (" + RECEIVE_FRAMES + " update frames of up to "
                + Frame.maxUpdateSize(dimension) + " bytes)";
        if (inboxBytes > 0) {
            why += " and " + mib(inboxBytes) + " for the inbox's queued frames (inbox.maxBytes)";
        }
        throw new RoundSettingsException("aggregator = " + rule.ruleName() + why + ", " + mib(need) + " in all, more than the "
                + mib(maxHeap) + " heap of this JVM (-Xmx); start it with -Xmx" + ((need >> 20) + 1) + "m or more"
                + (rule.kind() == AggregatorKind.PIPELINE ? ", or use krum, multi-krum or mean, whose updates stay outside the heap"
                        : "") + ", or register fewer nodes or a smaller model" + (inboxBytes > 0 ? " or a smaller inbox.maxBytes" : ""));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
