package org.qoraedge.devicesim.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.fixedpoint.random.SplitMix64;

class ShardingTest {
    static int[] labels(int n, int classes, long seed) {
        SplitMix64 r = new SplitMix64(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = r.nextInt(classes);
        }
        return l;
    }

    static void assertEverySampleOnce(int n, int[][] shards) {
        int[] seen = new int[n];
        for (int[] s : shards) {
            for (int i : s) {
                seen[i]++;
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1, seen[i], "sample " + i);
        }
    }

    /** Mean over shards of the largest class share: 1/C for perfectly mixed shards, 1 for one class each. */
    static double meanDominantShare(int[] labels, int classes, int[][] shards) {
        double total = 0;
        for (int[] s : shards) {
            int[] counts = new int[classes];
            for (int i : s) {
                counts[labels[i]]++;
            }
            int max = 0;
            for (int c : counts) {
                max = Math.max(max, c);
            }
            total += (double) max / s.length;
        }
        return total / shards.length;
    }

    @Test
    void iidAssignsEverySampleOnceInNearlyEqualShards() {
        int[][] shards = Sharding.iid(1003, 20, 5);
        assertEverySampleOnce(1003, shards);
        for (int[] s : shards) {
            assertTrue(s.length == 50 || s.length == 51, "shard size " + s.length);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.05, 0.5, 5, 100})
    void dirichletAssignsEverySampleOnce(double alpha) {
        int[] l = labels(5000, 10, 1);
        int[][] shards = Sharding.dirichlet(l, 10, 20, alpha, 3, 5);
        assertEquals(20, shards.length);
        assertEverySampleOnce(5000, shards);
        for (int[] s : shards) {
            assertTrue(s.length >= 5);
        }
    }

    @Test
    void smallAlphaSkewsShardsLargeAlphaApproachesIid() {
        int[] l = labels(20_000, 10, 2);
        double skewed = meanDominantShare(l, 10, Sharding.dirichlet(l, 10, 20, 0.1, 4));
        double mixed = meanDominantShare(l, 10, Sharding.dirichlet(l, 10, 20, 100, 4));
        double iid = meanDominantShare(l, 10, Sharding.iid(l.length, 20, 4));
        assertTrue(skewed > 0.5, "alpha 0.1: a shard's dominant class should hold most of it, got " + skewed);
        assertTrue(mixed < 0.15, "alpha 100: shards should be nearly uniform (0.1), got " + mixed);
        assertTrue(iid < 0.15, "iid: " + iid);
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        int[] l = labels(3000, 5, 3);
        int[][] a = Sharding.dirichlet(l, 5, 10, 0.5, 9);
        int[][] b = Sharding.dirichlet(l, 5, 10, 0.5, 9);
        int[][] c = Sharding.dirichlet(l, 5, 10, 0.5, 10);
        for (int s = 0; s < a.length; s++) {
            assertArrayEquals(a[s], b[s]);
        }
        boolean differs = false;
        for (int s = 0; s < a.length; s++) {
            differs |= !Arrays.equals(a[s], c[s]);
        }
        assertTrue(differs);
        assertArrayEquals(Sharding.iid(100, 3, 1)[0], Sharding.iid(100, 3, 1)[0]);
    }

    @Test
    void refusesBadParameters() {
        int[] l = labels(100, 3, 1);
        assertThrows(InvalidConfigException.class, () -> Sharding.dirichlet(l, 3, 5, 0, 1));
        assertThrows(InvalidConfigException.class, () -> Sharding.dirichlet(l, 3, 5, Double.NaN, 1));
        assertThrows(InvalidConfigException.class, () -> Sharding.dirichlet(l, 3, 5, 1, 1, 30));
        assertThrows(InvalidConfigException.class, () -> Sharding.dirichlet(new int[] {0, 3}, 3, 1, 1, 1));
        assertThrows(InvalidConfigException.class, () -> Sharding.iid(5, 6, 1));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> Sharding.dirichlet(labels(200, 10, 1), 10, 20, 0.01, 1, 10));
        assertTrue(e.getMessage().contains("use a larger alpha or fewer shards"), e.getMessage());
    }
}
