package org.qoraedge.fixedpoint.fast;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.InvalidBlockException;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.krum.RoundDistances;

/**
 * The blocks of one round, with their dot products computed as they arrive, so that closing the
 * round costs only the O(1) combination per pair, the scoring, the ranking and the aggregate.
 *
 * <p>Each {@link #add} computes the new block's sum of squares and its dot products with every block
 * already there ({@code O(size x d)} work, spread over the round's arrival time). Dot products, not
 * distances, are kept because COMMON's reference exponent is known only when the round is complete.
 * Closing takes the round's canonical order as a permutation of slots (blocks are added in arrival
 * order; Krum runs on them sorted by node id):
 * <pre>{@code
 * RoundBuffer buffer = new RoundBuffer(d, expectedNodes);   // once per round (or clear() and reuse)
 * String[] ids = new String[expectedNodes];
 * ...
 * int slot = buffer.add(block);           // on the round worker, for each accepted update
 * ids[slot] = nodeId;
 * ...
 * int[] order = NodeIds.canonicalOrder(Arrays.copyOf(ids, buffer.size()));
 * KrumResult r = buffer.multiKrum(order, f, m, Metric.COMMON);
 * // r's indices are canonical positions: node ids[order[r.selected()[0]]], ...
 * }</pre>
 * The result is identical to {@code Krum.multiKrum(blocks, f, m, metric)} on
 * {@code blocks[k] = block(order[k])}, whatever the arrival order was.
 *
 * <p>Memory: {@code capacity^2} longs of dot products (80 KB for 100 blocks, 8 MB for 1000),
 * allocated once, plus per
 * thread a few chunks of at most 512 doubles; {@code add} allocates nothing (beyond a small task
 * object when it runs in parallel). The blocks' mantissas are kept by a {@link MantissaStore}:
 * {@link MantissaStore#inHeap()} (the default) references the immutable blocks, {@code n x d}
 * shorts in the heap; a store outside the heap (the gateway's mapped scratch file) leaves the
 * buffer's heap at the dot products, whatever {@code d}. {@link #add} reads the blocks already
 * there a chunk at a time, and {@link #krum}, {@link #multiKrum} and {@link #mean} close the round
 * reading them a tile at a time ({@link FastMeans}: the aggregate, and {@code O(tile)} per thread);
 * Krum materializes only the one block it selects; {@link #normScreen} reads no block. {@link #block}
 * copies a block into the heap, and {@link #nnm} every block it mixes.
 *
 * <p>Thread safety: not thread-safe. One thread owns a buffer (a gateway's round worker) and makes
 * every call; {@code add} may use helper threads from its {@link Parallelism}, and returns only when
 * they are done. Results do not depend on the parallelism.
 */
public final class RoundBuffer {
    /** Coordinates per chunk of {@link #add}: the new block's chunk and 4 others stay in L1. */
    static final int CHUNK = 512;
    /**
     * New blocks whose dot products one pass computes together: each block already there is read and
     * widened to doubles once per batch, not once per new block (reading and widening them, not the
     * arithmetic, bound an add).
     */
    public static final int BATCH = 16;
    /**
     * Batches of at least this many new blocks widen each block they meet to doubles once and compute
     * 4 x 4 tiles of dot products; smaller ones convert the mantissas in registers, a row at a time
     * (a tile would be mostly empty).
     */
    static final int TILED = 3;
    /** Largest capacity: {@code capacity^2} dot products fit one array. */
    static final int MAX_CAPACITY = 46_340;

    private final int dimension;
    private final int capacity;
    private final Parallelism parallelism;
    private final Kernels kernels;
    private final int chunk;
    private final int tile;
    private final MantissaStore store;
    private final int[] exps;
    private final long[] norms;
    /**
     * {@code dots[s * capacity + t]} = dot product of slots s and t, both halves filled, so that a
     * canonical row reads one contiguous slot row however the round is permuted.
     */
    private final long[] dots;
    private final Work[] work;
    private int size;

