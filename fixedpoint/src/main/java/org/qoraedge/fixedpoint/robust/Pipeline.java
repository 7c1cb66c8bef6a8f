package org.qoraedge.fixedpoint.robust;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;

/**
 * A round's rule (robust spec section 7): pre-aggregation steps, then exactly one aggregator, for
 * example {@code Pipeline.of(NormScreen.of(1, 1), Nnm.of(1), MultiKrum.of(1, 3, Metric.COMMON))}.
 *
 * <p>Each step sees only the previous step's output, renumbered {@code 0 .. n'-1}, and applies its
 * own quorum to its own {@code n'}; a step's refusal refuses the pipeline (there is no fallback).
 * The result reports, for each {@link Screen} in order, the indices it kept in the pipeline's input
 * numbering. Immutable and safe to share between threads.
 *
 * <h2>Weighted rounds</h2>
 * A gateway may weight each node's update by an integer (derived, for instance, from the node's
 * reputation): {@link #apply(Bfp16Block[], Bfp16Block, long[])}. This extends robust spec section 7
 * as follows, everything exact as in the spec.
 * <ul>
 * <li>Weights: one {@code long w_j >= 1} per input block, in the pipeline's input numbering (the
 *     round's canonical order). A weight below 1, or a count other than the number of blocks, is
 *     refused ({@link org.qoraedge.fixedpoint.InvalidWeightException}, naming the count, or the index
 *     in the input numbering and the value).</li>
 * <li>Pre-steps carry the weights: a {@link Screen} ({@code norm-screen}) keeps the weights of the
 *     blocks it keeps, renumbered as the blocks are; any other pre-step ({@code nnm}) leaves each
 *     slot's weight where it is. The pre-steps themselves are unweighted: screening ranks and
 *     {@code nnm} mixes exactly as without weights.</li>
 * <li>{@code mean}: the exact weighted mean, base spec section 6
 *     ({@link org.qoraedge.fixedpoint.Means#weightedMean}), {@code encode(sum_j w_j v_j / W)} with
 *     {@code W = sum_j w_j}.</li>
 * <li>{@code multi-krum(f, m, metric)}: scores, ranking and selection exactly as without weights,
 *     then the exact weighted mean of the selected blocks with their weights.</li>
 * <li>{@code centered-clip(f, L)}: each iteration's threshold {@code T} and clipping factors
 *     {@code s_j} exactly as without weights; then
 *     {@code u_l = encode(u_{l-1} + (sum_j w_j s_j x_j) / W)}, {@code W = sum_j w_j}, the exact
 *     rational encoded (robust spec section 6 with {@code 1/n} replaced by the weights).</li>
 * <li>{@code krum}, {@code median} and {@code trimmed-mean} do not average, so there is nothing to
 *     weight: a pipeline ending in one of them, given weights, is refused with a
 *     {@link RuleWeightsException} before any block is read. {@link #acceptsWeights()} (and
 *     {@link PipelineSpec#acceptsWeights()}, for a configuration line) tells beforehand.</li>
 * </ul>
 * With every weight 1 the result is bit for bit the unweighted one; {@code null} weights are the
 * unweighted pipeline. The checks of a weighted call come first, in this order: the aggregator, the
 * weight count, each weight in index order; then the blocks, as without weights.
 */
public final class Pipeline {
    private final List<PreStep> preSteps;
    private final Aggregator aggregator;

    private Pipeline(List<PreStep> preSteps, Aggregator aggregator) {
        this.preSteps = List.copyOf(preSteps);
        this.aggregator = aggregator;
    }

    /**
     * A pipeline of {@code steps}: zero or more {@link PreStep}s, then one {@link Aggregator}.
     *
     * @throws PipelineShapeException if there is no step, the last step is not an aggregator, or
     *     an aggregator comes before the last step
     */
    public static Pipeline of(Step... steps) {
        return of(List.of(steps));
    }

    /** As {@link #of(Step...)}. */
    public static Pipeline of(List<? extends Step> steps) {
        int count = steps.size();
        if (count == 0) {
            throw new PipelineShapeException("a pipeline needs at least one step, its aggregator", -1, 0);
        }
        List<PreStep> pre = new ArrayList<>();
        for (int p = 0; p < count - 1; p++) {
            Step s = Objects.requireNonNull(steps.get(p), "step");
            if (!(s instanceof PreStep)) {
                throw new PipelineShapeException("step " + p + " of " + count + " is " + s
                        + "; only the last step may be an aggregator, the others must be pre-steps", p, count);
            }
            pre.add((PreStep) s);
        }
        Step last = Objects.requireNonNull(steps.get(count - 1), "step");
        if (!(last instanceof Aggregator)) {
            throw new PipelineShapeException("the last step (" + (count - 1) + " of " + count + ") is " + last
                    + ", not an aggregator; a pipeline ends with exactly one aggregator", count - 1, count);
        }
        return new Pipeline(pre, (Aggregator) last);
    }

    /** The pre-steps, in order. */
    public List<PreStep> preSteps() {
        return preSteps;
    }

    /** The aggregator, the last step. */
    public Aggregator aggregator() {
        return aggregator;
    }

