package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;

/** The plain exact mean as a pipeline's aggregator (base spec section 6, {@link Means#mean}). */
public final class Mean implements Aggregator {
    private static final Mean INSTANCE = new Mean();

    private Mean() {
    }

    public static Mean of() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "mean";
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference) {
        return Aggregation.of(reference(blocks));
    }

    /**
     * The reference computation, {@link Means#mean}.
     *
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     */
    public static Bfp16Block reference(Bfp16Block[] blocks) {
        return Means.mean(blocks);
    }

    @Override
    public String toString() {
        return "mean";
    }
}