    /**
     * Per-part scratch, allocated once: one chunk as doubles for each of up to {@link #BATCH} new
     * blocks (rows {@code 0 .. BATCH}) and for the 4 blocks they meet at a time (rows {@code BATCH ..
     * BATCH + 4}), a chunk of mantissas, the 4 blocks' chunks as mantissas, a 4 x 4 tile of sums, and
     * per new block a row of dot-product sums ({@code capacity + 4} longs, the stride) and its sum of
     * squares.
     */
    private static final class Work {
        final double[] rows;
        final short[] xs;
        final short[] ys;
        final long[] tile = new long[16];
        final int stride;
        final long[] acc;
        final long[] norm = new long[BATCH];

        Work(int chunk, int capacity) {
            rows = new double[(BATCH + 4) * chunk];
            xs = new short[chunk];
            ys = new short[4 * chunk];
            stride = capacity + 4;
            acc = new long[BATCH * stride];
        }
    }

    /**
     * A buffer for rounds of up to {@code capacity} blocks of {@code dimension} coordinates, using
     * {@link Parallelism#defaults()} in {@link #add}.
     *
     * @throws IllegalArgumentException if {@code dimension < 1} or {@code capacity} is outside [1, 46340]
     */
    public RoundBuffer(int dimension, int capacity) {
        this(dimension, capacity, Parallelism.defaults());
    }

    /**
     * A buffer for rounds of up to {@code capacity} blocks of {@code dimension} coordinates.
     *
     * @param parallelism the threads {@link #add} and the closing aggregate may use
     * @throws IllegalArgumentException if {@code dimension < 1} or {@code capacity} is outside [1, 46340]
     */
    public RoundBuffer(int dimension, int capacity, Parallelism parallelism) {
        this(dimension, capacity, parallelism, MantissaStore.inHeap());
    }

    /**
     * A buffer for rounds of up to {@code capacity} blocks of {@code dimension} coordinates, whose
     * mantissas {@code store} keeps (see the class comment).
     *
     * @param parallelism the threads {@link #add} and the closing aggregate may use
     * @param store where the blocks' mantissas are kept; it serves this buffer only (and the buffers
     *     {@link #grown} from it)
     * @throws IllegalArgumentException if {@code dimension < 1} or {@code capacity} is outside [1, 46340]
     */
    public RoundBuffer(int dimension, int capacity, Parallelism parallelism, MantissaStore store) {
        this(dimension, capacity, parallelism, Kernels.selected(), store, FastMeans.TILE);
    }

    RoundBuffer(int dimension, int capacity, Parallelism parallelism, Kernels kernels) {
        this(dimension, capacity, parallelism, kernels, MantissaStore.inHeap(), FastMeans.TILE);
    }

