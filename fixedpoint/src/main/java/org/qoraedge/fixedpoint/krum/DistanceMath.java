package org.qoraedge.fixedpoint.krum;

import java.math.BigInteger;

/**
 * The exact O(1) combination of spec section 4: a pair's distance from the two blocks' sums of
 * squares and their dot product. Allocation-free unless the exponent gap exceeds 31 binades, where
 * the exact value needs more than 128 bits and one {@link BigInteger} computation is made for the
 * pair (never per coordinate).
 *
 * <p>With {@code hi} the block of larger exponent, {@code delta = e_hi - e_lo}, the exact squared
 * distance in units of {@code 4^e_lo} is the non-negative integer
 * {@code X = 4^delta * N_hi + N_lo - 2^(delta+1) * P}. PAIRWISE reports {@code sat(X)} (and
 * {@code MAX} for {@code delta > 15}); COMMON reports {@code sat(rha(X * 4^(e_lo - e_ref)))}.
 */
public final class DistanceMath {
    /** The spec's {@code MAX}: 2^63 - 1, the saturated distance or score. */
    public static final long MAX = Long.MAX_VALUE;

    private DistanceMath() {
    }

    /**
     * The distance between blocks a and b.
     *
     * @param normA sum of squares of a's mantissas (non-negative, {@code < 2^63} for {@code d < 2^33})
     * @param expA a's exponent
     * @param normB sum of squares of b's mantissas
     * @param expB b's exponent
     * @param dot the dot product of a's and b's mantissas
     * @param metric the metric
     * @param eRef the round's reference exponent (COMMON only; ignored for PAIRWISE)
     */
    public static long distance(long normA, int expA, long normB, int expB, long dot, Metric metric, int eRef) {
        long nHi = normA;
        long nLo = normB;
        int eHi = expA;
        int eLo = expB;
        if (expA < expB) {
            nHi = normB;
            nLo = normA;
            eHi = expB;
            eLo = expA;
        }
        int delta = eHi - eLo;
        int shift; // the result is X * 2^shift, rounded half away from zero
        if (metric == Metric.PAIRWISE) {
            if (delta > 15) {
                return MAX;
            }
            shift = 0;
        } else {
            shift = 2 * (eLo - eRef);
        }
        if (delta > 31) {
            return scaleBig(BigInteger.valueOf(nHi).shiftLeft(2 * delta)
                    .add(BigInteger.valueOf(nLo))
                    .subtract(BigInteger.valueOf(dot).shiftLeft(delta + 1)), shift);
        }
        // X = (nHi << 2 delta) + nLo - (dot << (delta + 1)) as a signed 128-bit (hi, lo) pair.
        // |nHi << 62| < 2^125 and |dot << 32| < 2^95, so nothing leaves 128 bits.
        int s1 = 2 * delta;
        long aLo = nHi << s1;
        long aHi = s1 == 0 ? 0 : nHi >>> (64 - s1);
        long xLo = aLo + nLo;
        long xHi = aHi + (Long.compareUnsigned(xLo, aLo) < 0 ? 1 : 0);
        int s2 = delta + 1;
        long cLo = dot << s2;
        long cHi = dot >> (64 - s2); // 1 <= s2 <= 32: the arithmetic shift keeps the sign
        long rLo = xLo - cLo;
        long rHi = xHi - cHi - (Long.compareUnsigned(xLo, cLo) < 0 ? 1 : 0);
        return scale128(rHi, rLo, shift);
    }

    /** sat(rha(X * 2^shift)) for a non-negative 128-bit X = (hi, lo). */
    private static long scale128(long hi, long lo, int shift) {
        if (shift >= 0) {
            if (hi != 0 || lo < 0) {
                return MAX;
            }
            return shiftLeftSaturated(lo, shift);
        }
        int s = -shift;
        if (s >= 127) {
            return 0; // X < 2^126 <= 2^(s-1): below one half
        }
        // add one half (2^(s-1)), then shift right by s
        if (s - 1 < 64) {
            long nlo = lo + (1L << (s - 1));
            hi += Long.compareUnsigned(nlo, lo) < 0 ? 1 : 0;
            lo = nlo;
        } else {
            hi += 1L << (s - 1 - 64);
        }
        long qHi;
        long qLo;
        if (s < 64) {
            qLo = (lo >>> s) | (hi << (64 - s));
            qHi = hi >>> s;
        } else {
            qLo = hi >>> (s - 64);
            qHi = 0;
        }
        return qHi != 0 || qLo < 0 ? MAX : qLo;
    }

    private static long scaleBig(BigInteger x, int shift) {
        BigInteger r;
        if (shift >= 0) {
            if (x.signum() == 0) {
                return 0;
            }
            if (x.bitLength() + shift > 63) {
                return MAX;
            }
            r = x.shiftLeft(shift);
        } else {
            r = x.add(BigInteger.ONE.shiftLeft(-shift - 1)).shiftRight(-shift);
        }
        return r.bitLength() > 63 ? MAX : r.longValue();
    }

    /** sat(x * 2^shift) for x >= 0, shift >= 0. */
    static long shiftLeftSaturated(long x, int shift) {
        if (x == 0) {
            return 0;
        }
        if (shift >= 63 || x > (MAX >>> shift)) {
            return MAX;
        }
        return x << shift;
    }

    /** sat(a + b) for non-negative a and b. */
    public static long addSaturated(long a, long b) {
        long s = a + b;
        return s < 0 ? MAX : s;
    }
}
