package org.qoraedge.fixedpoint.robust;

import java.math.BigInteger;

/**
 * Exact clipping (robust spec section 5). A vector {@code x} of squared norm {@code Q(x)} clipped
 * to a threshold {@code T = tau^2} becomes {@code s * x}, with {@code s = 1} when
 * {@code Q(x) <= T} and otherwise {@code s = isqrt(floor(T * 2^64 / Q(x))) / 2^32}: a dyadic
 * rational with 32 fractional bits, never above {@code tau / ||x||}, so the clipped vector's norm
 * never exceeds {@code tau}. No square root of a non-integer and no floating point is involved.
 */
public final class Clipping {
    /** The clipping factor's fractional bits: a factor is an integer number of {@code 2^-32}. */
    public static final int FRACTION_BITS = 32;
    /** The factor 1 in units of {@code 2^-32}. */
    public static final BigInteger ONE = BigInteger.ONE.shiftLeft(FRACTION_BITS);

    private Clipping() {
    }

    /**
     * The largest integer whose square is at most {@code k}.
     *
     * @throws IllegalArgumentException if {@code k} is negative
     */
    public static BigInteger isqrt(BigInteger k) {
        if (k.signum() < 0) {
            throw new IllegalArgumentException("isqrt of a negative number: " + k);
        }
        return k.sqrt(); // BigInteger.sqrt is the exact floor of the square root
    }

    /**
     * The clipping factor {@code s} in units of {@code 2^-32} ({@link #ONE} when nothing is clipped).
     *
     * @param squaredNorm {@code Q(x) >= 0}
     * @param threshold {@code T >= 0}, in the same unit as {@code squaredNorm} (any common power of
     *     two: the factor depends only on their ratio)
     * @throws IllegalArgumentException if either is negative
     */
    public static BigInteger factor(BigInteger squaredNorm, BigInteger threshold) {
        if (squaredNorm.signum() < 0 || threshold.signum() < 0) {
            throw new IllegalArgumentException("squared norm " + squaredNorm + " and threshold " + threshold
                    + " must both be >= 0");
        }
        if (squaredNorm.compareTo(threshold) <= 0) {
            return ONE; // includes Q = T = 0: the formula is only for Q > T >= 0
        }
        return isqrt(threshold.shiftLeft(2 * FRACTION_BITS).divide(squaredNorm));
    }
}
