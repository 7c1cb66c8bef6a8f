package org.qoraedge.fixedpoint;

import java.math.BigInteger;

/**
 * The BFP-16 codec of spec section 2, in integer arithmetic only.
 *
 * <p>Encoding reads each float's IEEE-754 bits ({@link Float#floatToRawIntBits}); it never
 * multiplies floats, never calls {@code Math.round}, {@code log} or {@code pow}, so it gives the
 * same block on every CPU and JVM. Decoding builds each float's bits directly and is exact.
 */
public final class Bfp16 {
    private static final int SIGN_BIT = 0x8000_0000;
    private static final int EXP_MASK = 0x7F80_0000;
    private static final int FRAC_MASK = 0x007F_FFFF;

    private Bfp16() {
    }

    /**
     * Encodes {@code x} per spec section 2.
     *
     * @throws EmptyInputException if {@code x} is empty
     * @throws NonFiniteInputException naming the first NaN or infinity
     */
    public static Bfp16Block encode(float[] x) {
        if (x.length == 0) {
            throw new EmptyInputException("cannot encode an empty vector (d = 0); a block needs d >= 1");
        }
        // Step 1 and the maximum magnitude in one pass. For non-negative floats the raw bits
        // order exactly like the values, so the maximum is an integer comparison.
        int maxAbsBits = 0;
        for (int i = 0; i < x.length; i++) {
            int bits = Float.floatToRawIntBits(x[i]);
            int abs = bits & ~SIGN_BIT;
            if ((abs & EXP_MASK) == EXP_MASK) {
                throw new NonFiniteInputException(i, bits);
            }
            if (abs > maxAbsBits) {
                maxAbsBits = abs;
            }
        }
        short[] m = new short[x.length];
        if (maxAbsBits == 0) {
            return Bfp16Block.wrapValidated(0, m);
        }
        // M = sig * 2^exp2 with an integer significand; c = exp2 + ceil(log2(sig)).
        int c = exponentOf(maxAbsBits) + ceilLog2(significandOf(maxAbsBits));
        int e = Math.max(c - 15, Bfp16Block.MIN_EXPONENT);
        for (int i = 0; i < x.length; i++) {
            int bits = Float.floatToRawIntBits(x[i]);
            int abs = bits & ~SIGN_BIT;
            if (abs == 0) {
                continue;
            }
            int mag = roundedMagnitude(significandOf(abs), exponentOf(abs) - e);
            m[i] = (short) (bits < 0 ? -mag : mag);
        }
        return Bfp16Block.wrapValidated(e, m);
    }

    /** rha(sig * 2^shift) for a positive 24-bit significand, clamped to 32767. */
    private static int roundedMagnitude(int sig, int shift) {
        if (shift >= 0) {
            // sig * 2^shift <= M * 2^-e <= 2^15 here, so no overflow before the clamp; the guard
            // only keeps the shift meaningful.
            long v = shift >= 31 ? Long.MAX_VALUE : ((long) sig) << shift;
            return (int) Math.min(v, Bfp16Block.MAX_MANTISSA);
        }
        int down = -shift;
        if (down > 25) {
            return 0; // sig < 2^24, so sig / 2^26 < 1/4 rounds to 0
        }
        long v = (((long) sig) + (1L << (down - 1))) >>> down; // half away from zero on magnitudes
        return (int) Math.min(v, Bfp16Block.MAX_MANTISSA);
    }

    /** The integer significand of a finite positive float (the hidden bit included when normal). */
    private static int significandOf(int absBits) {
        int frac = absBits & FRAC_MASK;
        return (absBits & EXP_MASK) == 0 ? frac : frac | 0x0080_0000;
    }

    /** The power of two of one significand unit: value = significand * 2^exponentOf. */
    private static int exponentOf(int absBits) {
        int biased = (absBits & EXP_MASK) >>> 23;
        return biased == 0 ? -149 : biased - 150;
    }

    /** ceil(log2(v)) for v >= 1. */
    static int ceilLog2(int v) {
        return 32 - Integer.numberOfLeadingZeros(v - 1);
    }

    /**
     * Decodes a block to float32. Always exact: {@code |m| < 2^15} and {@code e} in [-126, 113]
     * keep every value representable (subnormal at the bottom). Zero mantissas decode to +0.0.
     */
    public static float[] decode(Bfp16Block block) {
        int d = block.dimension();
        int e = block.exponent();
        float[] out = new float[d];
        for (int i = 0; i < d; i++) {
            out[i] = Float.intBitsToFloat(floatBits(block.mantissa(i), e));
        }
        return out;
    }

