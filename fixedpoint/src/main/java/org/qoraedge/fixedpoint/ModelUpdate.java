package org.qoraedge.fixedpoint;

import java.math.BigInteger;

/**
 * The step that closes a round after its aggregation rule: the next global model is the exact sum
 * of the current model and the round's aggregate, coordinate by coordinate, encoded by spec section
 * 2 (docs/PROTOCOL.md, "Closing a round").
 *
 * <p>It lives in fixedpoint, not in the gateway, because it is part of the deterministic result: the
 * model digest a round records ({@code modelAfter} in the audit record) is the digest of this sum,
 * so the gateway, an audit replay and a simulator must compute it bit for bit alike on every CPU. It
 * is a class of its own because it is neither an aggregation rule ({@link Means}, the robust rules)
 * nor the codec ({@link Bfp16}), but the one operation a round applies to the model itself.
 *
 * <p>Integer arithmetic only. Stateless and thread-safe.
 */
public final class ModelUpdate {
    /**
     * Largest exponent gap for which the sum of two mantissas, each shifted to the smaller exponent,
     * stays below {@code 2^62} in magnitude ({@code 32767 * 2^46 * 2 < 2^62}): the sum, the
     * rounding offset added to it and the final shift all fit in a {@code long}.
     */
    private static final int LONG_SHIFT_LIMIT = 46;

    private ModelUpdate() {
    }

    /**
     * The next global model: the exact sum of {@code model} and {@code update}, coordinate by
     * coordinate, encoded by spec section 2; bit for bit {@link Bfp16#encodeExact} of that sum.
     *
     * <p>When the two exponents are at most 46 apart (every round whose aggregate is on the scale of
     * its model) each coordinate's sum is an exact {@code long} and nothing is allocated but the
     * result: section 2 with a denominator of 1 needs only a shift with rounding. Farther apart, the
     * sums are {@code BigInteger}s, one per coordinate.
     *
     * @throws InvalidBlockException if the blocks have unequal dimensions
     * @throws UnrepresentableValueException if the largest magnitude of the sum is above
     *     {@code 2^128}, beyond any block (only blocks with exponents near 113 get there)
     */
    public static Bfp16Block add(Bfp16Block model, Bfp16Block update) {
        Bfp16Block.commonDimension(new Bfp16Block[] {model, update});
        int min = Math.min(model.exponent(), update.exponent());
        int sa = model.exponent() - min;
        int sb = update.exponent() - min;
        if (sa > LONG_SHIFT_LIMIT || sb > LONG_SHIFT_LIMIT) {
            return addInBigIntegers(model, update, min, sa, sb);
        }
        // The sums are S_i * 2^min with integer S_i, |S_i| < 2^62. Two passes over the mantissas
        // (the largest |S_i| first) instead of an array of sums.
        int d = model.dimension();
        long maxAbs = 0;
        for (int i = 0; i < d; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(sum(model, update, i, sa, sb)));
        }
        short[] m = new short[d];
        if (maxAbs == 0) {
            return Bfp16Block.wrapValidated(0, m);
        }
        // c = min + t with t = ceil(log2(maxAbs)), the least integer with maxAbs <= 2^t.
        int e = Bfp16.exponentFor(min + 64 - Long.numberOfLeadingZeros(maxAbs - 1));
        int shift = min - e; // coordinate i in units of 2^e is S_i * 2^shift
        // shift >= 0: |S_i| << shift <= 2^15, an integer, nothing to round (e = c - 15 gives
        // shift = 15 - t; e = -126 gives less). shift < 0: rha(|S_i| / 2^s) = (|S_i| + 2^(s-1)) >> s,
        // what encodeExact's floor((2N + D) / (2D)) is for D = 2^s; s <= 47, so no overflow.
        long half = shift >= 0 ? 0 : 1L << (-shift - 1);
        for (int i = 0; i < d; i++) {
            long s = sum(model, update, i, sa, sb);
            if (s == 0) {
                continue;
            }
            long a = Math.abs(s);
            long q = shift >= 0 ? a << shift : (a + half) >>> -shift;
            int mag = (int) Math.min(q, Bfp16Block.MAX_MANTISSA);
            m[i] = (short) (s < 0 ? -mag : mag);
        }
        return Bfp16Block.wrapValidated(e, m);
    }

    /** The all-zero model of dimension {@code d} (exponent 0): the global model before any round. */
    public static Bfp16Block zeros(int d) {
        return Bfp16Block.of(0, new short[d]);
    }

    /** Coordinate {@code i} of the sum in units of {@code 2^min}. */
    private static long sum(Bfp16Block a, Bfp16Block b, int i, int sa, int sb) {
        return ((long) a.mantissa(i) << sa) + ((long) b.mantissa(i) << sb);
    }

    private static Bfp16Block addInBigIntegers(Bfp16Block a, Bfp16Block b, int min, int sa, int sb) {
        BigInteger[] num = new BigInteger[a.dimension()];
        for (int i = 0; i < num.length; i++) {
            num[i] = BigInteger.valueOf(a.mantissa(i)).shiftLeft(sa).add(BigInteger.valueOf(b.mantissa(i)).shiftLeft(sb));
        }
        return Bfp16.encodeExact(num, min, BigInteger.ONE);
    }
}
