package org.qoraedge.fixedpoint.robust;

import java.math.BigInteger;
import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Coordinate-wise median {@code median(f)} (robust spec section 1). Per coordinate, the middle
 * value of the {@code n} exact values ({@code n} odd) or the exact mean of the two middle values
 * ({@code n} even, not the lower median); the vector is encoded (base spec section 2). {@code f}
 * only fixes the quorum {@code n >= 2f + 1}.
 */
public final class Median implements Aggregator {
    private final int f;

    private Median(int f) {
        this.f = f;
    }

    /**
     * @throws RuleParameterException if {@code f < 0}
     */
    public static Median of(int f) {
        RuleParameterException.atLeast("median", "f", f, 0);
        return new Median(f);
    }

    public int f() {
        return f;
    }

    @Override
    public String name() {
        return "median";
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference) {
        return Aggregation.of(reference(blocks, f));
    }

    /**
     * The reference computation: exact, one big integer per value.
     *
     * @throws RuleParameterException if {@code f < 0}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2f + 1}
     */
    public static Bfp16Block reference(Bfp16Block[] blocks, int f) {
        RuleParameterException.atLeast("median", "f", f, 0);
        int d = Bfp16Block.commonDimension(blocks);
        int n = blocks.length;
        if (n < 2L * f + 1) {
            throw new RuleQuorumException("median(f=" + f + ")", "2f + 1", 2L * f + 1, n);
        }
        int scale = Exact.minExponent(blocks);
        BigInteger[][] v = Exact.values(blocks, scale);
        BigInteger[] column = new BigInteger[n];
        BigInteger[] twiceMedian = new BigInteger[d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < n; j++) {
                column[j] = v[j][i];
            }
            Arrays.sort(column);
            twiceMedian[i] = n % 2 == 1 ? column[(n - 1) / 2].shiftLeft(1) : column[n / 2 - 1].add(column[n / 2]);
        }
        return Bfp16.encodeExact(twiceMedian, scale, BigInteger.TWO);
    }

    @Override
    public String toString() {
        return "median(f=" + f + ")";
    }
}
