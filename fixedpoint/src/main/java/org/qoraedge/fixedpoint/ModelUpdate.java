package org.qoraedge.fixedpoint;

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
     * <p>Nothing is allocated but the result, whatever the dimension. When the two exponents are at
     * most 46 apart (every round whose aggregate is on the scale of its model) each coordinate's sum
     * is an exact {@code long}: section 2 with a denominator of 1 needs only a shift with rounding.
     * Farther apart, the result has a closed form ({@link #addFarApart}): the block with the smaller
     * exponent cannot change any mantissa, only, in one case, the exponent.
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
            Bfp16Block far = sa > sb ? addFarApart(model, update, min, sa) : addFarApart(update, model, min, sb);
            if (far != null) {
                return far;
            }
            // The block with the larger exponent is all-zero: every sum is the other's mantissa, a long.
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

    /**
     * The sum of {@code high} (exponent {@code min + g}) and {@code low} (exponent {@code min}) for a
     * gap {@code g > 46}, or null when {@code high} is all-zero. In units of {@code 2^min} coordinate
     * {@code i} is {@code S_i = H_i 2^g + L_i} with {@code |H_i|, |L_i| <= 32767}.
     *
     * <p>Where {@code H_i != 0}, {@code |S_i| = |H_i| 2^g + sign(H_i) L_i}, so the largest
     * {@code |S_i|} is at the largest pair {@code (A, B) = (|H_i|, sign(H_i) L_i)} in lexicographic
     * order, and {@code t = ceil(log2(A 2^g + B))} is {@code g + bitLength(A)}, less one when
     * {@code A} is a power of two and {@code B <= 0} (then {@code A 2^g + B - 1 < A 2^g}). So
     * {@code c = min + t}, {@code e = c - 15} (never the -126 floor: {@code c - 15 >= min + 32}),
     * and each coordinate is {@code rha(|S_i| / 2^s)} with {@code s = e - min = t - 15 >= 32}: for
     * {@code H_i != 0} that is {@code |H_i| 2^h + delta} with {@code h = g - s} in {@code [0, 15]} and
     * {@code |delta| < 2^15 / 2^32}, which rounds to {@code |H_i| 2^h} (clamped to 32767; the sign is
     * {@code H_i}'s); for {@code H_i = 0} it is {@code |L_i| / 2^s < 2^-17}, which rounds to 0.
     */
    private static Bfp16Block addFarApart(Bfp16Block high, Bfp16Block low, int min, int g) {
        int d = high.dimension();
        int a = 0;
        int b = 0;
        for (int i = 0; i < d; i++) {
            int h = high.mantissa(i);
            if (h == 0) {
                continue;
            }
            int ah = Math.abs(h);
            int bl = h > 0 ? low.mantissa(i) : -low.mantissa(i);
            if (ah > a || (ah == a && bl > b)) {
                a = ah;
                b = bl;
            }
        }
        if (a == 0) {
            return null;
        }
        int t = g + (32 - Integer.numberOfLeadingZeros(a)) - (b <= 0 && Integer.bitCount(a) == 1 ? 1 : 0);
        int e = Bfp16.exponentFor(min + t);
        int up = g - (e - min);
        short[] m = new short[d];
        for (int i = 0; i < d; i++) {
            int h = high.mantissa(i);
            if (h != 0) {
                int mag = Math.min(Math.abs(h) << up, Bfp16Block.MAX_MANTISSA);
                m[i] = (short) (h < 0 ? -mag : mag);
            }
        }
        return Bfp16Block.wrapValidated(e, m);
    }
}
