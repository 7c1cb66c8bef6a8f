package org.qoraedge.fixedpoint.robust;

import java.math.BigInteger;
import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;

/**
 * Two-sided norm screening {@code norm-screen(l, h)}, TNBS (robust spec section 3). The indices are
 * ranked by (exact squared norm {@code Q(v_j) = 4^e_j * sum_i m_j,i^2}, index); the {@code l}
 * smallest and the {@code h} largest are dropped, the others kept, in ascending index order.
 * Requires {@code n >= l + h + 1}.
 */
public final class NormScreen implements Screen {
    private final int l;
    private final int h;

    private NormScreen(int l, int h) {
        this.l = l;
        this.h = h;
    }

    /**
     * @param l how many of the smallest norms to drop
     * @param h how many of the largest norms to drop
     * @throws RuleParameterException if {@code l < 0} or {@code h < 0}
     */
    public static NormScreen of(int l, int h) {
        RuleParameterException.atLeast("norm-screen", "l", l, 0);
        RuleParameterException.atLeast("norm-screen", "h", h, 0);
        return new NormScreen(l, h);
    }

    public int low() {
        return l;
    }

    public int high() {
        return h;
    }

    @Override
    public String name() {
        return "norm-screen";
    }

    @Override
    public int[] kept(Bfp16Block[] blocks) {
        return reference(blocks, l, h);
    }

    /**
     * The reference computation: the kept indices, ascending.
     *
     * @throws RuleParameterException if {@code l < 0} or {@code h < 0}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < l + h + 1}
     */
    public static int[] reference(Bfp16Block[] blocks, int l, int h) {
        RuleParameterException.atLeast("norm-screen", "l", l, 0);
        RuleParameterException.atLeast("norm-screen", "h", h, 0);
        Bfp16Block.commonDimension(blocks);
        int n = blocks.length;
        if (n < (long) l + h + 1) {
            throw new RuleQuorumException("norm-screen(l=" + l + ", h=" + h + ")", "l + h + 1", (long) l + h + 1, n);
        }
        int scale = Exact.minExponent(blocks);
        BigInteger[] q = new BigInteger[n];
        for (int j = 0; j < n; j++) {
            q[j] = Exact.squaredNorm(Exact.values(blocks[j], scale));
        }
        int[] ranking = Exact.rankByKeyThenIndex(q);
        int[] kept = Arrays.copyOfRange(ranking, l, n - h);
        Arrays.sort(kept);
        return kept;
    }

    /**
     * {@code tnbs(l, h)}: norm screening used alone as an aggregator, the exact mean of the kept
     * blocks (base spec section 6). Refuses what {@link #reference} refuses.
     */
    public static Bfp16Block tnbs(Bfp16Block[] blocks, int l, int h) {
        int[] kept = reference(blocks, l, h);
        Bfp16Block[] chosen = new Bfp16Block[kept.length];
        for (int t = 0; t < kept.length; t++) {
            chosen[t] = blocks[kept[t]];
        }
        return Means.mean(chosen);
    }

    @Override
    public String toString() {
        return "norm-screen(l=" + l + ", h=" + h + ")";
    }
}
