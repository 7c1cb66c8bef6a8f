package org.qoraedge.fixedpoint.fast;

import java.math.BigInteger;
import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * One iteration of weighted centered clipping (see {@link org.qoraedge.fixedpoint.robust.Pipeline},
 * "Weighted rounds"): bit for bit the iterate of
 * {@link org.qoraedge.fixedpoint.robust.CenteredClip#reference(Bfp16Block[], int, int, Bfp16Block, long[])},
 * in integer arithmetic only.
 *
 * <h2>Method</h2>
 * With the clipping factors {@code s_j} in units of {@code 2^-32} (unweighted, computed by the
 * caller) and {@code W = sum_j w_j}, the iterate is
 * {@code u_l = encode((sum_j w_j s_j v_j + rest * u) / (W 2^32))} with
 * {@code rest = W 2^32 - sum_j w_j s_j = sum_j w_j (2^32 - s_j)}: an exact weighted mean whose
 * coefficients reach {@code 2^72} and beyond for weights of {@code 2^40}, too large for
 * {@link FastMeans}. So:
 * <ul>
 * <li>{@link Tier#MEAN}: nothing is clipped ({@code rest = 0}, every {@code s_j = 2^32}); the
 *     iterate is the weighted mean of the blocks, {@link FastMeans#weightedMean}, the same rational.</li>
 * <li>{@link Tier#ZERO}: every term with a coefficient is the zero vector; the zero block.</li>
 * <li>{@link Tier#WIDE}: in units of {@code 2^b} ({@code b} the smallest exponent of the terms), the
 *     numerator of coordinate {@code i} is {@code S_i = sum_k K_k m_k,i} with integer coefficients
 *     {@code K_k = c_k 2^(e_k - b)} ({@code c_k} the term's weight {@code w_j s_j} or {@code rest}),
 *     and coordinate {@code i} of the iterate is {@code S_i 2^(b - 32) / W}. When
 *     {@code 32767 * sum_k K_k < 2^126}, {@code W < 2^62} and there are fewer than {@code 2^15}
 *     terms, each {@code K_k} is cut into 32-bit limbs, each limb's products summed in a
 *     {@code long} (each term below {@code 2^47}, so no overflow), and the limb sums combined into
 *     {@code S_i} in 128-bit two's complement: exact, since {@code |S_i| < 2^126}. Section 2's encoder
 *     then runs on the 128-bit numerators: {@code t} the least integer with
 *     {@code max|S_i| <= W 2^t}, {@code c = b - 32 + t}, {@code e = max(c - 15, -126)},
 *     {@code sh = b - 32 - e}, and the magnitude {@code floor((2N + D) / (2D))} clamped to 32767 with
 *     {@code N = |S_i| 2^max(sh,0)}, {@code D = W 2^max(-sh,0)}. Every quotient is at most
 *     {@code 2^15}; for {@code sh >= 0} the dividend {@code 2N + W <= W (2^16 + 1)} is below
 *     {@code 2^79}; for {@code sh < 0} the quotient is {@code floor(floor((2|S_i| + W 2^k) / 2^(k+1)) / W)}
 *     with {@code k = -sh} (nested floors of positive divisors), {@code 2|S_i| + W 2^k < 2^128}. A
 *     dividend below {@code 2^63} is divided in {@code long}; a larger one (only when
 *     {@code W >= 2^46}) by 18 steps of binary long division.</li>
 * <li>{@link Tier#BIG}: otherwise (exponents far apart with large weights, {@code W >= 2^62}, or a
 *     huge round), one {@code BigInteger} per coordinate and {@link Bfp16#encodeExact}.</li>
 * </ul>
 * No floating point anywhere. Thread safety: stateless.
 */
final class WeightedClipping {
    /** The factor 1 of a clipping factor, {@code 2^32}. */
    private static final long ONE = 1L << 32;
    private static final long LIMB_MASK = 0xFFFF_FFFFL;
    /** Coordinates per chunk: the limb sums of a chunk stay in L1 while every term adds to them. */
    private static final int CHUNK = 2048;

    private WeightedClipping() {
    }

    /** How an iteration is computed (see the class comment). */
    enum Tier {
        /** An unweighted iteration (not computed by this class); for a trace. */
        UNWEIGHTED,
        /** Nothing clipped: {@link FastMeans#weightedMean} of the blocks. */
        MEAN,
        /** Every term with a coefficient is zero: the zero block. */
        ZERO,
        /** 32-bit limbs summed in {@code long}, numerators in 128 bits. */
        WIDE,
        /** One {@code BigInteger} per coordinate. */
        BIG
    }

    /**
     * What an iteration will compute: the terms (blocks with a non-zero coefficient that are not the
     * zero vector, then {@code u}) with their coefficients {@code K_k} in units of {@code 2^base}, and
     * {@code W}.
     */
    record Plan(Tier tier, Bfp16Block[] terms, BigInteger[] scaled, int base, BigInteger total) {
    }

    /**
     * Plans the iterate from {@code u} given the clipping factors.
     *
     * @param zero {@code zero[j]}: block {@code j} is the zero vector
     * @param s the clipping factors in units of {@code 2^-32}, each in {@code [0, 2^32]}
     * @param w the weights, each {@code >= 1} (checked by the caller)
     */
    static Plan plan(Bfp16Block[] blocks, boolean[] zero, long[] s, long[] w, Bfp16Block u) {
        int n = blocks.length;
        boolean clippedAny = false;
        for (int j = 0; j < n; j++) {
            clippedAny |= s[j] != ONE;
        }
        if (!clippedAny) {
            return new Plan(Tier.MEAN, null, null, 0, null);
        }
        BigInteger total = BigInteger.ZERO;
        BigInteger weighted = BigInteger.ZERO; // sum_j w_j s_j
        Bfp16Block[] terms = new Bfp16Block[n + 1];
        BigInteger[] coefficients = new BigInteger[n + 1];
        int count = 0;
        for (int j = 0; j < n; j++) {
            BigInteger wj = BigInteger.valueOf(w[j]);
            BigInteger c = wj.multiply(BigInteger.valueOf(s[j]));
            total = total.add(wj);
            weighted = weighted.add(c);
            if (!zero[j] && s[j] != 0) {
                terms[count] = blocks[j];
                coefficients[count++] = c;
            }
        }
        BigInteger rest = total.shiftLeft(32).subtract(weighted);
        if (rest.signum() != 0 && !u.isZero()) {
            terms[count] = u;
            coefficients[count++] = rest;
        }
        if (count == 0) {
            return new Plan(Tier.ZERO, null, null, 0, total);
        }
        terms = Arrays.copyOf(terms, count);
        int base = Integer.MAX_VALUE;
        for (Bfp16Block t : terms) {
            base = Math.min(base, t.exponent());
        }
        BigInteger[] scaled = new BigInteger[count];
        BigInteger sum = BigInteger.ZERO;
        for (int k = 0; k < count; k++) {
            scaled[k] = coefficients[k].shiftLeft(terms[k].exponent() - base);
            sum = sum.add(scaled[k]);
        }
        boolean wide = sum.multiply(BigInteger.valueOf(Bfp16Block.MAX_MANTISSA)).bitLength() <= 126
                && total.bitLength() <= 62 && count < (1 << 15);
        return new Plan(wide ? Tier.WIDE : Tier.BIG, terms, scaled, base, total);
    }

    /** The iterate the plan describes; {@code blocks} and {@code w} as given to {@link #plan}. */
    static Bfp16Block iterate(Plan plan, Bfp16Block[] blocks, long[] w, int d, Parallelism parallelism, Kernels kernels) {
        return switch (plan.tier()) {
            case MEAN -> FastMeans.weightedMean(blocks, w, parallelism, kernels);
            case ZERO -> Bfp16Block.of(0, new short[d]);
            case WIDE -> wide(plan, d, parallelism);
            case BIG -> big(plan, d);
            default -> throw new IllegalStateException("not a weighted iteration: " + plan.tier());
        };
    }

    // ---------------------------------------------------------------- exact in big integers

    private static Bfp16Block big(Plan plan, int d) {
        Bfp16Block[] terms = plan.terms();
        BigInteger[] scaled = plan.scaled();
        BigInteger[] sums = new BigInteger[d];
        for (int i = 0; i < d; i++) {
            BigInteger v = BigInteger.ZERO;
            for (int k = 0; k < terms.length; k++) {
                int m = terms[k].mantissa(i);
                if (m != 0) {
                    v = v.add(scaled[k].multiply(BigInteger.valueOf(m)));
                }
            }
            sums[i] = v;
        }
        return Bfp16.encodeExact(sums, plan.base() - 32, plan.total());
    }

    // ---------------------------------------------------------------- 32-bit limbs, 128-bit numerators

    private static Bfp16Block wide(Plan plan, int d, Parallelism parallelism) {
        Bfp16Block[] terms = plan.terms();
        BigInteger[] scaled = plan.scaled();
        int bits = 0;
        for (BigInteger k : scaled) {
            bits = Math.max(bits, k.bitLength());
        }
        int limbs = Math.max(1, (bits + 31) / 32); // at most 4: every K_k is below 2^126 / 32767
        long[][] limb = new long[terms.length][limbs];
        for (int k = 0; k < terms.length; k++) {
            for (int p = 0; p < limbs; p++) {
                limb[k][p] = scaled[k].shiftRight(32 * p).longValue() & LIMB_MASK;
            }
        }
        long[] hi = new long[d];
        long[] lo = new long[d];
        int chunks = (d + CHUNK - 1) / CHUNK;
        int parts = parallelism.parts(chunks);
        long[] maxHi = new long[parts];
        long[] maxLo = new long[parts];
        parallelism.run(parts, p -> {
            int from = (int) ((long) p * chunks / parts) * CHUNK;
            int to = (int) Math.min(d, (long) (p + 1) * chunks / parts * CHUNK);
            long[] max = sums(terms, limb, limbs, from, to, hi, lo);
            maxHi[p] = max[0];
            maxLo[p] = max[1];
        });
        long mh = 0;
        long ml = 0;
        for (int p = 0; p < parts; p++) {
            if (greater(maxHi[p], maxLo[p], mh, ml)) {
                mh = maxHi[p];
                ml = maxLo[p];
            }
        }
        if (mh == 0 && ml == 0) {
            return Bfp16Block.of(0, new short[d]);
        }
        // Section 2 on S_i 2^scale / W: t the least integer with max|S_i| <= W 2^t (t0 or t0 + 1).
        int scale = plan.base() - 32;
        BigInteger maxAbs = BigInteger.valueOf(mh).shiftLeft(64).or(BigInteger.valueOf(ml >>> 1).shiftLeft(1))
                .or(BigInteger.valueOf(ml & 1));
        BigInteger total = plan.total();
        int e = FastMeans.exponent(maxAbs, scale, total);
        int shift = scale - e;
        long weight = total.longValueExact(); // below 2^62 for this tier
        short[] out = new short[d];
        parallelism.run(parts, p -> {
            int from = (int) ((long) p * chunks / parts) * CHUNK;
            int to = (int) Math.min(d, (long) (p + 1) * chunks / parts * CHUNK);
            for (int i = from; i < to; i++) {
                out[i] = mantissa(hi[i], lo[i], shift, weight);
            }
        });
        return Bfp16Block.of(e, out);
    }

    /**
     * {@code S_i} for coordinates {@code [from, to)} into {@code hi}/{@code lo} (signed 128-bit), chunk
     * by chunk; returns the largest {@code |S_i|} as {@code {high word, low word}}.
     */
    private static long[] sums(Bfp16Block[] terms, long[][] limb, int limbs, int from, int to, long[] hi, long[] lo) {
        long[][] acc = new long[limbs][CHUNK];
        short[] scratch = new short[CHUNK];
        long mh = 0;
        long ml = 0;
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            for (long[] a : acc) {
                Arrays.fill(a, 0, len, 0L);
            }
            for (int k = 0; k < terms.length; k++) {
                terms[k].copyMantissas(start, scratch, 0, len);
                for (int p = 0; p < limbs; p++) {
                    long c = limb[k][p];
                    if (c == 0) {
                        continue;
                    }
                    long[] a = acc[p];
                    for (int i = 0; i < len; i++) {
                        a[i] += c * scratch[i]; // |c * m| < 2^47, fewer than 2^15 terms: below 2^62
                    }
                }
            }
            for (int i = 0; i < len; i++) {
                long sh = 0;
                long sl = 0;
                for (int p = 0; p < limbs; p++) { // S += acc_p << 32p, modulo 2^128
                    long v = acc[p][i];
                    long th = p == 0 ? v >> 63 : p == 1 ? v >> 32 : p == 2 ? v : v << 32;
                    long tl = p == 0 ? v : p == 1 ? v << 32 : 0;
                    long nl = sl + tl;
                    sh += th + (Long.compareUnsigned(nl, sl) < 0 ? 1 : 0);
                    sl = nl;
                }
                hi[start + i] = sh;
                lo[start + i] = sl;
                long ah = sh;
                long al = sl;
                if (sh < 0) {
                    al = -sl;
                    ah = ~sh + (sl == 0 ? 1 : 0);
                }
                if (greater(ah, al, mh, ml)) {
                    mh = ah;
                    ml = al;
                }
            }
        }
        return new long[] {mh, ml};
    }

    /** Unsigned 128-bit {@code (ah, al) > (bh, bl)}; both high words are below 2^62 here. */
    private static boolean greater(long ah, long al, long bh, long bl) {
        return ah != bh ? ah > bh : Long.compareUnsigned(al, bl) > 0;
    }

    /**
     * Section 2's signed mantissa of {@code S 2^scale / W} for the block exponent {@code e}, with
     * {@code shift = scale - e} and {@code S = (hi, lo)} in 128-bit two's complement,
     * {@code |S| < 2^126} (class comment).
     */
    static short mantissa(long hi, long lo, int shift, long weight) {
        if (hi == 0 && lo == 0) {
            return 0;
        }
        boolean negative = hi < 0;
        long ah = hi;
        long al = lo;
        if (negative) {
            al = -lo;
            ah = ~hi + (lo == 0 ? 1 : 0);
        }
        long q;
        if (shift >= 0) {
            // floor((2 |S| 2^shift + W) / (2W)); 2 |S| 2^shift <= W 2^16 < 2^78
            long xh = shiftLeftHigh(ah, al, shift + 1);
            long xl = shiftLeftLow(al, shift + 1);
            long nl = xl + weight;
            xh += Long.compareUnsigned(nl, xl) < 0 ? 1 : 0;
            q = divideSmall(xh, nl, 2 * weight);
        } else {
            // floor(floor((2 |S| + W 2^k) / 2^(k+1)) / W), k = -shift
            int k = -shift;
            long xh = shiftLeftHigh(ah, al, 1);
            long xl = shiftLeftLow(al, 1);
            long wh = shiftLeftHigh(0, weight, k);
            long wl = shiftLeftLow(weight, k);
            long nl = xl + wl;
            xh += wh + (Long.compareUnsigned(nl, xl) < 0 ? 1 : 0);
            int r = k + 1; // 2 <= r < 128
            long yl = r < 64 ? (nl >>> r) | (xh << (64 - r)) : xh >>> (r - 64);
            long yh = r < 64 ? xh >>> r : 0;
            q = divideSmall(yh, yl, weight);
        }
        int mag = (int) Math.min(q, Bfp16Block.MAX_MANTISSA);
        return (short) (negative ? -mag : mag);
    }

    /** The high word of the 128-bit {@code (h, l) << s}, {@code 0 <= s < 128}. */
    private static long shiftLeftHigh(long h, long l, int s) {
        if (s == 0) {
            return h;
        }
        return s < 64 ? (h << s) | (l >>> (64 - s)) : l << (s - 64);
    }

    /** The low word of the 128-bit {@code (h, l) << s}, {@code 0 <= s < 128}. */
    private static long shiftLeftLow(long l, int s) {
        return s < 64 ? l << s : 0;
    }

    /**
     * {@code floor((xh, xl) / v)} for an unsigned 128-bit dividend below {@code v 2^18} and
     * {@code 0 < v < 2^63}: in {@code long} when the dividend is below {@code 2^63}, else by binary
     * long division (the quotient has at most 18 bits).
     */
    static long divideSmall(long xh, long xl, long v) {
        if (xh == 0 && xl >= 0) {
            return xl / v;
        }
        long q = 0;
        for (int b = 17; b >= 0; b--) {
            long ch = b == 0 ? 0 : v >>> (64 - b);
            long cl = v << b;
            if (xh > ch || (xh == ch && Long.compareUnsigned(xl, cl) >= 0)) {
                long nl = xl - cl;
                xh -= ch + (Long.compareUnsigned(xl, cl) < 0 ? 1 : 0);
                xl = nl;
                q |= 1L << b;
            }
        }
        return q;
    }
}
