package org.qoraedge.devicesim.data;

import java.util.Arrays;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.fixedpoint.random.SplitMix64;

/**
 * Splits a dataset's sample indices between nodes. Every sample goes to exactly one shard; the
 * result depends only on the labels, the parameters and the seed.
 */
public final class Sharding {
    /** How many times a Dirichlet split is redrawn before giving up on the minimum shard size. */
    public static final int MAX_DIRICHLET_ATTEMPTS = 1000;

    private Sharding() {
    }

    /**
     * IID: a seeded permutation cut into {@code shards} parts whose sizes differ by at most one.
     *
     * @throws InvalidConfigException if {@code shards < 1} or {@code shards > n}
     */
    public static int[][] iid(int n, int shards, long seed) {
        if (shards < 1 || shards > n) {
            throw new InvalidConfigException("cannot split " + n + " samples into " + shards + " non-empty shards");
        }
        int[] perm = new SplitMix64(SplitMix64.derive(seed, 0x494944L)).permutation(n); // "IID"
        int[][] out = new int[shards][];
        int from = 0;
        for (int s = 0; s < shards; s++) {
            int size = n / shards + (s < n % shards ? 1 : 0);
            out[s] = Arrays.copyOfRange(perm, from, from + size);
            Arrays.sort(out[s]);
            from += size;
        }
        return out;
    }

    /** {@link #dirichlet(int[], int, int, double, long, int)} with a minimum shard size of 1. */
    public static int[][] dirichlet(int[] labels, int numClasses, int shards, double alpha, long seed) {
        return dirichlet(labels, numClasses, shards, alpha, seed, 1);
    }

    /**
     * Non-IID by class proportions drawn from a symmetric Dirichlet(alpha) per class (Hsu, Qi,
     * Brown 2019): the samples of class {@code c}, in a seeded random order, are cut between the
     * shards in proportions {@code p ~ Dir(alpha, ..., alpha)}. Small alpha (0.1) gives each shard
     * few classes; large alpha (100) approaches IID. The whole draw is repeated (from the same
     * stream) until every shard has at least {@code minShardSize} samples.
     *
     * @throws InvalidConfigException for {@code alpha <= 0}, {@code shards < 1}, a label outside
     *     {@code [0, numClasses)}, or when {@value #MAX_DIRICHLET_ATTEMPTS} draws all leave a shard
     *     below the minimum
     */
    public static int[][] dirichlet(int[] labels, int numClasses, int shards, double alpha, long seed, int minShardSize) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new InvalidConfigException("Dirichlet alpha must be positive and finite, got " + alpha);
        }
        if (shards < 1 || (long) shards * minShardSize > labels.length) {
            throw new InvalidConfigException("cannot split " + labels.length + " samples into " + shards
                    + " shards of at least " + minShardSize);
        }
        int[][] byClass = indicesByClass(labels, numClasses);
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(seed, 0x444952L)); // "DIR"
        int smallest = 0;
        for (int attempt = 0; attempt < MAX_DIRICHLET_ATTEMPTS; attempt++) {
            int[][] parts = drawDirichletSplit(byClass, shards, alpha, rng);
            smallest = Integer.MAX_VALUE;
            for (int[] p : parts) {
                smallest = Math.min(smallest, p.length);
            }
            if (smallest >= minShardSize) {
                return parts;
            }
        }
        throw new InvalidConfigException("Dirichlet(alpha = " + alpha + ") split of " + labels.length + " samples into "
                + shards + " shards left a shard with " + smallest + " samples (< " + minShardSize + ") in "
                + MAX_DIRICHLET_ATTEMPTS + " draws; use a larger alpha or fewer shards");
    }

    private static int[][] drawDirichletSplit(int[][] byClass, int shards, double alpha, SplitMix64 rng) {
        int[][] buckets = new int[shards][];
        int[] fill = new int[shards];
        int[][] counts = new int[byClass.length][shards];
        double[] p = new double[shards];
        for (int c = 0; c < byClass.length; c++) {
            double sum = 0;
            for (int s = 0; s < shards; s++) {
                p[s] = rng.nextGamma(alpha);
                sum += p[s];
            }
            int n = byClass[c].length;
            double cumulative = 0;
            int previousCut = 0;
            for (int s = 0; s < shards; s++) {
                cumulative += p[s];
                // The last cut is exactly n; sum == 0 (every gamma draw underflowed) puts the class in the last shard.
                int cut = s == shards - 1 ? n : (sum > 0 ? (int) Math.min(n, Math.floor(cumulative / sum * n)) : 0);
                cut = Math.max(cut, previousCut);
                counts[c][s] = cut - previousCut;
                previousCut = cut;
            }
        }
        for (int s = 0; s < shards; s++) {
            int size = 0;
            for (int[] perClass : counts) {
                size += perClass[s];
            }
            buckets[s] = new int[size];
        }
        for (int c = 0; c < byClass.length; c++) {
            int[] order = byClass[c].clone();
            rng.shuffle(order);
            int from = 0;
            for (int s = 0; s < shards; s++) {
                System.arraycopy(order, from, buckets[s], fill[s], counts[c][s]);
                fill[s] += counts[c][s];
                from += counts[c][s];
            }
        }
        for (int[] b : buckets) {
            Arrays.sort(b);
        }
        return buckets;
    }

    private static int[][] indicesByClass(int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l < 0 || l >= numClasses) {
                throw new InvalidConfigException("label of sample " + i + " is " + l + ", outside [0, " + numClasses + ")");
            }
            counts[l]++;
        }
        int[][] out = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) {
            out[c] = new int[counts[c]];
        }
        int[] fill = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            out[labels[i]][fill[labels[i]]++] = i;
        }
        return out;
    }
}
