package org.qoraedge.fixedpoint.fast;

import java.util.ArrayList;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
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
     */
    public record Result(Bfp16Block aggregate, List<int[]> kept) {
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
                current = next;
                numbering = inInput;
            } else if (s instanceof Nnm nnm) {
                current = FastRobust.nnm(current, nnm.f(), parallelism);
            } else {
                throw new IllegalStateException("a pre-step this class does not know: " + s);
            }
        }
        return new Result(aggregate(pipeline, current, reference, parallelism), kept);
    }

    private static Bfp16Block aggregate(Pipeline pipeline, Bfp16Block[] b, Bfp16Block reference, Parallelism p) {
        Step a = pipeline.aggregator();
        if (a instanceof Mean) {
            return FastMeans.mean(b, p);
        } else if (a instanceof Krum k) {
            return FastKrum.krum(b, k.f(), k.metric(), p).aggregate();
        } else if (a instanceof MultiKrum mk) {
            return FastKrum.multiKrum(b, mk.f(), mk.m(), mk.metric(), p).aggregate();
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
