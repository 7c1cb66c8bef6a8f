package org.qoraedge.fixedpoint.krum;

import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;

/**
 * What a round's rule selected and aggregated: scores, ranking, selection and aggregate block, with
 * their spec section 7 digests. {@link KrumResult} is one; the gateway's round result (which also
 * covers the mean, with no scores and no ranking) is another. The digests are written once, here,
 * so that every result digests its fields by the same layout.
 */
public interface SelectionResult {
    /** The score of block {@code j} at position {@code j} (empty when the rule scores nothing); a copy. */
    long[] scores();

    /** Block indices by (score, index) ascending (empty when the rule ranks nothing); a copy. */
    int[] ranking();

    /** The selected indices in rank order; a copy. */
    int[] selected();

    /** The aggregate block. */
    Bfp16Block aggregate();

    /** Digest of {@link #scores()}: each as int64, no count. */
    default String scoresDigest() {
        return Digests.scores(scores());
    }

    /** Digest of {@link #ranking()}: int32 count, then each index as int32. */
    default String rankingDigest() {
        return Digests.indices(ranking());
    }

    /** Digest of {@link #selected()}: int32 count, then each index as int32. */
    default String selectedDigest() {
        return Digests.indices(selected());
    }

    /** Digest of {@link #aggregate()}. */
    default String aggregateDigest() {
        return Digests.block(aggregate());
    }
}