    /** Every step, in order, the aggregator last. */
    public List<Step> steps() {
        List<Step> all = new ArrayList<>(preSteps);
        all.add(aggregator);
        return List.copyOf(all);
    }

    /**
     * True when the aggregator averages and so takes weights ({@link WeightedAggregator}: {@code mean},
     * {@code multi-krum}, {@code centered-clip}); a gateway that weights its rounds checks this when it
     * reads its configuration.
     */
    public boolean acceptsWeights() {
        return aggregator instanceof WeightedAggregator;
    }

    /**
     * Refuses this pipeline for weighted rounds unless {@link #acceptsWeights()}.
     *
     * @throws RuleWeightsException naming the aggregator, when it does not take weights
     */
    public void checkAcceptsWeights() {
        if (!acceptsWeights()) {
            throw new RuleWeightsException(aggregator.toString());
        }
    }

    /**
     * Refuses weights this pipeline cannot take for a round of {@code n} blocks, in this order: an
     * aggregator that does not take weights, a count other than {@code n}, then the first weight below
     * 1 (its index in the pipeline's input numbering). What {@link #apply(Bfp16Block[], Bfp16Block, long[])}
     * checks first, and the fast path with it.
     *
     * @throws RuleWeightsException when the aggregator does not take weights
     * @throws org.qoraedge.fixedpoint.InvalidWeightException naming the count, or the first bad
     *     weight's index and value
     */
    public void checkWeights(long[] weights, int n) {
        checkAcceptsWeights();
        Means.checkWeights(weights, n);
    }

    /** As {@link #apply(Bfp16Block[], Bfp16Block)} without a reference block. */
    public PipelineResult apply(Bfp16Block[] blocks) {
        return apply(blocks, null);
    }

    /**
     * Runs the pipeline on a round's blocks.
     *
     * @param blocks the round's {@code n} blocks in canonical order (base spec section 5); not modified
     * @param reference the reference block for an aggregator that uses one (centered clipping: the
     *     previous round's aggregate), or {@code null} for none (the zero block with {@code e = 0})
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws org.qoraedge.fixedpoint.FixedPointException whatever a step refuses on its own input
     */
    public PipelineResult apply(Bfp16Block[] blocks, Bfp16Block reference) {
        return apply(blocks, reference, null);
    }

    /**
     * Runs the pipeline on a round's blocks, each with a weight (see "Weighted rounds" above).
     *
     * @param blocks the round's {@code n} blocks in canonical order (base spec section 5); not modified
     * @param reference as {@link #apply(Bfp16Block[], Bfp16Block)}
     * @param weights one weight {@code >= 1} per block, in the same order; {@code null} for the
     *     unweighted pipeline; not modified
     * @throws RuleWeightsException if weights are given and the aggregator does not take them
     * @throws org.qoraedge.fixedpoint.InvalidWeightException if a weight is below 1 or the counts differ
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws org.qoraedge.fixedpoint.FixedPointException whatever a step refuses on its own input
     */
    public PipelineResult apply(Bfp16Block[] blocks, Bfp16Block reference, long[] weights) {
        long[] w = null; // w[k]: the weight of current block k
        if (weights != null) {
            checkWeights(weights, blocks.length);
            w = weights.clone();
        }
        Bfp16Block.commonDimension(blocks);
        Bfp16Block[] current = blocks.clone();
        int[] origin = new int[current.length]; // origin[k]: the pipeline input index of current block k
        for (int k = 0; k < origin.length; k++) {
            origin[k] = k;
        }
        List<int[]> kept = new ArrayList<>();
        for (PreStep step : preSteps) {
            if (step instanceof Screen) {
                int[] keep = ((Screen) step).kept(current);
                Bfp16Block[] next = new Bfp16Block[keep.length];
                int[] nextOrigin = new int[keep.length];
                long[] nextWeights = w == null ? null : new long[keep.length];
                for (int t = 0; t < keep.length; t++) {
                    if (keep[t] < 0 || keep[t] >= current.length || (t > 0 && keep[t] <= keep[t - 1])) {
                        throw new IllegalStateException(step + " returned kept indices that are not ascending within [0, "
                                + current.length + "): entry " + t + " is " + keep[t]);
                    }
                    next[t] = current[keep[t]];
                    nextOrigin[t] = origin[keep[t]];
                    if (w != null) {
                        nextWeights[t] = w[keep[t]];
                    }
                }
                kept.add(nextOrigin);
                current = next;
                origin = nextOrigin;
                w = nextWeights;
            } else {
                Bfp16Block[] next = step.apply(current);
                if (next.length != current.length) {
                    throw new IllegalStateException(step + " mapped " + current.length + " blocks to " + next.length
                            + "; a pre-step that is not a screen keeps every block");
                }
                current = next; // every slot keeps its weight
            }
        }
        Aggregation aggregation = w == null ? aggregator.aggregate(current, reference)
                : ((WeightedAggregator) aggregator).aggregate(current, reference, w);
        return new PipelineResult(this, aggregation, kept, current.length);
    }

    /** The steps with their parameters, joined by {@code " > "}: {@code norm-screen(l=1, h=1) > mean}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (PreStep s : preSteps) {
            sb.append(s).append(" > ");
        }
        return sb.append(aggregator).toString();
    }
}
