package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.InvalidWeightException;

/**
 * The weights of a weighted pipeline (see {@link Pipeline#apply(org.qoraedge.fixedpoint.Bfp16Block[],
 * org.qoraedge.fixedpoint.Bfp16Block, long[])}): one integer {@code >= 1} per input block, carried
 * through the pre-steps, used by the averaging aggregators only.
 */
public final class Weights {
    private Weights() {
    }

    /** Whether the aggregator averages, so that it can take weights: mean, Multi-Krum, centered clipping. */
    public static boolean averages(Step aggregator) {
        return aggregator instanceof Mean || aggregator instanceof MultiKrum || aggregator instanceof CenteredClip;
    }

    /**
     * Checks a pipeline's weights before any block is read.
     *
     * @param weights the weights, or null for an unweighted run (then nothing is checked)
     * @throws InvalidWeightException for a count other than {@code n} or a weight below 1, naming the index
     * @throws UnweightedAggregatorException when weights are given to an aggregator that does not average
     */
    public static void check(long[] weights, int n, Step aggregator) {
        if (weights == null) {
            return;
        }
        if (weights.length != n) {
            throw new InvalidWeightException(weights.length + " weights given for " + n + " blocks");
        }
        for (int j = 0; j < n; j++) {
            if (weights[j] < 1) {
                throw new InvalidWeightException("weight " + j + " is " + weights[j] + "; weights must be >= 1");
            }
        }
        if (!averages(aggregator)) {
            throw new UnweightedAggregatorException(aggregator);
        }
    }

    /** The weights of the kept blocks, in the order of {@code keep}; null stays null. */
    public static long[] keep(long[] weights, int[] keep) {
        if (weights == null) {
            return null;
        }
        long[] out = new long[keep.length];
        for (int t = 0; t < keep.length; t++) {
            out[t] = weights[keep[t]];
        }
        return out;
    }
}
