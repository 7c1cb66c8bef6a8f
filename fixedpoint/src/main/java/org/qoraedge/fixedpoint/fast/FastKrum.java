package org.qoraedge.fixedpoint.fast;

import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.krum.DistanceMath;
import org.qoraedge.fixedpoint.krum.Distances;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.krum.RoundDistances;

/**
 * Fast Krum and Multi-Krum over a whole round: bit for bit the results of
 * {@link Krum#krum(Bfp16Block[], int, Metric)} and {@link Krum#multiKrum(Bfp16Block[], int, int, Metric)}
 * (same scores, ranking, selection, aggregate and digests; the same refusals, with the same exception
 * types), computed with the spec's section 4 identity: one sum of squares per block and one integer
 * dot product per unordered pair (chunked over the dimension so that a chunk of every block stays in
 * cache, 4x4 register tiles, threads splitting the dimension), combined by {@link DistanceMath#distance}.
 *
 * <p>For blocks that arrive one at a time, {@link RoundBuffer} does the dot products on arrival.
 *
 * <p>Vectorized with {@code jdk.incubator.vector} when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} on x86_64 or aarch64; plain Java otherwise, or when
 * {@code -Dqora.vector=false} is given ({@link #vectorized()}, {@link #implementation()}).
 *
 * <p>Memory: {@code O(n^2)} longs for the dot products and distances, plus per thread a buffer of
 * {@code n} chunks of 512 doubles; nothing is allocated per pair or per coordinate (except
 * that {@link DistanceMath} uses one {@code BigInteger} computation for a pair whose exponents are
 * more than 31 apart). Blocks must be in canonical order
 * ({@link org.qoraedge.fixedpoint.NodeIds#canonicalOrder}), as for {@link Krum}.
 *
 * <p>Thread safety: stateless; the blocks are immutable, so any number of calls may run at once.
 */
public final class FastKrum {
    private FastKrum() {
    }

    /** True when the vector kernels are in use (what cross-check's platform report prints). */
    public static boolean vectorized() {
        return Kernels.selected().isVector();
    }

    /**
     * Which kernels are in use and, for the scalar ones, why: for instance
     * {@code "vector (DoubleVector 512 bits, 8 lanes)"} or
     * {@code "scalar (jdk.incubator.vector not present; start the JVM with --add-modules jdk.incubator.vector)"}.
     */
    public static String implementation() {
        return Kernels.selection();
    }

    /** {@link #distances(Bfp16Block[], Metric, Parallelism)} with {@link Parallelism#defaults()}. */
    public static RoundDistances distances(Bfp16Block[] blocks, Metric metric) {
        return distances(blocks, metric, Parallelism.defaults());
    }

    /**
     * Every distance of a round: identical to {@link Distances#compute(Bfp16Block[], Metric)}.
     *
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws IllegalArgumentException for more than 65532 blocks (their pairs would not fit one array)
     */
    public static RoundDistances distances(Bfp16Block[] blocks, Metric metric, Parallelism parallelism) {
        return distances(blocks, metric, parallelism, Kernels.selected());
    }

    /** {@link #krum(Bfp16Block[], int, Metric, Parallelism)} with {@link Parallelism#defaults()}. */
    public static KrumResult krum(Bfp16Block[] blocks, int f, Metric metric) {
        return krum(blocks, f, metric, Parallelism.defaults());
    }

    /**
     * Krum: identical to {@link Krum#krum(Bfp16Block[], int, Metric)}.
     *
     * @throws org.qoraedge.fixedpoint.krum.QuorumException if {@code n < 2f + 3} or {@code f < 0}
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     */
    public static KrumResult krum(Bfp16Block[] blocks, int f, Metric metric, Parallelism parallelism) {
        return krum(blocks, f, metric, parallelism, Kernels.selected());
    }

