package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.Bfp16Block;

/** The last step of a {@link Pipeline}: turns the blocks it receives into one block. */
public interface Aggregator extends Step {
    /**
     * Aggregates {@code blocks} (canonical order; the array is not modified).
     *
     * @param reference the reference block {@code u_0} for rules that use one (centered clipping;
     *     the previous round's aggregate), or {@code null} for none, which such a rule reads as the
     *     zero block with {@code e = 0}; rules without a reference ignore it
     * @throws org.qoraedge.fixedpoint.FixedPointException if the rule refuses the input
     */
    Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference);
}
