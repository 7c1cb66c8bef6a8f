package org.qoraedge.devicesim.attack;

import org.qoraedge.devicesim.data.Dataset;

/** Trains on relabelled data ({@code y -> C - 1 - y}, or {@code y -> (y + 1) mod C}) and publishes that update. */
final class LabelFlipAttack extends UpdateAttack {
    private final boolean reverse;

    LabelFlipAttack(String mapping) {
        if (mapping.equals("reverse")) {
            reverse = true;
        } else if (mapping.equals("shift")) {
            reverse = false;
        } else {
            throw new AttackException("label-flip: mapping must be 'reverse' or 'shift', got '" + mapping + "'");
        }
    }

    @Override
    public AttackKind kind() {
        return AttackKind.LABEL_FLIP;
    }

    @Override
    public String spec() {
        return "label-flip:mapping=" + (reverse ? "reverse" : "shift");
    }

    @Override
    public boolean needsOwnUpdate() {
        return true;
    }

    /** The label map for {@code numClasses} classes. */
    int[] mapping(int numClasses) {
        int[] m = new int[numClasses];
        for (int y = 0; y < numClasses; y++) {
            m[y] = reverse ? numClasses - 1 - y : (y + 1) % numClasses;
        }
        return m;
    }

    @Override
    public Dataset poisonShard(Dataset shard) {
        return shard.relabelled(shard.name() + "+label-flip", mapping(shard.numClasses()));
    }

    @Override
    public float[] craftUpdate(AttackContext ctx) {
        return ctx.ownUpdate(); // trained on the poisoned shard by the caller
    }
}
