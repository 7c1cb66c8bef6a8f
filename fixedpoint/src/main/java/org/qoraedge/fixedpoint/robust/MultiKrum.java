package org.qoraedge.fixedpoint.robust;

import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * Multi-Krum {@code multi-krum(f, m, metric)} as a pipeline's aggregator (base spec sections 4 to
 * 6), computed by {@link org.qoraedge.fixedpoint.krum.Krum}. Its ranking and selection index the
 * aggregator's input, after the pre-steps. Requires {@code n >= 2f + 3} and
 * {@code 1 <= m <= n - 2f - 2}. Given weights, the ranking and the selection are the unweighted
 * ones and the aggregate is the exact weighted mean of the selected blocks with their weights.
 */
public final class MultiKrum implements WeightedAggregator {
    private final int f;
    private final int m;
    private final Metric metric;

    private MultiKrum(int f, int m, Metric metric) {
        this.f = f;
        this.m = m;
        this.metric = metric;
    }

    /**
     * @throws RuleParameterException if {@code f < 0} or {@code m < 1} (an {@code m} above
     *     {@code n - 2f - 2} is refused when the round's {@code n} is known)
     */
    public static MultiKrum of(int f, int m, Metric metric) {
        RuleParameterException.atLeast("multi-krum", "f", f, 0);
        RuleParameterException.atLeast("multi-krum", "m", m, 1);
        return new MultiKrum(f, m, Objects.requireNonNull(metric, "metric"));
    }

    public int f() {
        return f;
    }

    public int m() {
        return m;
    }

    public Metric metric() {
        return metric;
    }

    @Override
    public String name() {
        return "multi-krum";
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference) {
        return Aggregation.of(reference(blocks, f, m, metric));
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference, long[] weights) {
        return Aggregation.of(reference(blocks, f, m, metric, weights));
    }

    /**
     * The reference computation, {@link org.qoraedge.fixedpoint.krum.Krum#multiKrum}.
     *
     * @throws org.qoraedge.fixedpoint.krum.QuorumException if {@code n < 2f + 3} or {@code f < 0}
     * @throws org.qoraedge.fixedpoint.krum.SelectionSizeException if {@code m} is outside {@code [1, n - 2f - 2]}
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     */
    public static KrumResult reference(Bfp16Block[] blocks, int f, int m, Metric metric) {
        return org.qoraedge.fixedpoint.krum.Krum.multiKrum(blocks, f, m, metric); // fully qualified: the reference rule, beside this step
    }

    /**
     * The weighted reference computation: scores, ranking and selection exactly as
     * {@link #reference(Bfp16Block[], int, int, Metric)} (the weights play no part in them), and as
     * the aggregate the exact weighted mean ({@link Means#weightedMean}) of the selected blocks, each
     * with its weight. The checks come in this order: the quorum and {@code m}, the weights, the blocks.
     *
     * @param weights one weight {@code >= 1} per block, in the blocks' order; {@code null} for the
     *     unweighted rule
     * @throws org.qoraedge.fixedpoint.krum.QuorumException if {@code n < 2f + 3} or {@code f < 0}
     * @throws org.qoraedge.fixedpoint.krum.SelectionSizeException if {@code m} is outside {@code [1, n - 2f - 2]}
     * @throws org.qoraedge.fixedpoint.InvalidWeightException if a weight is below 1 or the counts differ
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     */
    public static KrumResult reference(Bfp16Block[] blocks, int f, int m, Metric metric, long[] weights) {
        if (weights == null) {
            return reference(blocks, f, m, metric);
        }
        org.qoraedge.fixedpoint.krum.Krum.checkSelectionSize(blocks.length, f, m); // fully qualified: the reference rule, beside this step
        Means.checkWeights(weights, blocks.length);
        KrumResult r = reference(blocks, f, m, metric);
        int[] selected = r.selected();
        Bfp16Block[] chosen = new Bfp16Block[selected.length];
        long[] chosenWeights = new long[selected.length];
        for (int t = 0; t < selected.length; t++) {
            chosen[t] = blocks[selected[t]];
            chosenWeights[t] = weights[selected[t]];
        }
        return KrumResult.of(r.metric(), r.f(), r.referenceExponent(), r.scores(), r.ranking(), selected,
                Means.weightedMean(chosen, chosenWeights));
    }

    @Override
    public String toString() {
        return "multi-krum(f=" + f + ", m=" + m + ", metric=" + metric + ")";
    }
}