    /** {@link #multiKrum(Bfp16Block[], int, int, Metric, Parallelism)} with {@link Parallelism#defaults()}. */
    public static KrumResult multiKrum(Bfp16Block[] blocks, int f, int m, Metric metric) {
        return multiKrum(blocks, f, m, metric, Parallelism.defaults());
    }

    /**
     * Multi-Krum(m): identical to {@link Krum#multiKrum(Bfp16Block[], int, int, Metric)}, the aggregate
     * computed by {@link FastMeans}.
     *
     * @throws org.qoraedge.fixedpoint.krum.QuorumException if {@code n < 2f + 3} or {@code f < 0}
     * @throws org.qoraedge.fixedpoint.krum.SelectionSizeException if {@code m} is outside {@code [1, n - 2f - 2]}
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     */
    public static KrumResult multiKrum(Bfp16Block[] blocks, int f, int m, Metric metric, Parallelism parallelism) {
        return multiKrum(blocks, f, m, metric, parallelism, Kernels.selected());
    }

    /**
     * Weighted Multi-Krum(m): identical to
     * {@link org.qoraedge.fixedpoint.robust.MultiKrum#reference(Bfp16Block[], int, int, Metric, long[])}:
     * the unweighted scores, ranking and selection, and as the aggregate the exact weighted mean of
     * the selected blocks with their weights ({@link FastMeans#weightedMean}). The same checks in the
     * same order: the quorum and {@code m}, the weights, the blocks.
     *
     * @param weights one weight {@code >= 1} per block; null for the unweighted rule
     * @throws org.qoraedge.fixedpoint.krum.QuorumException if {@code n < 2f + 3} or {@code f < 0}
     * @throws org.qoraedge.fixedpoint.krum.SelectionSizeException if {@code m} is outside {@code [1, n - 2f - 2]}
     * @throws org.qoraedge.fixedpoint.InvalidWeightException if a weight is below 1 or the counts differ
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     */
    public static KrumResult multiKrum(Bfp16Block[] blocks, int f, int m, Metric metric, long[] weights,
            Parallelism parallelism) {
        return multiKrum(blocks, f, m, metric, weights, parallelism, Kernels.selected());
    }

    /** A round's distances in the spec's pair order, with COMMON's reference exponent (0 for PAIRWISE). */
    record Triangle(int eRef, long[] upper) {
    }

    static Triangle triangle(Bfp16Block[] blocks, Metric metric, Parallelism parallelism, Kernels kernels) {
        Objects.requireNonNull(metric, "metric");
        int d = Bfp16Block.commonDimension(blocks);
        int n = blocks.length;
        checkRoundSize(n);
        long[] norms = new long[n];
        long[] upper = new long[(int) ((long) n * (n - 1) / 2)];
        PairDots.compute(blocks, d, kernels, parallelism, norms, upper);
        int[] exps = new int[n];
        for (int j = 0; j < n; j++) {
            exps[j] = blocks[j].exponent();
        }
        int eRef = metric == Metric.COMMON ? referenceExponent(exps, norms, null) : 0;
        combine(norms, exps, upper, 0, null, metric, eRef, upper, parallelism);
        return new Triangle(eRef, upper);
    }

    static RoundDistances distances(Bfp16Block[] blocks, Metric metric, Parallelism parallelism, Kernels kernels) {
        Triangle t = triangle(blocks, metric, parallelism, kernels);
        return RoundDistances.of(metric, t.eRef(), blocks.length, t.upper());
    }

    static KrumResult krum(Bfp16Block[] blocks, int f, Metric metric, Parallelism parallelism, Kernels kernels) {
        Krum.checkQuorum(blocks.length, f);
        Triangle t = triangle(blocks, metric, parallelism, kernels);
        return Scoring.krum(blocks, f, metric, t.eRef(), t.upper(), parallelism);
    }

    static KrumResult multiKrum(Bfp16Block[] blocks, int f, int m, Metric metric, Parallelism parallelism,
            Kernels kernels) {
        return multiKrum(blocks, f, m, metric, null, parallelism, kernels);
    }

