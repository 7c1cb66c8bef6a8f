package org.qoraedge.gateway.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;

/** Expected deviations are worked out by hand in the comments, never with the code under test. */
class DeviationsTest {
    private static Bfp16Block b(int e, int... m) {
        return Bfp16Block.of(e, m);
    }

    @Test
    void exactSquaredDistanceInTheUnitOfTheLowerMedianExponent() {
        // values: A = (3, 4), B = 2 * (1, 0) = (2, 0), C = (2, 2) / 2 = (1, 1); aggregate (1, 1).
        // exponents sorted -1, 0, 1: the lower median (element 1) is 0, so the unit is 4^0 = 1.
        // Q(A - a) = 2^2 + 3^2 = 13; Q(B - a) = 1 + 1 = 2; Q(C - a) = 0.
        assertArrayEquals(new long[] {13, 2, 0},
                Deviations.of(new Bfp16Block[] {b(0, 3, 4), b(1, 1, 0), b(-1, 2, 2)}, b(0, 1, 1)));
    }

    @Test
    void theQuotientIsRoundedDown() {
        // values: D = (1, 0) / 2 = (0.5, 0), E = 2 * (3, 0) = (6, 0), F = 2 * (0, 1) = (0, 2); aggregate (1, 1).
        // exponents sorted -1, 1, 1: unit 4^1 = 4.
        // Q(D - a) = 0.25 + 1 = 1.25 -> 0.3125 -> 0; Q(E - a) = 25 + 1 = 26 -> 6.5 -> 6; Q(F - a) = 1 + 1 = 2 -> 0.5 -> 0.
        assertArrayEquals(new long[] {0, 6, 0},
                Deviations.of(new Bfp16Block[] {b(-1, 1, 0), b(1, 3, 0), b(1, 0, 1)}, b(0, 1, 1)));
    }

    @Test
    void anAggregateWithAnotherExponentAndAHugeOutlierThatSaturates() {
        // aggregate 4 * (1, -1) = (4, -4); unit: exponents 0, 0, 113 -> 0.
        // G = (4, -4): 0; H = (1, 2): 9 + 36 = 45; I = 32767 * 2^113 in coordinate 0: far beyond 2^63 - 1.
        assertArrayEquals(new long[] {0, 45, Long.MAX_VALUE},
                Deviations.of(new Bfp16Block[] {b(0, 4, -4), b(0, 1, 2), b(113, 32767, 0)}, b(2, 1, -1)));
    }

    @Test
    void oneTinyExponentCannotShrinkTheUnit() {
        // two updates at exponent 0 and one at -126: the lower median of (-126, 0, 0) is 0, so the
        // honest deviations stay small numbers: (5, 0) - (1, 1) -> 16 + 1 = 17; (1, 1) -> 0;
        // the tiny one is (0, 0) - (1, 1) up to 2^-126 -> 2 - (a little) -> floor 1.
        assertArrayEquals(new long[] {17, 0, 1},
                Deviations.of(new Bfp16Block[] {b(0, 5, 0), b(0, 1, 1), b(-126, 1, 1)}, b(0, 1, 1)));
    }

    @Test
    void refusesNoBlocksAndAnotherDimension() {
        assertThrows(IllegalArgumentException.class, () -> Deviations.of(new Bfp16Block[0], b(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> Deviations.of(new Bfp16Block[] {b(0, 1, 2)}, b(0, 1)));
    }
}
