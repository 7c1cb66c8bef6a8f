package org.qoraedge.gateway.round;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.qoraedge.gateway.protocol.RejectReason;

/**
 * One round's rejections, counted by reason and by node. The per-node counts feed the round's
 * report and the reputation evidence; a frame whose topic names no valid node id is counted by
 * reason only.
 */
final class RejectionTally {
    private final EnumMap<RejectReason, Long> byReason = new EnumMap<>(RejectReason.class);
    private final SortedMap<String, EnumMap<RejectReason, Long>> byNode = new TreeMap<>();

    /** Counts one rejection; {@code node} null for a topic that names no valid node. */
    void count(String node, RejectReason reason) {
        byReason.merge(reason, 1L, Long::sum);
        if (node != null) {
            byNode.computeIfAbsent(node, k -> new EnumMap<>(RejectReason.class)).merge(reason, 1L, Long::sum);
        }
    }

    /** Rejections by reason (a copy). */
    Map<RejectReason, Long> byReason() {
        return new EnumMap<>(byReason);
    }

    /** Rejections by node id, then reason, sorted by id (a copy). */
    Map<String, Map<RejectReason, Long>> byNode() {
        Map<String, Map<RejectReason, Long>> out = new TreeMap<>();
        for (Map.Entry<String, EnumMap<RejectReason, Long>> e : byNode.entrySet()) {
            out.put(e.getKey(), Collections.unmodifiableMap(new EnumMap<>(e.getValue())));
        }
        return out;
    }

    /** For each node with a rejection, the reasons it was refused for. */
    Map<String, Set<RejectReason>> reasonsByNode() {
        Map<String, Set<RejectReason>> out = new TreeMap<>();
        for (Map.Entry<String, EnumMap<RejectReason, Long>> e : byNode.entrySet()) {
            out.put(e.getKey(), e.getValue().keySet());
        }
        return out;
    }
}
