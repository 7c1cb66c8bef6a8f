package org.qoraedge.gateway.aggregation;

import java.util.List;
import java.util.function.ToLongFunction;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.fast.FastPipeline;
import org.qoraedge.fixedpoint.fast.Parallelism;
import org.qoraedge.fixedpoint.robust.Pipeline;
import org.qoraedge.fixedpoint.robust.PipelineResult;

/**
 * Stores the round's blocks and runs its pipeline at close, in canonical order (robust spec section
 * 7): on fixedpoint's fast paths ({@link FastPipeline}) for the gateway, or on the exact reference
 * ({@link Pipeline#apply}) for replay; the two give the same bytes. The result's selection is the
 * canonical indices the aggregator used: a Krum or Multi-Krum aggregator's selection (rank order),
 * else every update that passed the norm screens (ascending), mapped back through the screens (NNM
 * keeps each update's slot). With weights (docs/REPUTATION.md section 7) the aggregator's averaging
 * is weighted, each node's weight taken in canonical order. Nothing depends on arrival order.
 */
final class PipelineRoundBuffer implements RoundBuffer {
    private final AggregationSettings settings;
    private final boolean fast;
    private final ArrivedBlocks arrived = new ArrivedBlocks();

    PipelineRoundBuffer(AggregationSettings settings, boolean fast) {
        if (settings.pipeline() == null) {
            throw new AggregationSettingsException("a pipeline buffer runs pipelines, not " + settings.ruleName());
        }
        this.settings = settings;
        this.fast = fast;
    }

    @Override
    public void add(String nodeId, Bfp16Block block) {
        arrived.add(nodeId, block);
    }

    @Override
    public int size() {
        return arrived.size();
    }

    @Override
    public AggregationResult close() {
        return close(null);
    }

    @Override
    public AggregationResult close(Bfp16Block reference) {
        return close(reference, null);
    }

    @Override
    public AggregationResult close(Bfp16Block reference, ToLongFunction<String> weightOf) {
        ArrivedBlocks.Canonical c = arrived.canonical();
        String[] canonicalIds = c.ids();
        Bfp16Block[] canonical = c.blocks();
        int n = canonical.length;
        long[] weights = null;
        if (weightOf != null) {
            weights = new long[n];
            for (int k = 0; k < n; k++) {
                weights[k] = weightOf.applyAsLong(canonicalIds[k]);
            }
        }
        Pipeline p = settings.pipeline().build(n);
        Bfp16Block aggregate;
        List<int[]> kept;
        int[] used;
        if (fast) {
            FastPipeline.Result r = FastPipeline.apply(p, canonical, reference, weights, Parallelism.defaults());
            aggregate = r.aggregate();
            kept = r.kept();
            used = PipelineResult.usedInputs(kept, r.selected(), kept.isEmpty() ? n : kept.get(kept.size() - 1).length);
        } else {
            PipelineResult r = p.apply(canonical, reference, weights);
            aggregate = r.aggregate();
            kept = r.kept();
            used = r.usedInputs();
        }
        return new AggregationResult(canonicalIds, new long[0], new int[0], used, 0, aggregate, kept,
                Deviations.of(canonical, aggregate), weights == null ? new long[0] : weights);
    }
}
