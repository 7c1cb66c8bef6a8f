package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * A pre-step that keeps some of its input blocks unchanged and drops the others (such as
 * {@code norm-screen}). The next step sees the kept blocks renumbered {@code 0 .. n'-1}; a
 * {@link Pipeline} reports the kept indices in its own input numbering.
 */
public interface Screen extends PreStep {
    /**
     * The indices of the blocks kept, ascending, each in {@code [0, blocks.length)}.
     *
     * @throws org.qoraedge.fixedpoint.FixedPointException if the step refuses the input
     */
    int[] kept(Bfp16Block[] blocks);

    /** The kept blocks, in ascending index order. */
    @Override
    default Bfp16Block[] apply(Bfp16Block[] blocks) {
        int[] kept = kept(blocks);
        Bfp16Block[] out = new Bfp16Block[kept.length];
        for (int t = 0; t < kept.length; t++) {
            out[t] = blocks[kept[t]];
        }
        return out;
    }
}
