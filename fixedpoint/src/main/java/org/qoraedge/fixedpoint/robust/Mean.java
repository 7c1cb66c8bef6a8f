package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;

/**
 * The exact mean as a pipeline's aggregator (base spec section 6, {@link Means#mean}); given
 * weights, the exact weighted mean of the same section ({@link Means#weightedMean}).
 */
public final class Mean implements WeightedAggregator {
    private static final Mean INSTANCE = new Mean();

    private Mean() {
    }

    public static Mean of() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "mean";
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference) {
        return Aggregation.of(reference(blocks));
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference, long[] weights) {
        return Aggregation.of(reference(blocks, weights));
    }

    /**
     * The reference computation, {@link Means#mean}.
     *
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     */
    public static Bfp16Block reference(Bfp16Block[] blocks) {
        return Means.mean(blocks);
    }

    /**
     * The weighted reference computation, {@link Means#weightedMean}: {@code encode(sum_j w_j v_j / W)}
     * with {@code W = sum_j w_j}, exact.
     *
     * @param weights one weight {@code >= 1} per block; {@code null} for {@link #reference(Bfp16Block[])}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws org.qoraedge.fixedpoint.InvalidWeightException if a weight is below 1 or the counts differ
     */
    public static Bfp16Block reference(Bfp16Block[] blocks, long[] weights) {
        return weights == null ? Means.mean(blocks) : Means.weightedMean(blocks, weights);
    }

    @Override
    public String toString() {
        return "mean";
    }
}
