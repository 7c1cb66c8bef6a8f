package org.qoraedge.fixedpoint.krum;

import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * The straightforward reference distances of spec sections 3 and 4: per block the sum of squares,
 * per unordered pair one dot product, combined exactly by {@link DistanceMath}. Faster
 * implementations are checked against this one.
 */
public final class Distances {
    private Distances() {
    }

    /**
     * COMMON's reference exponent: the lower median of the exponents of the non-zero blocks (index
     * {@code (z-1)/2} of the {@code z} sorted exponents), or 0 if every block is all-zero.
     */
    public static int referenceExponent(Bfp16Block[] blocks) {
        int[] exps = new int[blocks.length];
        int z = 0;
        for (Bfp16Block b : blocks) {
            if (!b.isZero()) {
                exps[z++] = b.exponent();
            }
        }
        return referenceExponent(exps, z);
    }

    /** The lower median of the first {@code count} entries of {@code nonZeroExponents} (0 if none). */
    public static int referenceExponent(int[] nonZeroExponents, int count) {
        if (count == 0) {
            return 0;
        }
        int[] sorted = Arrays.copyOf(nonZeroExponents, count);
        Arrays.sort(sorted);
        return sorted[(count - 1) / 2];
    }

    /** Sum of squares of a block's mantissas; below 2^63 for every d below 2^33. */
    public static long sumOfSquares(Bfp16Block b) {
        long s = 0;
        for (int i = 0, d = b.dimension(); i < d; i++) {
            long m = b.mantissa(i);
            s += m * m;
        }
        return s;
    }

    /** The dot product of two blocks' mantissas (equal lengths assumed). */
    public static long dot(Bfp16Block a, Bfp16Block b) {
        long s = 0;
        for (int i = 0, d = a.dimension(); i < d; i++) {
            s += (long) a.mantissa(i) * b.mantissa(i);
        }
        return s;
    }

    /**
     * The distance between two blocks in the PAIRWISE metric.
     *
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if their lengths differ
     */
    public static long pairwise(Bfp16Block a, Bfp16Block b) {
        Bfp16Block.commonDimension(new Bfp16Block[] {a, b});
        return DistanceMath.distance(sumOfSquares(a), a.exponent(), sumOfSquares(b), b.exponent(), dot(a, b),
                Metric.PAIRWISE, 0);
    }

    /** Every distance of a round, in the given metric. */
    public static RoundDistances compute(Bfp16Block[] blocks, Metric metric) {
        Bfp16Block.commonDimension(blocks);
        int n = blocks.length;
        int eRef = metric == Metric.COMMON ? referenceExponent(blocks) : 0;
        long[] norms = new long[n];
        for (int j = 0; j < n; j++) {
            norms[j] = sumOfSquares(blocks[j]);
        }
        long[] upper = new long[n * (n - 1) / 2];
        int p = 0;
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                upper[p++] = DistanceMath.distance(norms[a], blocks[a].exponent(), norms[b], blocks[b].exponent(),
                        dot(blocks[a], blocks[b]), metric, eRef);
            }
        }
        return new RoundDistances(metric, eRef, n, upper);
    }
}
