package org.qoraedge.gateway.aggregation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.InvalidBlockException;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.fast.MantissaStore;
import org.qoraedge.fixedpoint.fast.Parallelism;
import org.qoraedge.fixedpoint.krum.KrumResult;

/**
 * The fast path: fixedpoint's incremental {@link org.qoraedge.fixedpoint.fast.RoundBuffer} computes each update's dot products
 * with the ones already there as it arrives, so closing costs only the O(1) combinations, scoring,
 * ranking and the aggregate. Bit-identical to {@link ReferenceRoundBuffer} (fixedpoint's
 * equivalence tests, and gateway's own test of the two).
 *
 * <p>{@link #add} queues the update and adds the queue at once when it holds a full batch
 * (fixedpoint's {@code RoundBuffer.BATCH}, 16, or {@link #MAX_PENDING_BYTES} of mantissas), and
 * {@link #close} adds what is left: the updates already there are read once per batch of new ones,
 * and a full batch takes the tiled kernel. Adding after each handful of arrivals instead (as the round
 * worker once did after each batch it took from its inbox) cost more CPU time a round: every small
 * batch widens the stored updates again, and batches below 3 take the row kernel.
 *
 * <p>The buffer starts with room for {@code initialCapacity} updates and doubles when full (the dot
 * products copied, not computed again): the coordinator refuses unknown nodes, so this happens at
 * most a few times per round, and never when the capacity is the fleet size.
 *
 * <p>The mantissas live in the {@link MantissaStore} given: in the heap, or outside it
 * ({@link RoundBufferFactory#outOfHeap}). Closing reads them a tile at a time: Multi-Krum's and the
 * mean's aggregates and the mean's deviations hold no more than a tile of any update; Krum copies
 * the one update it selects.
 */
final class IncrementalRoundBuffer implements RoundBuffer {
    private final AggregationSettings settings;
    private org.qoraedge.fixedpoint.fast.RoundBuffer buffer; // fully qualified: fixedpoint's buffer, beside this package's
    private String[] ids;
    /** Updates added since the last {@link #flush}, in arrival order. */
    private final List<Bfp16Block> pending = new ArrayList<>();
    private final List<String> pendingIds = new ArrayList<>();
    private long pendingBytes;
    /** The most mantissa bytes queued before they are added (two 1,000,000-coordinate updates; one larger one). */
    static final long MAX_PENDING_BYTES = 4L << 20;

    IncrementalRoundBuffer(int dimension, int initialCapacity, AggregationSettings settings, MantissaStore store) {
        if (settings.kind() == AggregatorKind.PIPELINE) {
            throw new AggregationSettingsException("the incremental buffer runs Krum, Multi-Krum and the mean, not " + settings.ruleName());
        }
        this.settings = settings;
        this.buffer = new org.qoraedge.fixedpoint.fast.RoundBuffer(dimension, Math.max(1, initialCapacity), // fully qualified: fixedpoint's buffer, beside this package's
                Parallelism.defaults(), store);
        this.ids = new String[Math.max(1, initialCapacity)];
    }

    @Override
    public void add(String nodeId, Bfp16Block block) {
        if (block.dimension() != buffer.dimension()) {
            throw new InvalidBlockException("block has " + block.dimension() + " coordinates, this round's blocks have "
                    + buffer.dimension());
        }
        pendingIds.add(nodeId);
        pending.add(block);
        pendingBytes += 2L * block.dimension();
        if (pending.size() >= org.qoraedge.fixedpoint.fast.RoundBuffer.BATCH // fully qualified: fixedpoint's buffer
                || pendingBytes + 2L * block.dimension() > MAX_PENDING_BYTES) {
            flush(); // a queue never holds more than a batch, nor (beyond one block) more than MAX_PENDING_BYTES of mantissas
        }
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
        int first = buffer.size();
        try {
            buffer.addAll(pending);
        } finally {
            // What the store took is in the buffer (all of it, unless it failed part way: a full disk).
            for (int i = 0; i < buffer.size() - first; i++) {
                ids[first + i] = pendingIds.get(i);
            }
            pending.clear();
            pendingIds.clear();
            pendingBytes = 0;
        }
    }

    private void grow() {
        int capacity = buffer.capacity() * 2;
        buffer = buffer.grown(capacity);
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
                int[] all = new int[n];
                int[] exponents = new int[n];
                for (int k = 0; k < n; k++) {
                    all[k] = k;
                    exponents[k] = buffer.exponent(order[k]);
                }
                Bfp16Block mean = buffer.mean(order);
                org.qoraedge.fixedpoint.fast.RoundBuffer b = buffer; // fully qualified: fixedpoint's buffer, beside this package's
                long[] deviations = Deviations.of(exponents, (k, from, dst, off, len) -> b.read(order[k], from, dst, off, len), mean);
                return new AggregationResult(canonicalIds, new long[0], new int[0], all, 0, mean, List.of(), deviations,
                        new long[0]);
            }
        }
    }

    private static AggregationResult of(String[] ids, KrumResult r) {
        return new AggregationResult(ids, r.scores(), r.ranking(), r.selected(), r.referenceExponent(), r.aggregate());
    }
}