    static KrumResult multiKrum(Bfp16Block[] blocks, int f, int m, Metric metric, long[] weights, Parallelism parallelism,
            Kernels kernels) {
        Krum.checkSelectionSize(blocks.length, f, m);
        if (weights != null) {
            Means.checkWeights(weights, blocks.length);
        }
        Triangle t = triangle(blocks, metric, parallelism, kernels);
        return Scoring.multiKrum(blocks, f, m, metric, t.eRef(), t.upper(), weights, parallelism, kernels);
    }

    /** Most blocks in one round: the spec's n(n-1)/2 distances, and the tiles of {@link PairDots}, fit one array. */
    static final int MAX_BLOCKS = 65_532;

    static void checkRoundSize(int n) {
        if (n > MAX_BLOCKS) {
            throw new IllegalArgumentException("a round of " + n + " blocks is too large for one array of pairs; at most "
                    + MAX_BLOCKS + " blocks");
        }
    }

    /**
     * COMMON's reference exponent from exponents and sums of squares (a block is all-zero exactly when
     * its sum of squares is 0): the same lower median as {@link Distances#referenceExponent(Bfp16Block[])}.
     *
     * @param order null for blocks {@code 0..n-1}, else the indices (slots) of the round's blocks
     */
    static int referenceExponent(int[] exps, long[] norms, int[] order) {
        int n = order == null ? exps.length : order.length;
        int[] nonZero = new int[n];
        int z = 0;
        for (int k = 0; k < n; k++) {
            int s = order == null ? k : order[k];
            if (norms[s] != 0) {
                nonZero[z++] = exps[s];
            }
        }
        return Distances.referenceExponent(nonZero, z);
    }

    /** Pairs per part below which combining is not worth a task. */
    private static final int MIN_PAIRS_PER_PART = 1 << 14;

    /**
     * {@code out[q] = D(a, b)} for the pairs {@code a < b} of the round in the spec's order, from the
     * sums of squares and the dot products ({@code out} may be {@code dots} itself when
     * {@code order} is null). Row ranges of about equal pair counts run in parallel.
     *
     * @param dots the dot products in the spec's pair order when {@code order} is null; else the
     *     square matrix {@code dots[s * stride + t]} of the slots
     * @param order null for blocks {@code 0..n-1}, else the slots of the round's blocks in canonical order
     */
    static void combine(long[] norms, int[] exps, long[] dots, int stride, int[] order, Metric metric, int eRef, long[] out,
            Parallelism parallelism) {
        int n = order == null ? norms.length : order.length;
        long pairs = (long) n * (n - 1) / 2;
        int parts = parallelism.parts(pairs / MIN_PAIRS_PER_PART);
        parallelism.run(parts, p -> {
            int from = firstRowWithPairs(n, pairs * p / parts);
            int to = p + 1 == parts ? n : firstRowWithPairs(n, pairs * (p + 1) / parts);
            combineRows(norms, exps, dots, stride, order, metric, eRef, out, n, from, to);
        });
    }

    /** The first row {@code a} whose pairs start at or after position {@code q} of the spec's order. */
    private static int firstRowWithPairs(int n, long q) {
        int a = 0;
        long start = 0;
        while (a < n && start < q) {
            start += n - 1 - a;
            a++;
        }
        return a;
    }

    private static void combineRows(long[] norms, int[] exps, long[] dots, int stride, int[] order, Metric metric, int eRef,
            long[] out, int n, int from, int to) {
        for (int a = from; a < to; a++) {
            int sa = order == null ? a : order[a];
            long na = norms[sa];
            int ea = exps[sa];
            int row = sa * stride;
            int q = a + 1 < n ? Scoring.index(n, a, a + 1) : 0;
            for (int b = a + 1; b < n; b++, q++) {
                int sb = order == null ? b : order[b];
                long dot = order == null ? dots[q] : dots[row + sb];
                out[q] = DistanceMath.distance(na, ea, norms[sb], exps[sb], dot, metric, eRef);
            }
        }
    }
}
