package org.qoraedge.fixedpoint.robust;

import java.math.BigInteger;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;

/**
 * Nearest-neighbour mixing {@code nnm(f)} (robust spec section 4), a pre-aggregation step. For each
 * {@code j}, every index {@code i} (including {@code j}) is ranked by (exact {@code Q(v_j - v_i)},
 * index), never by COMMON's rounded, saturated distance; {@code y_j} is the exact mean (encoded) of
 * the first {@code n - f}. The output is {@code y_0 .. y_{n-1}}, in the input's order and numbering.
 * Requires {@code n >= 2f + 1}.
 */
public final class Nnm implements PreStep {
    private final int f;

    private Nnm(int f) {
        this.f = f;
    }

    /**
     * @throws RuleParameterException if {@code f < 0}
     */
    public static Nnm of(int f) {
        RuleParameterException.atLeast("nnm", "f", f, 0);
        return new Nnm(f);
    }

    public int f() {
        return f;
    }

    @Override
    public String name() {
        return "nnm";
    }

    @Override
    public Bfp16Block[] apply(Bfp16Block[] blocks) {
        return reference(blocks, f);
    }

    /**
     * The reference computation: every pair's exact squared distance as a big integer.
     *
     * @throws RuleParameterException if {@code f < 0}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2f + 1}
     */
    public static Bfp16Block[] reference(Bfp16Block[] blocks, int f) {
        RuleParameterException.atLeast("nnm", "f", f, 0);
        Bfp16Block.commonDimension(blocks);
        int n = blocks.length;
        if (n < 2L * f + 1) {
            throw new RuleQuorumException("nnm(f=" + f + ")", "2f + 1", 2L * f + 1, n);
        }
        BigInteger[][] v = Exact.values(blocks, Exact.minExponent(blocks));
        BigInteger[][] q = new BigInteger[n][n];
        for (int j = 0; j < n; j++) {
            q[j][j] = BigInteger.ZERO;
            for (int i = j + 1; i < n; i++) {
                q[j][i] = Exact.squaredDistance(v[j], v[i]);
                q[i][j] = q[j][i];
            }
        }
        Bfp16Block[] out = new Bfp16Block[n];
        Bfp16Block[] nearest = new Bfp16Block[n - f];
        for (int j = 0; j < n; j++) {
            int[] ranking = Exact.rankByKeyThenIndex(q[j]);
            for (int t = 0; t < nearest.length; t++) {
                nearest[t] = blocks[ranking[t]];
            }
            out[j] = Means.mean(nearest);
        }
        return out;
    }

    @Override
    public String toString() {
        return "nnm(f=" + f + ")";
    }
}
