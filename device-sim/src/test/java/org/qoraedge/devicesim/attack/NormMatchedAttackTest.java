package org.qoraedge.devicesim.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.robust.NormScreen;

class NormMatchedAttackTest {
    static final int D = AttacksTest.D;

    /** Honest norms in double from the decoded honest blocks; the median of 14 is the mean of the 7th and 8th. */
    static double medianHonestNorm(OmniscientView v) {
        double[] norms = new double[v.honestCount()];
        for (int k = 0; k < norms.length; k++) {
            norms[k] = norm(v.honestBlock(k));
        }
        Arrays.sort(norms);
        return (norms[6] + norms[7]) / 2;
    }

    static double norm(Bfp16Block b) {
        double s = 0;
        for (float x : Bfp16.decode(b)) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    static double cosine(float[] a, double[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /**
     * The published block's norm is the honest median norm T to within the encoding's rounding:
     * each mantissa is within half a unit of 2^e of the exact target coordinate, so
     * | ||B|| - T | <= 2^(e-1) * sqrt(d); 1e-12 * T covers the double rounding of T and of the
     * direction's length.
     */
    @Test
    void theNormIsTheHonestMedianNormWithinHalfAUnitPerCoordinate() {
        OmniscientView v = AttacksTest.view();
        ModelAttack a = Attacks.create("norm-matched");
        Bfp16Block b = a.craft(AttackContext.of("node-02", 3, D, null, v, 1, 1));
        double t = medianHonestNorm(v);
        assertEquals(t, NormMatchedAttack.medianHonestNorm(v), 1e-12 * t);
        double bound = Math.scalb(Math.sqrt(D), b.exponent() - 1) + 1e-12 * t;
        assertTrue(Math.abs(norm(b) - t) <= bound, "norm " + norm(b) + ", target " + t + ", bound " + bound);
        assertTrue(bound < 0.01 * t, "the rounding bound is small here: " + bound + " vs " + t);
        // the direction is IPM's: anti-aligned with the honest mean
        double[] negMean = v.mean();
        for (int i = 0; i < D; i++) {
            negMean[i] = -negMean[i];
        }
        assertTrue(cosine(Bfp16.decode(b), negMean) > 0.9999, "cosine " + cosine(Bfp16.decode(b), negMean));
        assertFalse(a.needsOwnUpdate());
        assertEquals("norm-matched:direction=negated-mean", a.spec());
    }

    @Test
    void twoSidedNormScreeningKeepsEveryCopy() {
        OmniscientView v = AttacksTest.view();
        Bfp16Block b = Attacks.create("norm-matched").craft(AttackContext.of("node-02", 3, D, null, v, 1, 1));
        int[] colluders = v.colluderPositions();
        for (int l = 0; l <= 6; l++) {
            int[] kept = NormScreen.reference(v.roundWith(b), l, 6);
            for (int p : colluders) {
                assertTrue(Arrays.binarySearch(kept, p) >= 0, "norm-screen(" + l + ", 6) dropped colluder at " + p);
            }
        }
    }

    @Test
    void negatedOwnRescalesTheAttackersOwnUpdate() {
        OmniscientView v = AttacksTest.view();
        ModelAttack a = Attacks.create("norm-matched:direction=negated-own");
        assertTrue(a.needsOwnUpdate());
        float[] own = AttacksTest.randomUpdate(4, 0.002, 0.03);
        Bfp16Block b = a.craft(AttackContext.of("node-02", 3, D, own, v, 1, 1));
        double[] negOwn = new double[D];
        for (int i = 0; i < D; i++) {
            negOwn[i] = -own[i];
        }
        assertTrue(cosine(Bfp16.decode(b), negOwn) > 0.9999);
        double t = medianHonestNorm(v);
        assertTrue(Math.abs(norm(b) - t) <= Math.scalb(Math.sqrt(D), b.exponent() - 1) + 1e-12 * t);
        assertThrows(AttackException.class, () -> a.craft(AttackContext.of("node-02", 3, D, null, v, 1, 1)));
        assertThrows(AttackException.class, () -> a.craft(AttackContext.of("node-02", 3, D, new float[D], v, 1, 1)),
                "a zero direction cannot be rescaled");
        assertThrows(AttackException.class, () -> Attacks.create("norm-matched:direction=up"));
    }

    @Test
    void nearestBlockRoundsHalfAwayFromZeroWithoutClamping() {
        // 32767.5 units of 2^-10 would round to 32768: the exponent goes up by one instead
        Bfp16Block b = NormMatchedAttack.nearestBlock(new double[] {Math.scalb(32767.5, -10), -Math.scalb(3.5, -10), 0});
        assertEquals(-9, b.exponent());
        assertArrayEquals(new short[] {16384, -2, 0}, b.mantissas()); // 16383.75 -> 16384, -1.75 -> -2
        // otherwise the encoder's exponent: the largest magnitude in [2^14, 2^15) units
        Bfp16Block c = NormMatchedAttack.nearestBlock(new double[] {0.75, -0.3, 1e-9});
        assertEquals(Bfp16.encode(new float[] {0.75f, -0.3f, 1e-9f}).exponent(), c.exponent());
        assertEquals(24576, c.mantissas()[0]);
        assertEquals(-Math.floor(0.3 * 32768 + 0.5), c.mantissas()[1]);
        assertTrue(NormMatchedAttack.nearestBlock(new double[4]).isZero());
    }
}
