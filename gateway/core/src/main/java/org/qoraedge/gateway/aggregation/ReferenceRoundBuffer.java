package org.qoraedge.gateway.aggregation;

import java.util.ArrayList;
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
    private final List<String> ids = new ArrayList<>();
    private final List<Bfp16Block> blocks = new ArrayList<>();

    ReferenceRoundBuffer(AggregationSettings settings) {
        if (settings.kind() == AggregatorKind.PIPELINE) {
            throw new AggregationSettingsException("the reference Krum buffer runs Krum, Multi-Krum and the mean, not "
                    + settings.ruleName());
        }
        this.settings = settings;
    }

    @Override
    public void add(String nodeId, Bfp16Block block) {
        ids.add(nodeId);
        blocks.add(block);
    }

    @Override
    public int size() {
        return ids.size();
    }

    @Override
    public AggregationResult close() {
        String[] arrival = ids.toArray(new String[0]);
        int[] order = NodeIds.canonicalOrder(arrival);
        int n = order.length;
        String[] canonicalIds = new String[n];
        Bfp16Block[] canonical = new Bfp16Block[n];
        for (int k = 0; k < n; k++) {
            canonicalIds[k] = arrival[order[k]];
            canonical[k] = blocks.get(order[k]);
        }
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
                return new AggregationResult(canonicalIds, new long[0], new int[0], all, 0, Means.mean(canonical));
            }
        }
    }

    private static AggregationResult of(String[] ids, KrumResult r) {
        return new AggregationResult(ids, r.scores(), r.ranking(), r.selected(), r.referenceExponent(), r.aggregate());
    }
}
