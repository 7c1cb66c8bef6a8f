package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * A pre-aggregation step that maps the {@code n} blocks it receives, in order, to {@code n} blocks
 * in the same order and numbering (such as {@code nnm}). A step that keeps a subset of its input
 * unchanged is a {@link Screen}.
 */
public interface PreStep extends Step {
    /**
     * The step's output for {@code blocks} (canonical order); the input array is not modified.
     *
     * @throws org.qoraedge.fixedpoint.FixedPointException if the step refuses the input
     */
    Bfp16Block[] apply(Bfp16Block[] blocks);
}
