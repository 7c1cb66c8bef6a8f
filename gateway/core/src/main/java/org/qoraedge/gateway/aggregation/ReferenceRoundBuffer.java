package org.qoraedge.gateway.aggregation;

import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;

/**
 * Stores the round's blocks and runs the reference aggregators at close: canonical order by
 * {@link NodeIds#canonicalOrder}, then {@link Krum#krum}, {@link Krum#multiKrum} or
 * {@link Means#mean} (pipelines: {@link PipelineRoundBuffer}). Nothing here depends on arrival order.
 */
final class ReferenceRoundBuffer implements RoundBuffer {
    private final AggregationSettings settings;
    private final ArrivedBlocks arrived = new ArrivedBlocks();

    ReferenceRoundBuffer(AggregationSettings settings) {
        if (settings.kind() == AggregatorKind.PIPELINE) {
            throw new AggregationSettingsException("the reference Krum buffer runs Krum, Multi-Krum and the mean, not "
                    + settings.ruleName());
        }
        this.settings = settings;
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
        ArrivedBlocks.Canonical c = arrived.canonical();
        String[] canonicalIds = c.ids();
        Bfp16Block[] canonical = c.blocks();
        int n = canonical.length;
        switch (settings.kind()) {
            case KRUM: {
                KrumResult r = Krum.krum(canonical, settings.f(), settings.metric());
                return of(canonicalIds, r);
            }
            case MULTI_KRUM: {
                int m = settings.selectionSize(n);
                KrumResult r = Krum.multiKrum(canonical, settings.f(), m, settings.metric());
                return of(canonicalIds, r);
            }
            default: {
                int[] all = new int[n];
                for (int i = 0; i < n; i++) {
                    all[i] = i;
                }
                Bfp16Block mean = Means.mean(canonical);
                return new AggregationResult(canonicalIds, new long[0], new int[0], all, 0, mean, List.of(),
                        Deviations.of(canonical, mean), new long[0]);
            }
        }
    }

    private static AggregationResult of(String[] ids, KrumResult r) {
        return new AggregationResult(ids, r.scores(), r.ranking(), r.selected(), r.referenceExponent(), r.aggregate());
    }
}