    /**
     * @param tile coordinates per tile of the closing means (tests use tiny ones)
     */
    RoundBuffer(int dimension, int capacity, Parallelism parallelism, Kernels kernels, MantissaStore store, int tile) {
        if (dimension < 1) {
            throw new IllegalArgumentException("a round buffer needs dimension >= 1, got " + dimension);
        }
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("round buffer capacity " + capacity + " is outside [1, " + MAX_CAPACITY + "]");
        }
        this.dimension = dimension;
        this.capacity = capacity;
        this.parallelism = Objects.requireNonNull(parallelism, "parallelism");
        this.kernels = kernels;
        this.chunk = Math.min(CHUNK, kernels.padded(dimension));
        this.store = Objects.requireNonNull(store, "store");
        if (tile < 1) {
            throw new IllegalArgumentException("tile of " + tile + " coordinates; a tile needs at least 1");
        }
        this.tile = tile;
        this.exps = new int[capacity];
        this.norms = new long[capacity];
        this.dots = new long[capacity * capacity];
        int chunks = (dimension + chunk - 1) / chunk;
        this.work = new Work[parallelism.workers(parallelism.parts(chunks))];
        for (int p = 0; p < work.length; p++) {
            work[p] = new Work(chunk, capacity);
        }
    }

    /** The coordinates every block must have. */
    public int dimension() {
        return dimension;
    }

    /** The most blocks this buffer takes. */
    public int capacity() {
        return capacity;
    }

    /** How many blocks were added (the next slot). */
    public int size() {
        return size;
    }

    /** The block in {@code slot}, in {@code [0, size())}. */
    public Bfp16Block block(int slot) {
        checkSlot(slot);
        return store.block(slot, exps[slot], dimension);
    }

    /** The exponent of the block in {@code slot}, in {@code [0, size())}. */
    public int exponent(int slot) {
        checkSlot(slot);
        return exps[slot];
    }

    /**
     * Copies {@code length} mantissas of the block in {@code slot}, from coordinate {@code from}, into
     * {@code dst} at {@code dstOffset}: how a caller reads a block a tile at a time without a copy of
     * it in the heap.
     */
    public void read(int slot, int from, short[] dst, int dstOffset, int length) {
        checkSlot(slot);
        if (from < 0 || length < 0 || from > dimension - length) {
            throw new IndexOutOfBoundsException("coordinates [" + from + ", " + ((long) from + length) + ") of a block of "
                    + dimension);
        }
        store.read(slot, from, dst, dstOffset, length);
    }

    /** Forgets every block, keeping the memory, for the next round. */
    public void clear() {
        store.clear();
        size = 0;
    }

    /**
     * A buffer of a larger {@code capacity} holding this one's blocks, sums of squares and dot
     * products (copied, not computed again) and sharing its store; this buffer must not be used
     * afterwards.
     *
     * @throws IllegalArgumentException if {@code capacity} is below {@link #size()} or above 46340
     */
    public RoundBuffer grown(int capacity) {
        if (capacity < size) {
            throw new IllegalArgumentException("capacity " + capacity + " is below the " + size + " blocks held");
        }
        RoundBuffer b = new RoundBuffer(dimension, capacity, parallelism, kernels, store, tile);
        for (int s = 0; s < size; s++) {
            System.arraycopy(dots, s * this.capacity, b.dots, s * capacity, size);
        }
        System.arraycopy(norms, 0, b.norms, 0, size);
        System.arraycopy(exps, 0, b.exps, 0, size);
        b.size = size;
        return b;
    }

    /**
     * Adds a block and computes its sum of squares and its dot products with every block already
     * added. Costs {@code O(size() x dimension())}.
     *
     * @return the block's slot: {@code 0} for the first block, then {@code 1, 2, ...}
     * @throws InvalidBlockException if the block's dimension is not {@link #dimension()}
     * @throws RoundBufferException if {@link #capacity()} blocks were already added
     */
    public int add(Bfp16Block block) {
        return addAll(List.of(block));
    }

    /**
     * Adds blocks in the given order, as {@link #add} one by one would, with the same slots and the
     * same bits, and reads the blocks already there once per {@link #BATCH} new blocks instead of once
     * per block: a round worker that fell behind catches up by adding what is queued at once.
     *
     * @return the first block's slot (the others follow); {@link #size()} when {@code blocks} is empty
     * @throws InvalidBlockException if a block's dimension is not {@link #dimension()} (nothing is added)
     * @throws RoundBufferException if the blocks do not fit in {@link #capacity()} (nothing is added)
     */
    public int addAll(List<Bfp16Block> blocks) {
        for (Bfp16Block b : blocks) {
            Objects.requireNonNull(b, "block");
            if (b.dimension() != dimension) {
                throw new InvalidBlockException("block has " + b.dimension() + " coordinates, this round's blocks have "
                        + dimension);
            }
        }
        if (blocks.size() > capacity - size) {
            throw new RoundBufferException(size == capacity ? "round buffer is full: it holds its capacity of " + capacity + " blocks"
                    : "round buffer is full: it holds " + size + " of its capacity of " + capacity + " blocks, " + blocks.size()
                    + " more do not fit");
        }
        int first = size;
        for (int from = 0; from < blocks.size(); from += BATCH) {
            addBatch(blocks.subList(from, Math.min(blocks.size(), from + BATCH)));
        }
        return first;
    }

    /**
     * Adds at most {@link #BATCH} blocks, already checked, in slots {@code size() ..}; a block the
     * store cannot take (a full disk) is not added, nor are the ones after it in the batch.
     */
    private void addBatch(List<Bfp16Block> batch) {
        int s = size;
        int k = batch.size();
        int chunks = (dimension + chunk - 1) / chunk;
        int parts = parallelism.parts(chunks);
        for (Work w : work) {
            for (int r = 0; r < k; r++) {
                Arrays.fill(w.acc, r * w.stride, r * w.stride + Math.min(w.stride, s + k + 3), 0L);
            }
            Arrays.fill(w.norm, 0L);
        }
        parallelism.run(parts, (p, worker) -> addPart(batch, s, work[worker], p, parts, chunks));
        for (int r = 0; r < k; r++) {
            int slot = s + r;
            int row = slot * capacity;
            for (int t = 0; t < slot; t++) {
                long sum = 0;
                for (Work w : work) {
                    sum += w.acc[r * w.stride + t];
                }
                dots[row + t] = sum;
                dots[t * capacity + slot] = sum;
            }
            long norm = 0;
            for (Work w : work) {
                norm += w.norm[r];
            }
            store.put(slot, batch.get(r)); // may fail (a full disk): then this block and the rest are not taken
            norms[slot] = norm;
            exps[slot] = batch.get(r).exponent();
            size = slot + 1;
        }
    }

    /**
     * Part {@code p}: over its range of chunks, the dot products of the batch's blocks (slots
     * {@code s ..}) with every block before each of them, and their sums of squares, added to
     * {@code w}'s sums. Blocks are read 4 at a time (from the store, or from the batch for its own
     * earlier blocks) and widened to doubles once; each group then meets the new blocks 4 at a time in
     * the register tile ({@link Kernels#tile4x4}) while it is in L1.
     */
    private void addPart(List<Bfp16Block> batch, int s, Work w, int p, int parts, int chunks) {
        Kernels kn = kernels;
        int k = batch.size();
        int from = (int) ((long) p * chunks / parts);
        int to = (int) ((long) (p + 1) * chunks / parts);
        int rows = s + k - 1; // the last new block meets every block before it
        int ys = BATCH * chunk;
        for (int c = from; c < to; c++) {
            int start = c * chunk;
            int len = Math.min(chunk, dimension - start);
            int padded = kn.padded(len);
            for (int r = 0; r < k; r++) {
                kn.load(batch.get(r), start, len, padded, w.xs, w.rows, r * chunk); // the chunk as doubles, zero-padded
                w.norm[r] += kn.sumOfSquares(w.xs, len);
            }
            for (int g = 0; g < rows; g += 4) {
                int count = Math.min(4, rows - g);
                for (int q = 0; q < count; q++) {
                    int t = g + q;
                    if (t < s) {
                        store.read(t, start, w.ys, q * chunk, len);
                    } else {
                        batch.get(t - s).copyMantissas(start, w.ys, q * chunk, len);
                    }
                    Arrays.fill(w.ys, q * chunk + len, q * chunk + padded, (short) 0);
                }
                // Rows count..3 of the group, and rows k..3 of the new blocks' last tile, hold stale
                // chunks: their sums, like those of a new block with a block at or after its own slot,
                // are not its partners' and are never read.
                if (k < TILED) {
                    for (int r = 0; r < k; r++) {
                        if (g < s + r) {
                            kn.row1x4(w.rows, r * chunk, w.ys, 0, chunk, padded, w.acc, r * w.stride + g);
                        }
                    }
                    continue;
                }
                for (int q = 0; q < count; q++) {
                    kn.widen(w.ys, q * chunk, padded, padded, w.rows, ys + q * chunk);
                }
                for (int r0 = 0; r0 < k; r0 += 4) {
                    if (g >= s + Math.min(k - 1, r0 + 3)) {
                        continue; // no block of this group is a partner of these new blocks
                    }
                    Arrays.fill(w.tile, 0L);
                    kn.tile4x4(w.rows, r0 * chunk, ys, chunk, padded, w.tile, 0);
                    for (int i = 0; i < 4 && r0 + i < k; i++) {
                        int base = (r0 + i) * w.stride + g;
                        for (int j = 0; j < 4; j++) {
                            w.acc[base + j] += w.tile[4 * i + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * Every distance among the blocks named by {@code order}, in canonical order: identical to
     * {@code Distances.compute(blocks, metric)} on {@code blocks[k] = block(order[k])}.
     *
     * @param order distinct slots; {@code order[k]} is the slot of the block that is canonical block
     *     {@code k} (normally a permutation of every slot, from {@code NodeIds.canonicalOrder})
     * @throws RoundBufferException if {@code order} is empty, repeats a slot or names one not added
     */
    public RoundDistances distances(int[] order, Metric metric) {
        checkOrder(order);
        int eRef = referenceExponent(order, metric);
        return RoundDistances.of(metric, eRef, order.length, triangle(order, metric, eRef));
    }

    /**
     * Krum on the blocks named by {@code order}: identical to {@code Krum.krum(blocks, f, metric)} on
     * {@code blocks[k] = block(order[k])}; the result's indices are canonical positions {@code k}.
     *
     * @throws RoundBufferException as {@link #distances}
     * @throws org.qoraedge.fixedpoint.krum.QuorumException if {@code order.length < 2f + 3} or {@code f < 0}
     */
    public KrumResult krum(int[] order, int f, Metric metric) {
        checkOrder(order);
        Krum.checkQuorum(order.length, f);
        int eRef = referenceExponent(order, metric);
        return Scoring.krum(order.length, k -> block(order[k]), f, metric, eRef, triangle(order, metric, eRef), parallelism);
    }

    /**
     * Multi-Krum(m) on the blocks named by {@code order}: identical to
     * {@code Krum.multiKrum(blocks, f, m, metric)} on {@code blocks[k] = block(order[k])}; the
     * result's indices are canonical positions {@code k}.
     *
     * @throws RoundBufferException as {@link #distances}
     * @throws org.qoraedge.fixedpoint.krum.QuorumException if {@code order.length < 2f + 3} or {@code f < 0}
     * @throws org.qoraedge.fixedpoint.krum.SelectionSizeException if {@code m} is outside {@code [1, n - 2f - 2]}
     */
    public KrumResult multiKrum(int[] order, int f, int m, Metric metric) {
        checkOrder(order);
        Krum.checkSelectionSize(order.length, f, m);
        int eRef = referenceExponent(order, metric);
        return Scoring.multiKrum(rows(order), dimension, f, m, metric, eRef, triangle(order, metric, eRef), null, parallelism,
                kernels, tile);
    }

    /**
     * The exact mean of the blocks named by {@code order}: identical to {@code FastMeans.mean(blocks)}
     * on {@code blocks[k] = block(order[k])}, read from the store a tile at a time.
     *
     * @throws RoundBufferException as {@link #distances}
     */
    public Bfp16Block mean(int[] order) {
        checkOrder(order);
        return FastMeans.weightedMean(rows(order), dimension, FastMeans.ones(order.length), parallelism, kernels, tile);
    }

    /** The blocks named by {@code order} as the rows of a mean. */
    private FastMeans.Rows rows(int[] order) {
        return new FastMeans.Rows() {
            @Override
            public int count() {
                return order.length;
            }

            @Override
            public int exponent(int j) {
                return exps[order[j]];
            }

            @Override
            public boolean isZero(int j) {
                return norms[order[j]] == 0; // a sum of squares is 0 exactly when every mantissa is
            }

            @Override
            public void read(int j, int from, short[] dst, int off, int len) {
                store.read(order[j], from, dst, off, len);
            }
        };
    }

    /**
     * Norm screening {@code norm-screen(l, h)} of the blocks named by {@code order}, from the sums of
     * squares computed on arrival: identical to {@code FastRobust.normScreen(blocks, l, h, p)} on
     * {@code blocks[k] = block(order[k])}; the kept indices are canonical positions {@code k}, ascending.
     *
     * @throws RoundBufferException as {@link #distances}
     * @throws org.qoraedge.fixedpoint.robust.RuleParameterException if {@code l < 0} or {@code h < 0}
     * @throws org.qoraedge.fixedpoint.robust.RuleQuorumException if {@code order.length < l + h + 1}
     */
    public int[] normScreen(int[] order, int l, int h) {
        checkOrder(order);
        FastRobust.checkNormScreen(order.length, l, h);
        int n = order.length;
        long[] n2 = new long[n];
        int[] e = new int[n];
        for (int k = 0; k < n; k++) {
            n2[k] = norms[order[k]];
            e[k] = exps[order[k]];
        }
        return FastRobust.keptByNorm(n2, e, l, h);
    }

    /**
     * Nearest-neighbour mixing {@code nnm(f)} of the blocks named by {@code order} (for instance the
     * slots a norm screen kept), from the dot products computed on arrival: identical to
     * {@code FastRobust.nnm(blocks, f, p)} on {@code blocks[k] = block(order[k])}, the output in that
     * order. Costs the exact squared distances, the rankings and the means, no dot product.
     *
     * @throws RoundBufferException as {@link #distances}
     * @throws org.qoraedge.fixedpoint.robust.RuleParameterException if {@code f < 0}
     * @throws org.qoraedge.fixedpoint.robust.RuleQuorumException if {@code order.length < 2f + 1}
     */
    public Bfp16Block[] nnm(int[] order, int f) {
        checkOrder(order);
        Bfp16Block[] canonical = canonicalBlocks(order);
        FastRobust.checkNnm(canonical, f);
        int n = order.length;
        if (f == 0) {
            Bfp16Block[] out = new Bfp16Block[n];
            Arrays.fill(out, FastMeans.mean(canonical, parallelism));
            return out;
        }
        long[] n2 = new long[n];
        int[] e = new int[n];
        long[] upper = new long[(int) ((long) n * (n - 1) / 2)];
        int q = 0;
        for (int a = 0; a < n; a++) {
            n2[a] = norms[order[a]];
            e[a] = exps[order[a]];
            int row = order[a] * capacity;
            for (int b = a + 1; b < n; b++) {
                upper[q++] = dots[row + order[b]];
            }
        }
        return FastRobust.mix(canonical, f, n2, e, upper, parallelism, kernels);
    }

    private int referenceExponent(int[] order, Metric metric) {
        Objects.requireNonNull(metric, "metric");
        return metric == Metric.COMMON ? FastKrum.referenceExponent(exps, norms, order) : 0;
    }

    /** The distances of the round named by {@code order}, in the spec's pair order. */
    private long[] triangle(int[] order, Metric metric, int eRef) {
        int n = order.length;
        long[] upper = new long[(int) ((long) n * (n - 1) / 2)];
        FastKrum.combine(norms, exps, dots, capacity, order, metric, eRef, upper, parallelism);
        return upper;
    }

    private Bfp16Block[] canonicalBlocks(int[] order) {
        Bfp16Block[] out = new Bfp16Block[order.length];
        for (int k = 0; k < order.length; k++) {
            out[k] = store.block(order[k], exps[order[k]], dimension);
        }
        return out;
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= size) {
            throw new RoundBufferException("slot " + slot + " is outside [0, " + size + "): " + size + " blocks were added");
        }
    }

    private void checkOrder(int[] order) {
        Objects.requireNonNull(order, "order");
        if (order.length == 0) {
            throw new RoundBufferException("the canonical order names no slot; " + size + " blocks were added");
        }
        boolean[] seen = new boolean[size];
        for (int k = 0; k < order.length; k++) {
            int s = order[k];
            checkSlot(s);
            if (seen[s]) {
                throw new RoundBufferException("the canonical order names slot " + s + " twice (at position " + k + ")");
            }
            seen[s] = true;
        }
    }
}
