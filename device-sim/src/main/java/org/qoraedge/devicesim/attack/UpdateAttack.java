package org.qoraedge.devicesim.attack;

import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * An attack that crafts a float32 update and publishes it the way an honest node publishes its
 * own: encoded by {@link Bfp16#encode}.
 */
public abstract class UpdateAttack implements ModelAttack {
    /** The crafted update, before encoding. */
    public abstract float[] craftUpdate(AttackContext ctx);

    /**
     * {@link Bfp16#encode} of {@link #craftUpdate}.
     *
     * @throws AttackException if the crafted update has a NaN or an infinity (a scaling factor too
     *     large for float32, say)
     */
    @Override
    public final Bfp16Block craft(AttackContext ctx) {
        float[] u = craftUpdate(ctx);
        for (int i = 0; i < u.length; i++) {
            if (!Float.isFinite(u[i])) {
                throw new AttackException(spec() + " at node " + ctx.nodeId() + ", round " + ctx.round()
                        + ": coordinate " + i + " is " + u[i] + "; a block holds finite values only");
            }
        }
        return Bfp16.encode(u);
    }

    @Override
    public String toString() {
        return spec();
    }
}