    /** The bits of the float32 equal to {@code m * 2^e}. */
    static int floatBits(int m, int e) {
        if (m == 0) {
            return 0;
        }
        int sign = m < 0 ? SIGN_BIT : 0;
        int mag = Math.abs(m);
        int top = 31 - Integer.numberOfLeadingZeros(mag); // mag in [2^top, 2^(top+1))
        int unbiased = top + e;
        if (unbiased >= -126) {
            int frac = (mag << (23 - top)) & FRAC_MASK;
            return sign | ((unbiased + 127) << 23) | frac;
        }
        return sign | (mag << (e + 149)); // subnormal: a multiple of 2^-149
    }

    /**
     * Encodes exact rational values per spec section 2: coordinate {@code i} is
     * {@code numerators[i] * 2^scale / denominator}. This is how every averaging aggregator turns
     * its exact result into a block.
     *
     * @param numerators the integer numerators, one per coordinate ({@code d >= 1})
     * @param scale the power of two shared by every numerator
     * @param denominator a positive integer shared by every coordinate
     * @throws EmptyInputException if there are no numerators
     * @throws UnrepresentableValueException if the denominator is not positive, or the largest
     *     value is above {@code 2^128} (no mean of blocks comes near it)
     */
    public static Bfp16Block encodeExact(BigInteger[] numerators, int scale, BigInteger denominator) {
        if (numerators.length == 0) {
            throw new EmptyInputException("cannot encode an empty vector (d = 0); a block needs d >= 1");
        }
        if (denominator.signum() <= 0) {
            throw new UnrepresentableValueException("denominator must be positive, got " + denominator);
        }
        BigInteger maxAbs = BigInteger.ZERO;
        for (BigInteger n : numerators) {
            BigInteger a = n.abs();
            if (a.compareTo(maxAbs) > 0) {
                maxAbs = a;
            }
        }
        short[] m = new short[numerators.length];
        if (maxAbs.signum() == 0) {
            return Bfp16Block.wrapValidated(0, m);
        }
        // c - scale = t, the smallest integer with maxAbs <= denominator * 2^t; it is t0 or t0 + 1.
        int t0 = maxAbs.bitLength() - denominator.bitLength();
        int t = lessOrEqualScaled(maxAbs, denominator, t0) ? t0 : t0 + 1;
        int e = exponentFor(scale + t);
        int shift = scale - e; // value * 2^-e = n * 2^shift / denominator
        BigInteger den = shift >= 0 ? denominator : denominator.shiftLeft(-shift);
        BigInteger twoDen = den.shiftLeft(1);
        for (int i = 0; i < m.length; i++) {
            BigInteger n = numerators[i];
            if (n.signum() == 0) {
                continue;
            }
            BigInteger num = shift >= 0 ? n.abs().shiftLeft(shift) : n.abs();
            // rha on a magnitude: floor((2 num + den) / (2 den))
            BigInteger q = num.shiftLeft(1).add(den).divide(twoDen);
            int mag = q.bitLength() > 15 ? Bfp16Block.MAX_MANTISSA : Math.min(q.intValue(), Bfp16Block.MAX_MANTISSA);
            m[i] = (short) (n.signum() < 0 ? -mag : mag);
        }
        return Bfp16Block.wrapValidated(e, m);
    }

    /**
     * Section 2, step 4: the block exponent {@code e = max(c - 15, -126)} for the largest magnitude
     * {@code M} with {@code 2^(c-1) < M <= 2^c}.
     *
     * @throws UnrepresentableValueException if {@code c > 128} ({@code e} would be above 113)
     */
    static int exponentFor(int c) {
        if (c > 128) {
            throw new UnrepresentableValueException("largest magnitude is above 2^128 (c = " + c + "); no block can hold it");
        }
        return Math.max(c - 15, Bfp16Block.MIN_EXPONENT);
    }

    /** a <= b * 2^t, exactly, for positive a and b and any integer t. */
    private static boolean lessOrEqualScaled(BigInteger a, BigInteger b, int t) {
        return t >= 0 ? a.compareTo(b.shiftLeft(t)) <= 0 : a.shiftLeft(-t).compareTo(b) <= 0;
    }
}
