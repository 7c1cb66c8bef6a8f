package org.qoraedge.devicesim.attack;

import java.util.Objects;
import java.util.function.Supplier;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.robust.Pipeline;
import org.qoraedge.fixedpoint.robust.PipelineResult;
import org.qoraedge.fixedpoint.robust.PipelineSpec;

/**
 * The server's aggregation rule as colluding attackers model it (the omniscient threat model of
 * the robust-aggregation benchmarks: the attackers know the rule and its parameters): a round's
 * blocks in canonical node-id order in, the aggregate and the inputs it used out. Adaptive attacks
 * ({@code alie-adaptive}, {@code ipm-adaptive}) call it on the honest blocks plus their candidate
 * copies to find out whether a candidate would get through.
 *
 * <p>The in-process simulator aggregates with the very same function
 * ({@code AggregatorSpec.serverRule}), so what an attack predicts is what happens. Implementations
 * must be deterministic, must not modify the array, and must be safe to call from several threads.
 */
@FunctionalInterface
public interface ServerRule {
    /**
     * @param blocks the round's blocks in canonical node-id order (not modified)
     * @throws org.qoraedge.fixedpoint.FixedPointException whatever the rule refuses (a quorum, say)
     */
    RuleOutcome apply(Bfp16Block[] blocks);

    /**
     * A robust pipeline as a server rule. The inputs it used: for a Krum or Multi-Krum aggregator
     * its selection, mapped back through the screens to the pipeline's input numbering; for the
     * mean, every input that survived the screens; for an aggregator that weighs values without
     * selecting (median, trimmed mean, centered clipping), likewise every input that reached it.
     * After a mixing pre-step (NNM), input {@code k}'s slot holds {@code k}'s mix, and "used" refers
     * to the slot. Ordered as the aggregator reports (Krum: best first) or ascending.
     */
    static ServerRule of(Pipeline pipeline) {
        return of(pipeline, null);
    }

    /**
     * A pipeline written on one line, built for each round's block count (Multi-Krum's
     * {@code auto}), with centered clipping's reference for the round ({@code reference}: null for the
     * zero block).
     */
    static ServerRule of(PipelineSpec spec, Supplier<Bfp16Block> reference) {
        Objects.requireNonNull(spec, "pipeline");
        return blocks -> of(spec.build(blocks.length), reference.get()).apply(blocks);
    }

    private static ServerRule of(Pipeline pipeline, Bfp16Block reference) {
        Objects.requireNonNull(pipeline, "pipeline");
        return blocks -> {
            PipelineResult r = pipeline.apply(blocks, reference);
            return RuleOutcome.of(r.aggregate(), r.usedInputs(), blocks.length);
        };
    }
}
