package org.qoraedge.gateway.aggregation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.InvalidBlockException;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.fast.FastMeans;
import org.qoraedge.fixedpoint.krum.KrumResult;

/**
 * The fast path: fixedpoint's incremental {@link org.qoraedge.fixedpoint.fast.RoundBuffer} computes each update's dot products
 * with the ones already there as it arrives, so closing costs only the O(1) combinations, scoring,
 * ranking and the aggregate. Bit-identical to {@link ReferenceRoundBuffer} (fixedpoint's
 * equivalence tests, and gateway's own test of the two).
 *
 * <p>{@link #add} queues the update and {@link #flush} (the round worker, once it has taken what is
 * queued in its inbox) adds the queue at once: the updates already there are read once per batch of
 * new ones, so a worker that fell behind a burst catches up instead of staying behind it.
 *
 * <p>The buffer starts with room for {@code initialCapacity} updates and doubles when full
 * (re-adding the blocks already there): the coordinator refuses unknown nodes, so this happens at
 * most a few times per round, and never when the capacity is the fleet size.
 */
final class IncrementalRoundBuffer implements RoundBuffer {
    private final AggregationSettings settings;
    private final int dimension;
    private org.qoraedge.fixedpoint.fast.RoundBuffer buffer; // fully qualified: fixedpoint's buffer, beside this package's
    private String[] ids;
    /** Updates added since the last {@link #flush}, in arrival order. */
    private final List<Bfp16Block> pending = new ArrayList<>();
    private final List<String> pendingIds = new ArrayList<>();

    IncrementalRoundBuffer(int dimension, int initialCapacity, AggregationSettings settings) {
        if (settings.kind() == AggregatorKind.PIPELINE) {
            throw new AggregationSettingsException("the incremental buffer runs Krum, Multi-Krum and the mean, not " + settings.ruleName());
        }
        this.settings = settings;
        this.dimension = dimension;
        this.buffer = new org.qoraedge.fixedpoint.fast.RoundBuffer(dimension, Math.max(1, initialCapacity)); // fully qualified: fixedpoint's buffer, beside this package's
        this.ids = new String[Math.max(1, initialCapacity)];
    }

    @Override
    public void add(String nodeId, Bfp16Block block) {
        if (block.dimension() != dimension) {
            throw new InvalidBlockException("block has " + block.dimension() + " coordinates, this round's blocks have " + dimension);
        }
        pendingIds.add(nodeId);
        pending.add(block);
    }

    /** Adds the queued updates together: the blocks already there are read once per batch (fixedpoint's {@code addAll}). */
    @Override
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        while (buffer.capacity() - buffer.size() < pending.size()) {
            grow();
        }
        int first = buffer.addAll(pending);
        for (int i = 0; i < pendingIds.size(); i++) {
            ids[first + i] = pendingIds.get(i);
        }
        pending.clear();
        pendingIds.clear();
    }

    private void grow() {
        int capacity = buffer.capacity() * 2;
        org.qoraedge.fixedpoint.fast.RoundBuffer bigger = new org.qoraedge.fixedpoint.fast.RoundBuffer(dimension, capacity); // fully qualified: fixedpoint's buffer, beside this package's
        List<Bfp16Block> held = new ArrayList<>(buffer.size());
        for (int slot = 0; slot < buffer.size(); slot++) {
            held.add(buffer.block(slot));
        }
        bigger.addAll(held);
        buffer = bigger;
        ids = Arrays.copyOf(ids, capacity);
    }

    @Override
    public int size() {
        return buffer.size() + pending.size();
    }

    @Override
    public AggregationResult close() {
        flush();
        int n = buffer.size();
        String[] arrival = Arrays.copyOf(ids, n);
        int[] order = NodeIds.canonicalOrder(arrival);
        String[] canonicalIds = new String[n];
        for (int k = 0; k < n; k++) {
            canonicalIds[k] = arrival[order[k]];
        }
        switch (settings.kind()) {
            case KRUM:
                return of(canonicalIds, buffer.krum(order, settings.f(), settings.metric()));
            case MULTI_KRUM:
                return of(canonicalIds, buffer.multiKrum(order, settings.f(), settings.selectionSize(n), settings.metric()));
            default: {
                Bfp16Block[] canonical = new Bfp16Block[n];
                int[] all = new int[n];
                for (int k = 0; k < n; k++) {
                    canonical[k] = buffer.block(order[k]);
                    all[k] = k;
                }
                Bfp16Block mean = FastMeans.mean(canonical);
                return new AggregationResult(canonicalIds, new long[0], new int[0], all, 0, mean, List.of(),
                        Deviations.of(canonical, mean), new long[0]);
            }
        }
    }

    private static AggregationResult of(String[] ids, KrumResult r) {
        return new AggregationResult(ids, r.scores(), r.ranking(), r.selected(), r.referenceExponent(), r.aggregate());
    }
}
