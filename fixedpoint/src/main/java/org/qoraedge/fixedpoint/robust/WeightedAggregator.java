package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * An {@link Aggregator} that averages its inputs and can therefore give each block an integer
 * weight: {@link Mean}, {@link MultiKrum} and {@link CenteredClip}. With every weight 1 the result is
 * bit for bit the unweighted {@link #aggregate(Bfp16Block[], Bfp16Block)}. What each rule does with
 * the weights is written on {@link Pipeline}.
 */
public interface WeightedAggregator extends Aggregator {
    /**
     * Aggregates {@code blocks}, block {@code j} with weight {@code weights[j]}.
     *
     * @param reference as {@link Aggregator#aggregate(Bfp16Block[], Bfp16Block)}
     * @param weights one weight {@code >= 1} per block, in the blocks' order; {@code null} for the
     *     unweighted rule; not modified
     * @throws org.qoraedge.fixedpoint.InvalidWeightException if a weight is below 1 or the counts differ
     * @throws org.qoraedge.fixedpoint.FixedPointException if the rule refuses the input
     */
    Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference, long[] weights);
}
