package org.qoraedge.fixedpoint.krum;

import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * What a Krum or Multi-Krum round computed: scores, the full ranking, the selection and the
 * aggregate block (spec sections 5 and 6), and their digests ({@link SelectionResult}). Immutable;
 * arrays are copied out.
 */
public final class KrumResult implements SelectionResult {
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

    /**
     * A result computed by another conforming implementation (the fast paths of
     * {@code org.qoraedge.fixedpoint.fast}). The arrays are copied. What can be checked in O(n) is
     * checked: the quorum, non-negative scores, a ranking that is a permutation sorted by
     * (score, index), and a selection that is a non-empty prefix of the ranking. The aggregate is
     * the caller's responsibility.
     *
     * @throws QuorumException if {@code n = scores.length < 2f + 3}
     * @throws IllegalArgumentException if the arrays are inconsistent as described above
     */
    public static KrumResult of(Metric metric, int f, int referenceExponent, long[] scores, int[] ranking,
            int[] selected, Bfp16Block aggregate) {
        int n = scores.length;
        Krum.checkQuorum(n, f);
        if (ranking.length != n) {
            throw new IllegalArgumentException("ranking has " + ranking.length + " entries for " + n + " scores");
        }
        boolean[] seen = new boolean[n];
        for (int r = 0; r < n; r++) {
            int i = ranking[r];
            if (i < 0 || i >= n || seen[i]) {
                throw new IllegalArgumentException("ranking is not a permutation of 0.." + (n - 1) + ": entry " + r + " is " + i);
            }
            seen[i] = true;
            if (scores[i] < 0) {
                throw new IllegalArgumentException("score " + i + " is negative: " + scores[i]);
            }
            if (r > 0) {
                int p = ranking[r - 1];
                if (scores[p] > scores[i] || (scores[p] == scores[i] && p > i)) {
                    throw new IllegalArgumentException("ranking is not sorted by (score, index) at entry " + r);
                }
            }
        }
        if (selected.length < 1 || selected.length > n) {
            throw new IllegalArgumentException(selected.length + " indices selected out of " + n);
        }
        for (int r = 0; r < selected.length; r++) {
            if (selected[r] != ranking[r]) {
                throw new IllegalArgumentException("selection is not a prefix of the ranking at entry " + r);
            }
        }
        return new KrumResult(metric, f, n - f - 2, referenceExponent, scores.clone(), ranking.clone(), selected.clone(),
                aggregate);
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
    @Override
    public long[] scores() {
        return scores.clone();
    }

    public long score(int j) {
        return scores[j];
    }

    /** Every index, sorted by (score, index) ascending. */
    @Override
    public int[] ranking() {
        return ranking.clone();
    }

    /** The selected indices in rank order: one for Krum, m for Multi-Krum. */
    @Override
    public int[] selected() {
        return selected.clone();
    }

    /** Krum: the selected block unchanged. Multi-Krum: the exact mean of the selected blocks. */
    @Override
    public Bfp16Block aggregate() {
        return aggregate;
    }
}
