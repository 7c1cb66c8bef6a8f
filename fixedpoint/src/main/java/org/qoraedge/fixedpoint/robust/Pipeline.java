package org.qoraedge.fixedpoint.robust;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.krum.KrumResult;

/**
 * A round's rule (robust spec section 7): pre-aggregation steps, then exactly one aggregator, for
 * example {@code Pipeline.of(NormScreen.of(1, 1), Nnm.of(1), MultiKrum.of(1, 3, Metric.COMMON))}.
 *
 * <p>Each step sees only the previous step's output, renumbered {@code 0 .. n'-1}, and applies its
 * own quorum to its own {@code n'}; a step's refusal refuses the pipeline (there is no fallback).
 * The result reports, for each {@link Screen} in order, the indices it kept in the pipeline's input
 * numbering. Immutable and safe to share between threads.
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
     * Runs the pipeline with one weight per block (reputation-weighted aggregation). The weights follow
     * their blocks: a screen keeps the weights of the blocks it keeps, NNM leaves each slot's weight
     * (its mixing stays unweighted). The aggregator: {@code mean} takes the exact weighted mean (base
     * spec section 6); {@code multi-krum} ranks and selects as without weights and takes the exact
     * weighted mean of its selection; {@code centered-clip} keeps every threshold and clip factor and
     * takes {@code u_l = encode(u_{l-1} + (sum_j w_j s_j x_j) / W)}, {@code W = sum_j w_j}. Every
     * weight 1 gives the unweighted result, bit for bit.
     *
     * @param weights one integer {@code >= 1} per block in canonical order, or null for none
     * @throws org.qoraedge.fixedpoint.InvalidWeightException for a wrong count or a weight below 1
     * @throws UnweightedAggregatorException when the aggregator does not average (Krum, median,
     *     trimmed mean), before any block is read
     */
    public PipelineResult apply(Bfp16Block[] blocks, Bfp16Block reference, long[] weights) {
        Weights.check(weights, blocks.length, aggregator);
        long[] w = weights == null ? null : weights.clone();
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
                for (int t = 0; t < keep.length; t++) {
                    if (keep[t] < 0 || keep[t] >= current.length || (t > 0 && keep[t] <= keep[t - 1])) {
                        throw new IllegalStateException(step + " returned kept indices that are not ascending within [0, "
                                + current.length + "): entry " + t + " is " + keep[t]);
                    }
                    next[t] = current[keep[t]];
                    nextOrigin[t] = origin[keep[t]];
                }
                kept.add(nextOrigin);
                w = Weights.keep(w, keep);
                current = next;
                origin = nextOrigin;
            } else {
                Bfp16Block[] next = step.apply(current);
                if (next.length != current.length) {
                    throw new IllegalStateException(step + " mapped " + current.length + " blocks to " + next.length
                            + "; a pre-step that is not a screen keeps every block");
                }
                current = next;
            }
        }
        Aggregation aggregation;
        if (w == null) {
            aggregation = aggregator.aggregate(current, reference);
        } else if (aggregator instanceof MultiKrum mk) {
            KrumResult k = MultiKrum.reference(current, mk.f(), mk.m(), mk.metric());
            int[] sel = k.selected();
            Bfp16Block[] chosen = new Bfp16Block[sel.length];
            for (int t = 0; t < sel.length; t++) {
                chosen[t] = current[sel[t]];
            }
            aggregation = Aggregation.weighted(k, Means.weightedMean(chosen, Weights.keep(w, sel)));
        } else if (aggregator instanceof CenteredClip cc) {
            aggregation = Aggregation.of(CenteredClip.reference(current, cc.f(), cc.iterations(), reference, w));
        } else {
            aggregation = Aggregation.of(Means.weightedMean(current, w)); // Weights.check: the only other averaging rule is the mean
        }
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
