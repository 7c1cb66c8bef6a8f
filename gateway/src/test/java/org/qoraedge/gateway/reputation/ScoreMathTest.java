package org.qoraedge.gateway.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qoraedge.fixedpoint.NodeIds;

class ScoreMathTest {
    @Test
    void decayKeepsTheRestOfTheDistanceRoundedTowardsNeutral() {
        // decay 0.05 keeps 95% of |s - 0.5|
        assertEquals(500_000, ScoreMath.decay(500_000, 50_000));
        assertEquals(519_000, ScoreMath.decay(520_000, 50_000)); // 20000 * 0.95 = 19000
        assertEquals(424_000, ScoreMath.decay(420_000, 50_000)); // 80000 * 0.95 = 76000
        assertEquals(218_050, ScoreMath.decay(203_210, 50_000)); // 296790 * 0.95 = 281950.5 -> 281950
        assertEquals(781_950, ScoreMath.decay(796_790, 50_000)); // the same, mirrored above neutral
        assertEquals(500_000, ScoreMath.decay(500_001, 50_000)); // 0.95 -> 0
        assertEquals(500_000, ScoreMath.decay(499_999, 50_000));
        assertEquals(975_000, ScoreMath.decay(1_000_000, 50_000));
        assertEquals(25_000, ScoreMath.decay(0, 50_000));
        assertEquals(123_456, ScoreMath.decay(123_456, 0));
        assertEquals(500_000, ScoreMath.decay(0, 1_000_000));
        assertEquals(500_000, ScoreMath.decay(1_000_000, 1_000_000));
    }

    @Test
    void decayIsSymmetricAroundNeutralAndNeverOvershoots() {
        SplittableRandom r = new SplittableRandom(11);
        for (int t = 0; t < 10_000; t++) {
            int d = r.nextInt(500_001);
            int rate = r.nextInt(1_000_001);
            int up = ScoreMath.decay(500_000 + d, rate) - 500_000;
            int down = 500_000 - ScoreMath.decay(500_000 - d, rate);
            assertEquals(up, down);
            assertTrue(up >= 0 && up <= d, "d " + d + " rate " + rate + " kept " + up);
        }
    }

    @Test
    void clampIsTheRangeOfAScore() {
        assertEquals(0, ScoreMath.clamp(-1));
        assertEquals(0, ScoreMath.clamp(Long.MIN_VALUE));
        assertEquals(1_000_000, ScoreMath.clamp(1_000_001));
        assertEquals(777, ScoreMath.clamp(777));
    }

    @Test
    void lowerMedianTakesTheLowerMiddleOfAnEvenCount() {
        assertEquals(7, ScoreMath.lowerMedian(new long[] {7}));
        assertEquals(3, ScoreMath.lowerMedian(new long[] {9, 3}));
        assertEquals(20, ScoreMath.lowerMedian(new long[] {10, 50, 20, 41}));
        assertEquals(120, ScoreMath.lowerMedian(new long[] {100, 120, 110, 130, 10_000}));
        long[] in = {5, 1, 4};
        assertEquals(4, ScoreMath.lowerMedian(in));
        assertEquals(5, in[0], "the caller's array is not sorted in place");
    }

    @Test
    void farIsStrictlyAboveFactorTimesMedian() {
        assertFalse(ScoreMath.isFar(480, 120, 4_000_000));
        assertTrue(ScoreMath.isFar(481, 120, 4_000_000));
        // a fractional factor: 2.5 x 3 = 7.5
        assertFalse(ScoreMath.isFar(7, 3, 2_500_000));
        assertTrue(ScoreMath.isFar(8, 3, 2_500_000));
        assertFalse(ScoreMath.isFar(Long.MAX_VALUE, 0, 1_000_000), "a median of 0 gives no scale");
        assertFalse(ScoreMath.isFar(Long.MAX_VALUE, Long.MAX_VALUE, 1_000_000));
        assertTrue(ScoreMath.isFar(Long.MAX_VALUE, Long.MAX_VALUE / 4, 4_000_000)); // MAX = 4 * (MAX / 4) + 3
        assertFalse(ScoreMath.isFar(Long.MAX_VALUE, Long.MAX_VALUE / 4 + 1, 4_000_000));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void productComparisonAgreesWithBigInteger(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int t = 0; t < 20_000; t++) {
            long a = edgy(r);
            long b = edgy(r);
            long c = edgy(r);
            long d = edgy(r);
            int expected = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b))
                    .compareTo(BigInteger.valueOf(c).multiply(BigInteger.valueOf(d)));
            assertEquals(expected, Integer.signum(ScoreMath.compareProducts(a, b, c, d)), a + "*" + b + " vs " + c + "*" + d);
        }
    }

    private static long edgy(SplittableRandom r) {
        switch (r.nextInt(5)) {
            case 0:
                return Long.MAX_VALUE - r.nextInt(3);
            case 1:
                return r.nextInt(3);
            case 2:
                return r.nextLong(1L << 40);
            default:
                return r.nextLong(Long.MAX_VALUE);
        }
    }

    @Test
    void influenceIsTheCubeRoundedDownAndCapped() {
        assertEquals(800_000, ScoreMath.influence(1_000_000, 800_000));
        assertEquals(729_000, ScoreMath.influence(900_000, 800_000));
        assertEquals(800_000, ScoreMath.influence(950_000, 800_000)); // 857375 capped
        assertEquals(857_375, ScoreMath.influence(950_000, 1_000_000));
        assertEquals(125_000, ScoreMath.influence(500_000, 800_000));
        assertEquals(1_000, ScoreMath.influence(100_000, 800_000));
        assertEquals(1, ScoreMath.influence(10_000, 800_000));
        assertEquals(0, ScoreMath.influence(9_999, 800_000)); // 999700029999 / 10^12 -> 0
        assertEquals(0, ScoreMath.influence(0, 800_000));
        // 333333^3 = 37036925926037037, / 10^12 = 37036.93 -> 37036
        assertEquals(37_036, ScoreMath.influence(333_333, 800_000));
    }

    @Test
    void canonicalOrderIsTheOrderOfUtf8Bytes() {
        String[] samples = {"a", "b", "ab", "A", "node-1", "node-10", "node-2", "\u00e9", "\uffff", "\ud83d\ude00", "\ud83d\ude00a",
            "z\ud800\udc00", "z\uffff", "\u0100"};
        for (String x : samples) {
            for (String y : samples) {
                int expected = Integer.signum(NodeIds.compare(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
                assertEquals(expected, Integer.signum(CanonicalOrder.compare(x, y)), x + " vs " + y);
            }
        }
        assertTrue(CanonicalOrder.compare("\uffff", "\ud83d\ude00") < 0, "U+FFFF before U+1F600");
        assertTrue("\uffff".compareTo("\ud83d\ude00") > 0, "String.compareTo disagrees, hence the comparator");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23})
    void canonicalOrderAgreesWithUtf8BytesOnRandomIds(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] pool = {'a', 'b', 0x7f, 0xe9, 0x800, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff};
        for (int t = 0; t < 5_000; t++) {
            String x = randomId(r, pool);
            String y = randomId(r, pool);
            int expected = Integer.signum(NodeIds.compare(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
            assertEquals(expected, Integer.signum(CanonicalOrder.compare(x, y)));
        }
    }

    private static String randomId(SplittableRandom r, int[] pool) {
        StringBuilder sb = new StringBuilder();
        int len = 1 + r.nextInt(4);
        for (int i = 0; i < len; i++) {
            sb.appendCodePoint(pool[r.nextInt(pool.length)]);
        }
        return sb.toString();
    }
}
