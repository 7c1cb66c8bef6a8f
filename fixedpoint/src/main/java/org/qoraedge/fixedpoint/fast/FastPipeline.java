package org.qoraedge.fixedpoint.fast;

import java.util.ArrayList;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.KrumResult;
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
import org.qoraedge.fixedpoint.robust.Weights;

/**
 * A {@link Pipeline} on the fast paths: each step by {@link FastRobust}, {@link FastKrum} or
 * {@link FastMeans}, giving bit for bit the aggregate and the kept indices of
 * {@link Pipeline#apply(Bfp16Block[], Bfp16Block)} (robust spec section 7), with the same refusals.
 * Blocks in canonical order. Stateless; the result does not depend on the parallelism.
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
     * Runs {@code pipeline} on {@code blocks} with one weight per block, bit for bit
     * {@link Pipeline#apply(Bfp16Block[], Bfp16Block, long[])} (same refusals).
     *
     * @param weights one integer {@code >= 1} per block, or null for an unweighted run
     */
    public static Result apply(Pipeline pipeline, Bfp16Block[] blocks, Bfp16Block reference, long[] weights,
            Parallelism parallelism) {
        Weights.check(weights, blocks.length, pipeline.aggregator());
        long[] w = weights == null ? null : weights.clone();
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
                for (int t = 0; t < k.length; t++) {
                    inInput[t] = numbering[k[t]];
                    next[t] = current[k[t]];
                }
                kept.add(inInput); // ascending: k is, and numbering only ever drops entries
                w = Weights.keep(w, k);
                current = next;
                numbering = inInput;
            } else if (s instanceof Nnm nnm) {
                current = FastRobust.nnm(current, nnm.f(), parallelism);
            } else {
                throw new IllegalStateException("a pre-step this class does not know: " + s);
            }
        }
        Step a = pipeline.aggregator();
        if (a instanceof Krum k) {
            KrumResult r = FastKrum.krum(current, k.f(), k.metric(), parallelism);
            return new Result(r.aggregate(), kept, r.selected());
        } else if (a instanceof MultiKrum mk) {
            KrumResult r = FastKrum.multiKrum(current, mk.f(), mk.m(), mk.metric(), parallelism);
            if (w == null) {
                return new Result(r.aggregate(), kept, r.selected());
            }
            int[] sel = r.selected();
            Bfp16Block[] chosen = new Bfp16Block[sel.length];
            for (int t = 0; t < sel.length; t++) {
                chosen[t] = current[sel[t]];
            }
            return new Result(FastMeans.weightedMean(chosen, Weights.keep(w, sel), parallelism), kept, sel);
        }
        if (w != null) {
            Bfp16Block out = a instanceof CenteredClip cc
                    ? FastRobust.centeredClip(current, cc.f(), cc.iterations(), reference, w, parallelism)
                    : FastMeans.weightedMean(current, w, parallelism); // Weights.check: the only other averaging rule is the mean
            return new Result(out, kept, null);
        }
        return new Result(aggregate(a, current, reference, parallelism), kept, null);
    }

    private static Bfp16Block aggregate(Step a, Bfp16Block[] b, Bfp16Block reference, Parallelism p) {
        if (a instanceof Mean) {
            return FastMeans.mean(b, p);
        } else if (a instanceof Median m) {
            return FastRobust.median(b, m.f(), p);
        } else if (a instanceof TrimmedMean tm) {
            return FastRobust.trimmedMean(b, tm.b(), p);
        } else if (a instanceof CenteredClip cc) {
            return FastRobust.centeredClip(b, cc.f(), cc.iterations(), reference, p);
        }
        throw new IllegalStateException("an aggregator this class does not know: " + a);
    }
}
