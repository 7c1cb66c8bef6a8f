package org.qoraedge.fixedpoint.fast;

import java.util.Arrays;
import java.util.function.IntFunction;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.DistanceMath;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * Spec section 5 on the upper triangle of distances, row ranges in parallel: the same scores and
 * ranking as {@link Krum#scores} and {@link Krum#ranking}.
 *
 * <p>{@code score_j} is the saturated sum of the {@code k} smallest {@code D(j, i)}, {@code i != j}.
 * Every distance is non-negative, so the saturated sum equals {@code min(MAX, exact sum)} whatever
 * the order of the additions, and the multiset of the {@code k} smallest values is the same however
 * it is found: the reference sorts a copy of each row; this class selects them in linear expected
 * time ({@link #selectSmallest}).
 */
final class Scoring {
    /** Rows per part below which a part is not worth a task. */
    private static final int MIN_ROWS_PER_PART = 32;

    private Scoring() {
    }

    /** Position of pair (a, b), a < b, in the spec's order (as {@code RoundDistances}). */
    static int index(int n, int a, int b) {
        return (int) ((long) a * (2L * n - a - 1) / 2) + (b - a - 1);
    }

    static long[] scores(long[] upper, int n, int f, Parallelism par) {
        Krum.checkQuorum(n, f);
        int k = n - f - 2;
        long[] scores = new long[n];
        int parts = par.parts(n / MIN_ROWS_PER_PART);
        par.run(parts, p -> {
            long[] row = new long[n - 1];
            for (int j = (int) ((long) p * n / parts), end = (int) ((long) (p + 1) * n / parts); j < end; j++) {
                int q = 0;
                for (int i = 0; i < j; i++) {
                    row[q++] = upper[index(n, i, j)];
                }
                if (j + 1 < n) {
                    int base = index(n, j, j + 1);
                    System.arraycopy(upper, base, row, q, n - 1 - j);
                }
                selectSmallest(row, n - 1, k);
                long s = 0;
                for (int t = 0; t < k; t++) {
                    s = DistanceMath.addSaturated(s, row[t]);
                }
                scores[j] = s;
            }
        });
        return scores;
    }

    /**
     * Rearranges {@code a[0 .. len)} so that {@code a[0 .. k)} holds its {@code k} smallest values,
     * in some order ({@code 1 <= k <= len}): quickselect with a median-of-three pivot and a three-way
     * partition (ties, such as many saturated distances, cost nothing extra); after a number of
     * rounds logarithmic in {@code len} it sorts what is left instead, so the worst case is
     * {@code O(len log len)}.
     */
    static void selectSmallest(long[] a, int len, int k) {
        selectSmallest(a, len, k, 2 * (32 - Integer.numberOfLeadingZeros(len)) + 4);
    }

    /** {@link #selectSmallest(long[], int, int)} sorting after {@code budget} partitioning rounds. */
    static void selectSmallest(long[] a, int len, int k, int budget) {
        int lo = 0;
        int hi = len - 1;
        int target = k - 1;
        while (lo < hi) {
            if (budget-- == 0) {
                Arrays.sort(a, lo, hi + 1);
                return;
            }
            long x = a[lo];
            long y = a[(lo + hi) >>> 1];
            long z = a[hi];
            long pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            int lt = lo;
            int gt = hi;
            int i = lo;
            while (i <= gt) {
                long v = a[i];
                if (v < pivot) {
                    a[i++] = a[lt];
                    a[lt++] = v;
                } else if (v > pivot) {
                    a[i] = a[gt];
                    a[gt--] = v;
                } else {
                    i++;
                }
            }
            // [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot
            if (target < lt) {
                hi = lt - 1;
            } else if (target > gt) {
                lo = gt + 1;
            } else {
                return;
            }
        }
    }

    /** Krum's result from the round's distances (the aggregate is the selected block, unchanged). */
    static KrumResult krum(Bfp16Block[] blocks, int f, Metric metric, int eRef, long[] upper, Parallelism par) {
        return krum(blocks.length, k -> blocks[k], f, metric, eRef, upper, par);
    }

    /**
     * Krum's result from the distances of a round of {@code n} blocks; {@code block} gives the
     * selected one (only it is asked for).
     */
    static KrumResult krum(int n, IntFunction<Bfp16Block> block, int f, Metric metric, int eRef, long[] upper,
            Parallelism par) {
        long[] scores = scores(upper, n, f, par);
        int[] ranking = Krum.ranking(scores);
        return KrumResult.of(metric, f, eRef, scores, ranking, new int[] {ranking[0]}, block.apply(ranking[0]));
    }

    /**
     * Multi-Krum(m)'s result; the aggregate is the exact mean of the selection, by {@link FastMeans},
     * weighted by the selected blocks' {@code weights} unless they are null (already checked).
     */
    static KrumResult multiKrum(Bfp16Block[] blocks, int f, int m, Metric metric, int eRef, long[] upper, long[] weights,
            Parallelism par, Kernels kernels) {
        return multiKrum(FastMeans.Rows.of(blocks), blocks[0].dimension(), f, m, metric, eRef, upper, weights, par, kernels,
                FastMeans.TILE);
    }

    /**
     * Multi-Krum(m)'s result for the round's blocks given as {@code rows} of dimension {@code d}, the
     * aggregate read {@code tile} coordinates at a time.
     */
    static KrumResult multiKrum(FastMeans.Rows rows, int d, int f, int m, Metric metric, int eRef, long[] upper,
            long[] weights, Parallelism par, Kernels kernels, int tile) {
        int n = rows.count();
        Krum.checkSelectionSize(n, f, m);
        long[] scores = scores(upper, n, f, par);
        int[] ranking = Krum.ranking(scores);
        int[] selected = Arrays.copyOf(ranking, m);
        long[] chosenWeights = FastMeans.ones(m);
        if (weights != null) {
            for (int i = 0; i < m; i++) {
                chosenWeights[i] = weights[selected[i]];
            }
        }
        Bfp16Block mean = FastMeans.weightedMean(rows.select(selected), d, chosenWeights, par, kernels, tile);
        return KrumResult.of(metric, f, eRef, scores, ranking, selected, mean);
    }
}
