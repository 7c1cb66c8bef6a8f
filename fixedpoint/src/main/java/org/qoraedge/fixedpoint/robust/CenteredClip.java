package org.qoraedge.fixedpoint.robust;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;

/**
 * Centered clipping {@code centered-clip(f, L)} (robust spec section 6). From {@code u_0 = r}, each
 * of {@code L} iterations takes the differences {@code x_j = v_j - u_{l-1}}, the threshold
 * {@code T} at position {@code n - f - 1} of their squared norms in ascending order, clips each
 * {@code x_j} to {@code T} exactly ({@link Clipping}; one whose {@code Q(x_j)} equals {@code T} is
 * not clipped), and encodes {@code u_l = u_{l-1} + (1/n) sum_j s_j x_j}. The result is {@code u_L}.
 * Requires {@code n >= 2f + 1} and a reference of the blocks' length.
 *
 * <p>Given weights {@code w_j >= 1}, the thresholds and the clipping factors stay the unweighted
 * ones and each iteration encodes {@code u_l = u_{l-1} + (sum_j w_j s_j x_j) / W}, {@code W = sum_j w_j},
 * computed exactly; with every weight 1 this is the rule above.
 */
public final class CenteredClip implements WeightedAggregator {
    private final int f;
    private final int iterations;

    private CenteredClip(int f, int iterations) {
        this.f = f;
        this.iterations = iterations;
    }

    /**
     * @param f how many differences may be clipped (the {@code f} largest)
     * @param iterations {@code L}, the number of iterations
     * @throws RuleParameterException if {@code f < 0} or {@code L < 1}
     */
    public static CenteredClip of(int f, int iterations) {
        check(f, iterations);
        return new CenteredClip(f, iterations);
    }

    private static void check(int f, int iterations) {
        RuleParameterException.atLeast("centered-clip", "f", f, 0);
        RuleParameterException.atLeast("centered-clip", "L", iterations, 1);
    }

    public int f() {
        return f;
    }

    /** {@code L}. */
    public int iterations() {
        return iterations;
    }

    @Override
    public String name() {
        return "centered-clip";
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference) {
        return Aggregation.of(reference(blocks, f, iterations, reference));
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference, long[] weights) {
        return Aggregation.of(reference(blocks, f, iterations, reference, weights));
    }

    /**
     * The reference computation, every iteration exact in big integers.
     *
     * @param reference {@code u_0}; {@code null} means the zero block with {@code e = 0} and the
     *     blocks' length
     * @throws RuleParameterException if {@code f < 0} or {@code L < 1}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2f + 1}
     * @throws ReferenceLengthException if the reference's length is not the blocks'
     */
    public static CenteredClipResult reference(Bfp16Block[] blocks, int f, int iterations, Bfp16Block reference) {
        return reference(blocks, f, iterations, reference, null);
    }

    /**
     * The weighted reference computation: {@code T} and every {@code s_j} exactly as
     * {@link #reference(Bfp16Block[], int, int, Bfp16Block)} (the weights play no part in them), and
     * {@code u_l = encode(u_{l-1} + (sum_j w_j s_j x_j) / W)} with {@code W = sum_j w_j}, the exact
     * rational then encoded. Every weight 1 (or {@code null}) is the unweighted rule, bit for bit.
     * The checks come in the order listed below; the weights are checked last.
     *
     * @param reference {@code u_0}; {@code null} means the zero block with {@code e = 0} and the
     *     blocks' length
     * @param weights one weight {@code >= 1} per block, in the blocks' order; {@code null} for the
     *     unweighted rule
     * @throws RuleParameterException if {@code f < 0} or {@code L < 1}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2f + 1}
     * @throws ReferenceLengthException if the reference's length is not the blocks'
     * @throws org.qoraedge.fixedpoint.InvalidWeightException if a weight is below 1 or the counts differ
     */
    public static CenteredClipResult reference(Bfp16Block[] blocks, int f, int iterations, Bfp16Block reference,
            long[] weights) {
        check(f, iterations);
        int d = Bfp16Block.commonDimension(blocks);
        int n = blocks.length;
        if (n < 2L * f + 1) {
            throw new RuleQuorumException("centered-clip(f=" + f + ", L=" + iterations + ")", "2f + 1", 2L * f + 1, n);
        }
        Bfp16Block r = reference == null ? Bfp16Block.of(0, new short[d]) : reference;
        if (r.dimension() != d) {
            throw new ReferenceLengthException(r.dimension(), d);
        }
        BigInteger[] w = new BigInteger[n];
        if (weights != null) {
            Means.checkWeights(weights, n);
        }
        BigInteger total = BigInteger.ZERO; // W
        for (int j = 0; j < n; j++) {
            w[j] = BigInteger.valueOf(weights == null ? 1 : weights[j]);
            total = total.add(w[j]);
        }
        List<Dyadic> thresholds = new ArrayList<>();
        List<int[]> clipped = new ArrayList<>();
        List<Bfp16Block> iterates = new ArrayList<>();
        Bfp16Block u = r;
        for (int l = 1; l <= iterations; l++) {
            // Every value in units of 2^scale: the differences and their squared norms (units of
            // 4^scale) are integers.
            int scale = Math.min(Exact.minExponent(blocks), u.exponent());
            BigInteger[] uValues = Exact.values(u, scale);
            BigInteger[][] x = new BigInteger[n][d];
            BigInteger[] q = new BigInteger[n];
            for (int j = 0; j < n; j++) {
                BigInteger[] v = Exact.values(blocks[j], scale);
                for (int i = 0; i < d; i++) {
                    x[j][i] = v[i].subtract(uValues[i]);
                }
                q[j] = Exact.squaredNorm(x[j]);
            }
            BigInteger[] sorted = q.clone();
            Arrays.sort(sorted);
            BigInteger t = sorted[n - f - 1];
            thresholds.add(Dyadic.of(t, 2 * scale));
            // u_l = (W * u * 2^32 + sum_j w_j * s_j * x_j) / W in units of 2^(scale - 32), s_j in units of 2^-32.
            BigInteger[] sums = new BigInteger[d];
            for (int i = 0; i < d; i++) {
                sums[i] = uValues[i].multiply(total).shiftLeft(Clipping.FRACTION_BITS);
            }
            int[] clippedNow = new int[n];
            int c = 0;
            for (int j = 0; j < n; j++) {
                BigInteger ws = w[j].multiply(Clipping.factor(q[j], t));
                if (q[j].compareTo(t) > 0) {
                    clippedNow[c++] = j;
                }
                for (int i = 0; i < d; i++) {
                    sums[i] = sums[i].add(ws.multiply(x[j][i]));
                }
            }
            clipped.add(Arrays.copyOf(clippedNow, c));
            u = Bfp16.encodeExact(sums, scale - Clipping.FRACTION_BITS, total);
            iterates.add(u);
        }
        return new CenteredClipResult(r, thresholds, clipped, iterates);
    }

    @Override
    public String toString() {
        return "centered-clip(f=" + f + ", L=" + iterations + ")";
    }
}
