package org.qoraedge.gateway.aggregation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.NodeIds;

/**
 * Closes one buffer of buffered asynchronous aggregation (docs/PROTOCOL.md section 6.3): the
 * buffer's updates in canonical order (by node id, as a synchronous round orders them), each
 * weighted by its {@link BufferedSettings#weight staleness weight} (times the node's reputation
 * weight when reputation weighting is on), through the round's robust rule by {@link RoundClose}
 * and its weighted round buffer, as reputation weights are (docs/REPUTATION.md section 7): the
 * robust selection and clipping ignore the weights, the averaging step weights what they keep.
 *
 * <p>Which updates make up a buffer depends on arrival; what this class computes from them does
 * not: the same updates in any order give the same bits. The gateway closes its buffers with it
 * and a replay recomputes them with it.
 */
public final class BufferedClose {
    private BufferedClose() {
    }

    /**
     * An accepted update of the buffer.
     *
     * @param nodeId the node
     * @param trainedFrom the model version it was trained from (the frame's {@code round} field)
     * @param block its block
     */
    public record Update(String nodeId, long trainedFrom, Bfp16Block block) {
    }

    /**
     * What the audit record lists of one update of a buffer.
     *
     * @param nodeId the node
     * @param trainedFrom the version it was trained from
     * @param staleness the buffer's version minus {@code trainedFrom}
     * @param weight the weight the averaging step gave it: the staleness weight, times the reputation
     *     weight in a reputation-weighted gateway
     */
    public record Entry(String nodeId, long trainedFrom, long staleness, long weight) {
    }

    /**
     * How a buffer closed.
     *
     * @param outcome the round outcome (accepted ids in canonical order, result, model after or failure)
     * @param entries one per update, in canonical order
     */
    public record Outcome(RoundClose.Outcome outcome, List<Entry> entries) {
        public Outcome {
            entries = List.copyOf(entries);
        }
    }

    /**
     * The weight of each update of buffer {@code version}: its staleness weight, times its node's
     * reputation weight when {@code reputation} is given.
     *
     * @param trainedFrom each node's version (the map is read when a weight is asked for)
     * @throws IllegalArgumentException (when a weight is asked for) for a node without a version or
     *     with a version outside the window
     */
    public static ToLongFunction<String> weights(BufferedSettings buffered, long version, Map<String, Long> trainedFrom,
            ToLongFunction<String> reputation) {
        return id -> {
            Long from = trainedFrom.get(id);
            if (from == null) {
                throw new IllegalArgumentException("node " + NodeIds.escape(id) + " has no update in buffer " + version);
            }
            long w = buffered.weight(version - from);
            return reputation == null ? w : Math.multiplyExact(w, reputation.applyAsLong(id));
        };
    }

    /**
     * Closes buffer {@code version}.
     *
     * @param aggregation the rule; a pipeline whose aggregator averages (weights apply to it)
     * @param buffered the mode's settings
     * @param buffers opens the round buffer the updates are added to, in canonical order
     * @param version the buffer's version: the version of {@code modelBefore}
     * @param dimension the model's dimension
     * @param updates the buffer's updates, in any order
     * @param modelBefore the current model (version {@code version}), or null in a replay without it
     * @param reference centered clipping's reference (the previous buffer's aggregate), null for the zero block
     * @param reputation each node's reputation weight, null when reputation weighting is off
     * @throws IllegalArgumentException when the rule cannot weight, a node appears twice, or an update
     *     is one {@link BufferedSettings#check} refuses (the caller's bug: the gateway refused it before)
     */
    public static Outcome close(AggregationSettings aggregation, BufferedSettings buffered, RoundBufferFactory buffers,
            long version, int dimension, List<Update> updates, Bfp16Block modelBefore, Bfp16Block reference,
            ToLongFunction<String> reputation) {
        if (!aggregation.whyNotWeighted().isEmpty()) {
            throw new IllegalArgumentException("buffered mode weights its updates: " + aggregation.whyNotWeighted());
        }
        Set<String> seen = new HashSet<>();
        String[] ids = new String[updates.size()];
        for (int k = 0; k < ids.length; k++) {
            Update u = updates.get(k);
            if (!seen.add(u.nodeId())) {
                throw new IllegalArgumentException("node " + NodeIds.escape(u.nodeId()) + " appears twice in buffer " + version);
            }
            if (buffered.check(version, u.trainedFrom()) != BufferedSettings.Verdict.ACCEPTED) {
                throw new IllegalArgumentException("node " + NodeIds.escape(u.nodeId()) + " trained from version "
                        + u.trainedFrom() + ", which buffer " + version + " does not take");
            }
            ids[k] = u.nodeId();
        }
        Map<String, Long> versions = new HashMap<>();
        for (Update u : updates) {
            versions.put(u.nodeId(), u.trainedFrom());
        }
        ToLongFunction<String> weightOf = weights(buffered, version, versions, reputation);
        int[] order = NodeIds.canonicalOrder(ids);
        RoundBuffer buffer = buffers.open(version, dimension, aggregation);
        List<Entry> entries = new ArrayList<>(ids.length);
        List<String> canonicalIds = new ArrayList<>(ids.length);
        for (int index : order) {
            Update u = updates.get(index);
            long staleness = version - u.trainedFrom();
            long w = weightOf.applyAsLong(u.nodeId());
            buffer.add(u.nodeId(), u.block());
            entries.add(new Entry(u.nodeId(), u.trainedFrom(), staleness, w));
            canonicalIds.add(u.nodeId());
        }
        RoundClose.Outcome outcome = RoundClose.close(aggregation, buffer, canonicalIds, modelBefore, reference, weightOf,
                buffered.serverStepShift());
        return new Outcome(outcome, entries);
    }
}
