package org.qoraedge.gateway.reputation;

import java.util.Arrays;

/**
 * The integer arithmetic of reputation, every rounding explicit. Scores are ppm in
 * [0, {@link Ppm#ONE}]; nothing here overflows a long (the far test compares 128-bit products).
 */
final class ScoreMath {
    private ScoreMath() {
    }

    /**
     * Decay towards neutral: the distance {@code |s - 0.5|} keeps {@code (1 - decay)} of itself,
     * rounded down in magnitude (towards neutral), the same way above and below neutral:
     * {@code s' = N + sign(s - N) * floorDiv(|s - N| * (ONE - decay), ONE)}. Never overshoots
     * neutral; decay 0 keeps {@code s}, decay 1 gives neutral.
     */
    static int decay(int score, int decayPpm) {
        long d = (long) score - Ppm.NEUTRAL;
        long kept = Math.floorDiv(Math.abs(d) * (Ppm.ONE - decayPpm), Ppm.ONE);
        return (int) (Ppm.NEUTRAL + (d < 0 ? -kept : kept));
    }

    /** {@code min(max(x, 0), ONE)}: the defined range of a score, applied after each round's sum. */
    static int clamp(long x) {
        return (int) Math.min(Math.max(x, 0), Ppm.ONE);
    }

    /**
     * The lower median of the scores: sorted ascending, element {@code (n - 1) / 2} (integer
     * division); for an odd count the median, for an even count the lower of the two middle ones.
     */
    static long lowerMedian(long[] scores) {
        long[] s = scores.clone();
        Arrays.sort(s);
        return s[(s.length - 1) / 2];
    }

    /**
     * The closer half of a round: ranked by {@code (value, index)} ascending, the indices at rank
     * positions {@code 0 .. (n - 1) / 2} (up to the lower median's position; 10 of 20, 10 of 19).
     */
    static boolean[] closerHalf(long[] values) {
        Integer[] order = new Integer[values.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (x, y) -> values[x] != values[y] ? Long.compare(values[x], values[y]) : Integer.compare(x, y));
        boolean[] out = new boolean[values.length];
        for (int r = 0; r <= (values.length - 1) / 2; r++) {
            out[order[r]] = true;
        }
        return out;
    }

    /**
     * Whether a Krum score is far outside the round: {@code score > farFactor * median}, compared
     * exactly as {@code score * 10^6 > farFactorPpm * median} in 128 bits (both products of
     * non-negative longs, each below 2^103). A median of 0 gives the round no scale, so nothing is
     * far outside (a majority of identical updates must not turn every other node into an outlier).
     */
    static boolean isFar(long score, long median, long farFactorPpm) {
        if (median == 0) {
            return false;
        }
        return compareProducts(score, Ppm.ONE, farFactorPpm, median) > 0;
    }

    /** Compares {@code a * b} with {@code c * d} exactly, for non-negative longs. */
    static int compareProducts(long a, long b, long c, long d) {
        long hi1 = Math.multiplyHigh(a, b);
        long hi2 = Math.multiplyHigh(c, d);
        if (hi1 != hi2) {
            return Long.compare(hi1, hi2);
        }
        return Long.compareUnsigned(a * b, c * d);
    }

    /**
     * Influence: {@code min(floor(score^3 / 10^12), cap)} in ppm, that is {@code min(rep^3, cap)}
     * with {@code rep^3} rounded down to the ppm. {@code score^3 <= 10^18} fits a long.
     */
    static int influence(int score, int capPpm) {
        long s = score;
        long cube = Math.floorDiv(s * s * s, (long) Ppm.ONE * Ppm.ONE);
        return (int) Math.min(cube, capPpm);
    }
}
