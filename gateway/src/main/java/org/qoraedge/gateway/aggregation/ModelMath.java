package org.qoraedge.gateway.aggregation;

import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.ModelUpdate;

/**
 * Superseded by fixedpoint's {@link ModelUpdate}, to which both methods delegate. Kept only while
 * the round package ({@code RoundCoordinator}, {@code CoordinatorSettings} and their test), the
 * audit replay and the daemon ({@code Gateway}) still call it; removed once they call
 * {@link ModelUpdate}. (Not marked {@code @Deprecated}: under {@code -Xlint:all -Werror} that would
 * fail the build of those callers until they move.)
 */
public final class ModelMath {
    private ModelMath() {
    }

    /** {@link ModelUpdate#add}. */
    public static Bfp16Block add(Bfp16Block model, Bfp16Block update) {
        return ModelUpdate.add(model, update);
    }

    /** {@link ModelUpdate#zeros}. */
    public static Bfp16Block zeros(int d) {
        return ModelUpdate.zeros(d);
    }
}
