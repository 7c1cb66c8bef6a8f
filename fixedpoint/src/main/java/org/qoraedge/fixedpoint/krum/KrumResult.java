package org.qoraedge.fixedpoint.krum;

import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;

/**
 * What a Krum or Multi-Krum round computed: scores, the full ranking, the selection and the
 * aggregate block (spec sections 5 and 6). Immutable; arrays are copied out.
 */
public final class KrumResult {
    private final Metric metric;
    private final int f;
    private final int k;
    private final int eRef;
    private final long[] scores;
    private final int[] ranking;
    private final int[] selected;
    private final Bfp16Block aggregate;

    KrumResult(Metric metric, int f, int k, int eRef, long[] scores, int[] ranking, int[] selected, Bfp16Block aggregate) {
        this.metric = metric;
        this.f = f;
        this.k = k;
        this.eRef = eRef;
        this.scores = scores;
        this.ranking = ranking;
        this.selected = selected;
        this.aggregate = aggregate;
    }

    public Metric metric() {
        return metric;
    }

    public int f() {
        return f;
    }

    /** {@code n - f - 2}: how many nearest distances make a score. */
    public int k() {
        return k;
    }

    /** COMMON's reference exponent; 0 for PAIRWISE. */
    public int referenceExponent() {
        return eRef;
    }

    /** Number of blocks in the round. */
    public int size() {
        return scores.length;
    }

    /** The score of block {@code j} at position {@code j}. */
    public long[] scores() {
        return scores.clone();
    }

    public long score(int j) {
        return scores[j];
    }

    /** Every index, sorted by (score, index) ascending. */
    public int[] ranking() {
        return ranking.clone();
    }

    /** The selected indices in rank order: one for Krum, m for Multi-Krum. */
    public int[] selected() {
        return selected.clone();
    }

    /** Krum: the selected block unchanged. Multi-Krum: the exact mean of the selected blocks. */
    public Bfp16Block aggregate() {
        return aggregate;
    }

    public String scoresDigest() {
        return Digests.scores(scores);
    }

    public String rankingDigest() {
        return Digests.indices(ranking);
    }

    public String selectedDigest() {
        return Digests.indices(selected);
    }

    public String aggregateDigest() {
        return Digests.block(aggregate);
    }
}
