package org.qoraedge.fixedpoint.robust;

import java.math.BigInteger;
import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Coordinate-wise trimmed mean {@code trimmed-mean(b)} (robust spec section 2). Per coordinate,
 * the {@code b} smallest and the {@code b} largest exact values are dropped and the exact mean of
 * the {@code n - 2b} left is taken; the vector is encoded. {@code b = 0} is the plain mean; a
 * gateway's default is {@code b = f}.
 */
public final class TrimmedMean implements Aggregator {
    private final int b;

    private TrimmedMean(int b) {
        this.b = b;
    }

    /**
     * @throws RuleParameterException if {@code b < 0}
     */
    public static TrimmedMean of(int b) {
        RuleParameterException.atLeast("trimmed-mean", "b", b, 0);
        return new TrimmedMean(b);
    }

    public int b() {
        return b;
    }

    @Override
    public String name() {
        return "trimmed-mean";
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference) {
        return Aggregation.of(reference(blocks, b));
    }

    /**
     * The reference computation: exact, one big integer per value.
     *
     * @throws RuleParameterException if {@code b < 0}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2b + 1}
     */
    public static Bfp16Block reference(Bfp16Block[] blocks, int b) {
        RuleParameterException.atLeast("trimmed-mean", "b", b, 0);
        int d = Bfp16Block.commonDimension(blocks);
        int n = blocks.length;
        if (n < 2L * b + 1) {
            throw new RuleQuorumException("trimmed-mean(b=" + b + ")", "2b + 1", 2L * b + 1, n);
        }
        int scale = Exact.minExponent(blocks);
        BigInteger[][] v = Exact.values(blocks, scale);
        BigInteger[] column = new BigInteger[n];
        BigInteger[] sums = new BigInteger[d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < n; j++) {
                column[j] = v[j][i];
            }
            Arrays.sort(column);
            BigInteger s = BigInteger.ZERO;
            for (int p = b; p < n - b; p++) {
                s = s.add(column[p]);
            }
            sums[i] = s;
        }
        return Bfp16.encodeExact(sums, scale, BigInteger.valueOf(n - 2L * b));
    }

    @Override
    public String toString() {
        return "trimmed-mean(b=" + b + ")";
    }
}
