package org.qoraedge.gateway.testing;

import java.util.Map;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.gateway.aggregation.AggregationSettings;

/** What a round must produce, computed straight from fixedpoint without the coordinator. */
public final class Oracle {
    private Oracle() {
    }

    public static Bfp16Block nextModel(Bfp16Block model, Map<String, Bfp16Block> updates, AggregationSettings s) {
        String[] ids = updates.keySet().toArray(new String[0]);
        int[] order = NodeIds.canonicalOrder(ids);
        Bfp16Block[] blocks = new Bfp16Block[ids.length];
        for (int k = 0; k < ids.length; k++) {
            blocks[k] = updates.get(ids[order[k]]);
        }
        Bfp16Block agg;
        switch (s.kind()) {
            case KRUM:
                agg = Krum.krum(blocks, s.f(), s.metric()).aggregate();
                break;
            case MULTI_KRUM:
                agg = Krum.multiKrum(blocks, s.f(), s.selectionSize(blocks.length), s.metric()).aggregate();
                break;
            default:
                agg = Means.mean(blocks);
        }
        return ModelUpdate.add(model, agg);
    }
}
