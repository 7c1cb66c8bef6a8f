package org.qoraedge.fixedpoint.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PermutationsTest {
    @Test
    void swapsEachPositionFromTheTopWithADrawBelowItsBound() {
        // draws 0, 1, 0 for bounds 4, 3, 2: swap 3<->0, 2<->1, 1<->0
        int[] draws = {0, 1, 0};
        int[] next = {0};
        int[] bounds = new int[3];
        int[] p = Permutations.of(4, bound -> {
            bounds[next[0]] = bound;
            return draws[next[0]++];
        });
        assertArrayEquals(new int[] {4, 3, 2}, bounds);
        assertArrayEquals(new int[] {2, 3, 1, 0}, p);
    }

    @Test
    void givesEveryIndexOnceAndFollowsItsGeneratorsStream() {
        for (int n = 0; n < 50; n++) {
            int[] p = Permutations.of(n, new SplittableRandom(n)::nextInt);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i]);
            }
            assertArrayEquals(p, Permutations.of(n, new SplittableRandom(n)::nextInt));
            assertArrayEquals(new SplitMix64(n).permutation(n), Permutations.of(n, new SplitMix64(n)::nextInt));
        }
    }
}
