package org.qoraedge.fixedpoint.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SplitMix64Test {
    @Test
    void matchesTheReferenceSequenceForSeedZero() {
        // Vigna's splitmix64.c with x = 0
        SplitMix64 r = new SplitMix64(0);
        assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
        assertEquals(0x06C45D188009454FL, r.nextLong());
    }

    @Test
    void derivedStreamsDependOnEveryPart() {
        long a = SplitMix64.derive(7, 1, 2);
        assertEquals(a, SplitMix64.derive(7, 1, 2));
        assertNotEquals(a, SplitMix64.derive(7, 2, 1));
        assertNotEquals(a, SplitMix64.derive(8, 1, 2));
        assertNotEquals(a, SplitMix64.derive(7, 1));
    }

    @Test
    void nextIntStaysInBoundsAndCoversThem() {
        SplitMix64 r = new SplitMix64(3);
        int[] hits = new int[7];
        for (int i = 0; i < 70_000; i++) {
            hits[r.nextInt(7)]++;
        }
        for (int h : hits) {
            assertTrue(h > 9_000 && h < 11_000, Arrays.toString(hits));
        }
        assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
    }

    @Test
    void gaussianHasUnitMoments() {
        SplitMix64 r = new SplitMix64(11);
        int n = 200_000;
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            s += g;
            s2 += g * g;
        }
        assertEquals(0, s / n, 0.01);
        assertEquals(1, s2 / n, 0.01);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.05, 0.3, 1.0, 2.5, 20})
    void gammaHasMeanAndVarianceEqualToItsShape(double shape) {
        SplitMix64 r = new SplitMix64(5);
        int n = 200_000;
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double g = r.nextGamma(shape);
            assertTrue(g >= 0);
            s += g;
            s2 += g * g;
        }
        double mean = s / n;
        double var = s2 / n - mean * mean;
        assertEquals(shape, mean, 0.02 * Math.max(1, shape));
        assertEquals(shape, var, 0.06 * Math.max(1, shape));
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = new SplitMix64(9).permutation(1000);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, sorted[i]);
        }
        assertFalse(Arrays.equals(p, sorted), "a shuffle of 1000 items left them in order");
    }
}
