package org.qoraedge.gateway.client.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GaussianMechanismTest {
    @Test
    void clipScalesALongUpdateToNormC() {
        float[] clipped = GaussianMechanism.of(1.0, 1.0).clip(new float[] {3, 4});
        assertArrayEquals(new float[] {0.6f, 0.8f}, clipped, 1e-7f);
        assertEquals(1.0, GaussianMechanism.l2Norm(clipped), 1e-7);
    }

    @Test
    void clipLeavesAShortUpdateUnchangedAndTheInputUntouched() {
        float[] update = {0.3f, -0.4f};
        float[] clipped = GaussianMechanism.of(1.0, 1.0).clip(update);
        assertArrayEquals(new float[] {0.3f, -0.4f}, clipped);
        clipped[0] = 9;
        assertEquals(0.3f, update[0]);
        float[] big = {30, 40};
        GaussianMechanism.of(1.0, 1.0).clip(big);
        assertArrayEquals(new float[] {30, 40}, big);
    }

    @Test
    void noiseHasStandardDeviationSigmaTimesC() {
        // C = 2, sigma = 1.5: sd 3 on each coordinate of a zero update (which clipping leaves alone)
        GaussianMechanism dp = GaussianMechanism.of(2.0, 1.5);
        assertEquals(3.0, dp.noiseStandardDeviation());
        float[] noised = dp.privatize(new float[200_000], new SplittableRandom(11));
        double sum = 0;
        double sumSq = 0;
        for (float x : noised) {
            sum += x;
            sumSq += (double) x * x;
        }
        int n = noised.length;
        double mean = sum / n;
        double variance = sumSq / n - mean * mean;
        assertTrue(Math.abs(mean) < 5 * 3 / Math.sqrt(n), "mean " + mean);
        // 9 +- 5 standard errors (9 * sqrt(2 / n) = 0.028): a 10% error in sd (variance 7.3 or 10.9) fails
        assertTrue(Math.abs(variance - 9) < 5 * 9 * Math.sqrt(2.0 / n), "variance " + variance);
    }

    @Test
    void privatizeClipsBeforeAddingNoise() {
        // update of norm 500 clipped to C = 1: with sd 0.001 the result stays within 0.01 of the clipped update
        float[] noised = GaussianMechanism.of(1.0, 0.001).privatize(new float[] {300, 400}, new SplittableRandom(1));
        assertEquals(0.6, noised[0], 0.01);
        assertEquals(0.8, noised[1], 0.01);
    }

    @Test
    void sameSeedSameNoiseOtherSeedOtherNoise() {
        GaussianMechanism dp = GaussianMechanism.of(1.0, 1.0);
        float[] u = {0.1f, 0.2f, 0.3f};
        assertArrayEquals(dp.privatize(u, new SplittableRandom(5)), dp.privatize(u, new SplittableRandom(5)));
        assertNotEquals(Arrays.toString(dp.privatize(u, new SplittableRandom(5))), Arrays.toString(dp.privatize(u, new SplittableRandom(6))));
    }

    @Test
    void refusesNonPositiveOrNonFiniteParameters() {
        assertEquals("clipping norm C is 0.0; it must be finite and > 0",
                assertThrows(LocalPrivacyException.class, () -> GaussianMechanism.of(0, 1)).getMessage());
        assertEquals("noise multiplier sigma is -1.0; it must be finite and > 0",
                assertThrows(LocalPrivacyException.class, () -> GaussianMechanism.of(1, -1)).getMessage());
        assertThrows(LocalPrivacyException.class, () -> GaussianMechanism.of(Double.NaN, 1));
        assertThrows(LocalPrivacyException.class, () -> GaussianMechanism.of(1, Double.POSITIVE_INFINITY));
    }

    @Test
    void refusesAnUpdateWithANonFiniteCoordinate() {
        LocalPrivacyException e = assertThrows(LocalPrivacyException.class,
                () -> GaussianMechanism.of(1, 1).clip(new float[] {0, Float.NaN}));
        assertEquals("update coordinate 1 is NaN; every coordinate must be finite", e.getMessage());
    }
}
