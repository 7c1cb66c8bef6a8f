package org.qoraedge.gateway.aggregation;

import java.util.ArrayList;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.NodeIds;

/** A round's blocks as they arrived, put in canonical order (by node id, spec section 5) at close. */
final class ArrivedBlocks {
    private final List<String> ids = new ArrayList<>();
    private final List<Bfp16Block> blocks = new ArrayList<>();

    void add(String nodeId, Bfp16Block block) {
        ids.add(nodeId);
        blocks.add(block);
    }

    int size() {
        return ids.size();
    }

    /** The ids and blocks in canonical order: index k of both is block k of the round. */
    record Canonical(String[] ids, Bfp16Block[] blocks) {
    }

    Canonical canonical() {
        String[] arrival = ids.toArray(new String[0]);
        int[] order = NodeIds.canonicalOrder(arrival);
        String[] canonicalIds = new String[order.length];
        Bfp16Block[] canonical = new Bfp16Block[order.length];
        for (int k = 0; k < order.length; k++) {
            canonicalIds[k] = arrival[order[k]];
            canonical[k] = blocks.get(order[k]);
        }
        return new Canonical(canonicalIds, canonical);
    }
}
