package org.qoraedge.fixedpoint.fast;

import java.util.ArrayList;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.CenteredClip;
import org.qoraedge.fixedpoint.robust.Krum;
import org.qoraedge.fixedpoint.robust.Mean;
import org.qoraedge.fixedpoint.robust.Median;
import org.qoraedge.fixedpoint.robust.MultiKrum;
import org.qoraedge.fixedpoint.robust.Nnm;
import org.qoraedge.fixedpoint.robust.NormScreen;
import org.qoraedge.fixedpoint.robust.Pipeline;
import org.qoraedge.fixedpoint.robust.PipelineResult;
import org.qoraedge.fixedpoint.robust.Step;
import org.qoraedge.fixedpoint.robust.TrimmedMean;

/**
 * A {@link Pipeline} on the fast paths: each step by {@link FastRobust}, {@link FastKrum} or
 * {@link FastMeans}, giving bit for bit the aggregate and the kept indices of
 * {@link Pipeline#apply(Bfp16Block[], Bfp16Block)} (robust spec section 7), with the same refusals.
 * Blocks in canonical order. Stateless; the result does not depend on the parallelism.
 *
 * <p>Weighted rounds ({@link #apply(Pipeline, Bfp16Block[], Bfp16Block, long[], Parallelism)}) follow
 * {@link Pipeline}'s "Weighted rounds": the weights are checked by {@link Pipeline#checkWeights} (the
 * same refusals, in the same order), carried through the pre-steps as the reference carries them,
 * and used by {@link FastMeans#weightedMean} ({@code mean}),
 * {@link FastKrum#multiKrum(Bfp16Block[], int, int, Metric, long[], Parallelism)} and
 * {@link FastRobust#centeredClip(Bfp16Block[], int, int, Bfp16Block, long[], Parallelism)}.
 */
public final class FastPipeline {
    private FastPipeline() {
    }

    /**
     * What a pipeline gave.
     *
     * @param aggregate the aggregator's block
     * @param kept for each norm screen in order, the indices it kept in the pipeline's input
     *     numbering, ascending (as {@link PipelineResult#kept()})
     * @param selected a Krum or Multi-Krum aggregator's selection, in its own input's numbering
     *     (after the pre-steps) and rank order, as {@link PipelineResult#krum()}; null for the other
     *     aggregators
     */
    public record Result(Bfp16Block aggregate, List<int[]> kept, int[] selected) {
        public Result {
            kept = List.copyOf(kept);
        }
    }

    /**
     * Runs {@code pipeline} on {@code blocks}.
     *
     * @param reference centered clipping's reference block, or null for the zero block
     * @throws org.qoraedge.fixedpoint.FixedPointException what the steps refuse, as the reference does
     */
    public static Result apply(Pipeline pipeline, Bfp16Block[] blocks, Bfp16Block reference, Parallelism parallelism) {
        return apply(pipeline, blocks, reference, null, parallelism);
    }

    /**
     * Runs {@code pipeline} on {@code blocks}, each with a weight: bit for bit
     * {@link Pipeline#apply(Bfp16Block[], Bfp16Block, long[])}, with the same refusals.
     *
     * @param reference centered clipping's reference block, or null for the zero block
     * @param weights one weight {@code >= 1} per block, in canonical order; null for the unweighted
     *     pipeline; not modified
     * @throws org.qoraedge.fixedpoint.robust.RuleWeightsException if weights are given and the
     *     aggregator does not take them
     * @throws org.qoraedge.fixedpoint.InvalidWeightException if a weight is below 1 or the counts differ
     * @throws org.qoraedge.fixedpoint.FixedPointException what the steps refuse, as the reference does
     */
    public static Result apply(Pipeline pipeline, Bfp16Block[] blocks, Bfp16Block reference, long[] weights,
            Parallelism parallelism) {
        long[] w = null; // w[k]: the weight of current block k
        if (weights != null) {
            pipeline.checkWeights(weights, blocks.length);
            w = weights.clone();
        }
        Bfp16Block[] current = blocks.clone();
        int[] numbering = new int[blocks.length]; // current index -> input index
        for (int i = 0; i < numbering.length; i++) {
            numbering[i] = i;
        }
        List<int[]> kept = new ArrayList<>();
        for (Step s : pipeline.preSteps()) {
            if (s instanceof NormScreen ns) {
                int[] k = FastRobust.normScreen(current, ns.low(), ns.high(), parallelism);
                int[] inInput = new int[k.length];
                Bfp16Block[] next = new Bfp16Block[k.length];
                long[] nextWeights = w == null ? null : new long[k.length];
                for (int t = 0; t < k.length; t++) {
                    inInput[t] = numbering[k[t]];
                    next[t] = current[k[t]];
                    if (w != null) {
                        nextWeights[t] = w[k[t]];
                    }
                }
                kept.add(inInput); // ascending: k is, and numbering only ever drops entries
                current = next;
                numbering = inInput;
                w = nextWeights;
            } else if (s instanceof Nnm nnm) {
                current = FastRobust.nnm(current, nnm.f(), parallelism); // every slot keeps its weight
            } else {
                throw new IllegalStateException("a pre-step this class does not know: " + s);
            }
        }
        Step a = pipeline.aggregator();
        if (a instanceof Krum k) {
            KrumResult r = FastKrum.krum(current, k.f(), k.metric(), parallelism);
            return new Result(r.aggregate(), kept, r.selected());
        } else if (a instanceof MultiKrum mk) {
            KrumResult r = FastKrum.multiKrum(current, mk.f(), mk.m(), mk.metric(), w, parallelism);
            return new Result(r.aggregate(), kept, r.selected());
        }
        return new Result(aggregate(a, current, reference, w, parallelism), kept, null);
    }

    private static Bfp16Block aggregate(Step a, Bfp16Block[] b, Bfp16Block reference, long[] w, Parallelism p) {
        if (a instanceof Mean) {
            return w == null ? FastMeans.mean(b, p) : FastMeans.weightedMean(b, w, p);
        } else if (a instanceof CenteredClip cc) {
            return FastRobust.centeredClip(b, cc.f(), cc.iterations(), reference, w, p);
        } else if (w != null) {
            throw new IllegalStateException("weights reached an aggregator that does not take them: " + a);
        } else if (a instanceof Median m) {
            return FastRobust.median(b, m.f(), p);
        } else if (a instanceof TrimmedMean tm) {
            return FastRobust.trimmedMean(b, tm.b(), p);
        }
        throw new IllegalStateException("an aggregator this class does not know: " + a);
    }
}
