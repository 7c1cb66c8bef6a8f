package org.qoraedge.fixedpoint.random;

import java.util.function.IntUnaryOperator;

/**
 * Fisher-Yates shuffles driven by any generator's bounded draw, so that one loop serves every
 * generator a caller's streams are pinned to ({@link SplitMix64}, a stress round's remainder draws,
 * a test's {@code java.util.SplittableRandom}): for {@code i = n-1} down to 1, swap element {@code i}
 * with element {@code below.applyAsInt(i + 1)}. For test data and simulation only, like the rest of
 * this package.
 */
public final class Permutations {
    private Permutations() {
    }

    /**
     * Shuffles {@code a} in place.
     *
     * @param below a uniform draw in {@code [0, bound)} for the {@code bound} it is given
     */
    public static void shuffle(int[] a, IntUnaryOperator below) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = below.applyAsInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** {@code 0..n-1} shuffled by {@link #shuffle}: {@code p[i]} is the item at position {@code i}. */
    public static int[] of(int n, IntUnaryOperator below) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, below);
        return p;
    }
}
