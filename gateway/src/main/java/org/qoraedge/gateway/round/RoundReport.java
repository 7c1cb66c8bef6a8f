package org.qoraedge.gateway.round;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.qoraedge.gateway.aggregation.AggregationResult;
import org.qoraedge.gateway.protocol.RejectReason;

/**
 * What one closed round did; handed to {@link RoundListener}s and published (as text) on the
 * audit topic. Immutable.
 *
 * @param round the round number
 * @param aggregated true when a new global model was produced; false when the round failed closed
 * @param failure why the round failed closed (null when aggregated)
 * @param acceptedIds accepted node ids in canonical order
 * @param result the aggregation (null when failed)
 * @param modelDigest digest of the global model after the round (unchanged when failed)
 * @param rejected this round's rejections by reason
 * @param rejectedByNode this round's rejections by node id, then reason (sorted by id)
 * @param closeNanos from the arrival in the inbox of the round's last accepted update to the end
 *     of the aggregation (the new model computed, or the round failed), before the reputation
 *     update, the state commit and any publication (the new model and the next announcement go
 *     out as the last steps of the close). It counts from the deadline instead when no update was accepted since the gateway
 *     opened the round (or resumed it after a restart), or when the deadline closed the round and
 *     passed after that arrival. 0 when that moment is still ahead (a round closed before its
 *     deadline with no update accepted since it was opened or resumed)
 * @param durationNanos from the start of the round's collection (its opening, after the pause that
 *     follows its announcement) to the end of its aggregation
 * @param deadlineReached true when the deadline (not the last expected node) closed the round
 */
public record RoundReport(long round, boolean aggregated, String failure, List<String> acceptedIds,
        AggregationResult result, String modelDigest, Map<RejectReason, Long> rejected,
        Map<String, Map<RejectReason, Long>> rejectedByNode, long closeNanos, long durationNanos, boolean deadlineReached) {

    public RoundReport {
        acceptedIds = List.copyOf(acceptedIds);
        rejected = Collections.unmodifiableMap(new EnumMap<>(rejected.isEmpty() ? new EnumMap<>(RejectReason.class) : rejected));
        rejectedByNode = Collections.unmodifiableMap(new TreeMap<>(rejectedByNode));
    }

    /** Total rejections this round. */
    public long rejectedTotal() {
        long t = 0;
        for (long v : rejected.values()) {
            t += v;
        }
        return t;
    }

    /** Rejections as {@code reason=count,...} in reason order, or {@code none}. */
    public String rejectedSummary() {
        if (rejected.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<RejectReason, Long> e : rejected.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ",").append(e.getKey().wireName()).append('=').append(e.getValue());
        }
        return sb.toString();
    }
}
