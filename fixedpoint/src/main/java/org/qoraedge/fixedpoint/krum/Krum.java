package org.qoraedge.fixedpoint.krum;

import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;

/**
 * Krum and Multi-Krum (spec section 5), straightforward reference. Blocks must already be in
 * canonical order ({@link org.qoraedge.fixedpoint.NodeIds#canonicalOrder}).
 */
public final class Krum {
    private Krum() {
    }

    /** Refuses {@code n < 2f + 3} or {@code f < 0}. */
    public static void checkQuorum(int n, int f) {
        if (f < 0 || (long) n < 2L * f + 3) {
            throw new QuorumException(n, f);
        }
    }

    /** Refuses Multi-Krum's {@code m} outside {@code [1, n - 2f - 2]} (after checking the quorum). */
    public static void checkSelectionSize(int n, int f, int m) {
        checkQuorum(n, f);
        int max = n - 2 * f - 2;
        if (m < 1 || m > max) {
            throw new SelectionSizeException(m, max, n, f);
        }
    }

    /**
     * Scores per spec section 5: {@code score_j = sat(sum of the k = n - f - 2 smallest D(j, i), i != j)}.
     */
    public static long[] scores(RoundDistances distances, int f) {
        int n = distances.size();
        checkQuorum(n, f);
        int k = n - f - 2;
        long[] scores = new long[n];
        long[] row = new long[n - 1];
        for (int j = 0; j < n; j++) {
            int p = 0;
            for (int i = 0; i < n; i++) {
                if (i != j) {
                    row[p++] = distances.get(j, i);
                }
            }
            Arrays.sort(row);
            long s = 0;
            for (int t = 0; t < k; t++) {
                s = DistanceMath.addSaturated(s, row[t]);
            }
            scores[j] = s;
        }
        return scores;
    }

    /** Every index sorted by (score, index) ascending. */
    public static int[] ranking(long[] scores) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Long.compare(scores[a], scores[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] r = new int[idx.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = idx[i];
        }
        return r;
    }

    /** Krum: selects {@code ranking[0]}; the aggregate is that block unchanged. */
    public static KrumResult krum(Bfp16Block[] blocks, int f, Metric metric) {
        checkQuorum(blocks.length, f);
        RoundDistances d = Distances.compute(blocks, metric);
        return krum(blocks, f, d);
    }

    /** Krum over distances computed elsewhere (they must belong to {@code blocks}). */
    public static KrumResult krum(Bfp16Block[] blocks, int f, RoundDistances d) {
        long[] scores = scores(d, f);
        int[] ranking = ranking(scores);
        return new KrumResult(d.metric(), f, blocks.length - f - 2, d.referenceExponent(), scores, ranking,
                new int[] {ranking[0]}, blocks[ranking[0]]);
    }

    /** Multi-Krum(m): selects {@code ranking[0..m)}; the aggregate is their exact mean. */
    public static KrumResult multiKrum(Bfp16Block[] blocks, int f, int m, Metric metric) {
        checkSelectionSize(blocks.length, f, m);
        RoundDistances d = Distances.compute(blocks, metric);
        return multiKrum(blocks, f, m, d);
    }

    /** Multi-Krum over distances computed elsewhere (they must belong to {@code blocks}). */
    public static KrumResult multiKrum(Bfp16Block[] blocks, int f, int m, RoundDistances d) {
        checkSelectionSize(blocks.length, f, m);
        long[] scores = scores(d, f);
        int[] ranking = ranking(scores);
        int[] selected = Arrays.copyOf(ranking, m);
        Bfp16Block[] chosen = new Bfp16Block[m];
        for (int i = 0; i < m; i++) {
            chosen[i] = blocks[selected[i]];
        }
        return new KrumResult(d.metric(), f, blocks.length - f - 2, d.referenceExponent(), scores, ranking, selected,
                Means.mean(chosen));
    }
}
