package org.qoraedge.fixedpoint.fast;

import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.InvalidWeightException;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.UnrepresentableValueException;

/**
 * Exact (weighted) means of blocks, bit for bit those of {@link Means} (spec section 6, encoded by
 * section 2), without a {@code BigInteger} per coordinate.
 *
 * <h2>Method</h2>
 * With {@code b} the smallest exponent among the non-zero blocks (an all-zero block adds nothing to
 * any numerator, so leaving its exponent out changes no value), coordinate {@code i} of the mean is
 * {@code S_i * 2^b / W} with the integer {@code S_i = sum_j w_j 2^(e_j - b) m_j,i} and
 * {@code W = sum_j w_j}. Section 2's result depends only on these rational values, not on {@code b}.
 * Before touching a coordinate we bound every {@code |S_i|} (and every partial sum of it) by
 * {@code B = 32767 * sum_j w_j 2^(e_j - b)}:
 * <ul>
 * <li>{@code B < 2^53} (every honest round: exponents within about 30 binades of each other): the
 *     {@code S_i} are accumulated in {@code double}, exactly, because each term {@code w_j 2^(e_j-b) m}
 *     and each running sum is an integer below {@code 2^53} in magnitude (see {@code Kernels}); with
 *     the vector kernels this is SIMD code.</li>
 * <li>{@code 2^53 <= B < 2^61}: the same sums in {@code long} arithmetic, which cannot overflow.</li>
 * <li>otherwise (selected blocks more than about 40 binades apart), or a total weight
 *     {@code W >= 2^46}: the reference {@link Means#weightedMean}.</li>
 * </ul>
 * Encoding then follows {@link org.qoraedge.fixedpoint.Bfp16#encodeExact} step by step in
 * {@code long}: {@code t} is the least integer with {@code max|S_i| <= W 2^t}, {@code c = b + t},
 * {@code e = max(c - 15, -126)}, {@code s = b - e}, and
 * {@code m_i = sign(S_i) min(32767, floor((2 N + D) / (2 D)))} with {@code N = |S_i| 2^max(s,0)},
 * {@code D = W 2^max(-s,0)} (round half away from zero). No overflow: if {@code s >= 0} then
 * {@code s <= 15 - t}, so {@code N <= W 2^15 < 2^61}; if {@code s < 0} then {@code e = c - 15} and
 * {@code D = W 2^(t-15) < 2 max|S_i| 2^-15 < 2^47}, while {@code N < 2^61}; either way
 * {@code 2N + D < 2^63}.
 *
 * <p>Thread safety: stateless.
 */
public final class FastMeans {
    private static final long EXACT_DOUBLE = 1L << 53;
    private static final long LONG_LIMIT = 1L << 61;
    private static final long WEIGHT_LIMIT = 1L << 46;
    /** Coordinates per chunk: the chunk of sums stays in L1 while every block adds to it. */
    private static final int CHUNK = 2048;

    private FastMeans() {
    }

    /** The exact unweighted mean, identical to {@link Means#mean}, with {@link Parallelism#defaults()}. */
    public static Bfp16Block mean(Bfp16Block[] blocks) {
        return mean(blocks, Parallelism.defaults());
    }

    /** The exact unweighted mean, identical to {@link Means#mean}. */
    public static Bfp16Block mean(Bfp16Block[] blocks, Parallelism parallelism) {
        return weightedMean(blocks, ones(blocks.length), parallelism, Kernels.selected());
    }

    /** The exact weighted mean, identical to {@link Means#weightedMean}, with {@link Parallelism#defaults()}. */
    public static Bfp16Block weightedMean(Bfp16Block[] blocks, long[] weights) {
        return weightedMean(blocks, weights, Parallelism.defaults());
    }

    /**
     * The exact weighted mean, identical to {@link Means#weightedMean} (same refusals).
     *
     * @param weights one integer weight {@code >= 1} per block
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws InvalidWeightException if a weight is below 1 or the counts differ
     */
    public static Bfp16Block weightedMean(Bfp16Block[] blocks, long[] weights, Parallelism parallelism) {
        return weightedMean(blocks, weights, parallelism, Kernels.selected());
    }

    static long[] ones(int n) {
        long[] w = new long[n];
        Arrays.fill(w, 1L);
        return w;
    }

    /** Which way a mean is computed (see the class comment). */
    enum Tier {
        /** Sums in {@code double}: bound below 2^53. */
        DOUBLE,
        /** Sums in {@code long}: bound below 2^61. */
        LONG,
        /** Every block is all-zero: the zero block, {@code e = 0}. */
        ZERO,
        /** The reference {@link Means#weightedMean}. */
        REFERENCE
    }

    /** How a validated mean will be computed: the tier, and for DOUBLE and LONG the base exponent and the blocks left out. */
    private record Plan(Tier tier, int base, long total, boolean[] skip) {
    }

    static Bfp16Block weightedMean(Bfp16Block[] blocks, long[] weights, Parallelism parallelism, Kernels k) {
        int d = Bfp16Block.commonDimension(blocks);
        Plan plan = plan(blocks, weights);
        switch (plan.tier()) {
            case REFERENCE:
                return Means.weightedMean(blocks, weights);
            case ZERO:
                return Bfp16Block.of(0, new short[d]);
            default:
                break;
        }
        int m = blocks.length;
        long[] scaled = new long[m];
        for (int j = 0; j < m; j++) {
            // exact: every w_j 2^(e_j - base) * 32767 is below the bound, itself below 2^61
            scaled[j] = plan.skip()[j] ? 0 : weights[j] << (blocks[j].exponent() - plan.base());
        }
        return encode(blocks, scaled, plan.skip(), plan.base(), plan.total(), d, plan.tier() == Tier.DOUBLE, parallelism, k);
    }

    /** The tier {@link #weightedMean} uses for these (valid) inputs; for tests. */
    static Tier tier(Bfp16Block[] blocks, long[] weights) {
        Bfp16Block.commonDimension(blocks);
        return plan(blocks, weights).tier();
    }

    /** Validates the weights as {@link Means#weightedMean} does (same refusals, same messages) and plans the computation. */
    private static Plan plan(Bfp16Block[] blocks, long[] weights) {
        if (weights.length != blocks.length) {
            throw new InvalidWeightException(weights.length + " weights given for " + blocks.length + " blocks");
        }
        long total = 0;
        boolean totalFits = true;
        for (int j = 0; j < blocks.length; j++) {
            long w = weights[j];
            if (w < 1) {
                throw new InvalidWeightException("weight " + j + " is " + w + "; weights must be >= 1");
            }
            if (totalFits && w < WEIGHT_LIMIT - total) {
                total += w;
            } else {
                totalFits = false;
            }
        }
        if (!totalFits) {
            return new Plan(Tier.REFERENCE, 0, 0, null);
        }
        int m = blocks.length;
        boolean[] skip = new boolean[m];
        int base = minExponent(blocks, skip);
        long bound = bound(blocks, weights, skip, base);
        if (bound >= LONG_LIMIT) {
            // Maybe an all-zero block with a far exponent: leave zero blocks out and try again.
            boolean any = false;
            for (int j = 0; j < m; j++) {
                skip[j] = blocks[j].isZero();
                any |= !skip[j];
            }
            if (!any) {
                return new Plan(Tier.ZERO, 0, total, skip);
            }
            base = minExponent(blocks, skip);
            bound = bound(blocks, weights, skip, base);
            if (bound >= LONG_LIMIT) {
                return new Plan(Tier.REFERENCE, 0, 0, null);
            }
        }
        return new Plan(bound < EXACT_DOUBLE ? Tier.DOUBLE : Tier.LONG, base, total, skip);
    }

    private static int minExponent(Bfp16Block[] blocks, boolean[] skip) {
        int min = Integer.MAX_VALUE;
        for (int j = 0; j < blocks.length; j++) {
            if (!skip[j]) {
                min = Math.min(min, blocks[j].exponent());
            }
        }
        return min;
    }

    /** {@code 32767 * sum_j w_j 2^(e_j - base)} over the blocks not skipped, or {@code LONG_LIMIT} if that is larger. */
    private static long bound(Bfp16Block[] blocks, long[] weights, boolean[] skip, int base) {
        long sum = 0;
        for (int j = 0; j < blocks.length; j++) {
            if (skip[j]) {
                continue;
            }
            int s = blocks[j].exponent() - base;
            if (s >= 61 || weights[j] > (LONG_LIMIT >>> s) / Bfp16Block.MAX_MANTISSA) {
                return LONG_LIMIT;
            }
            sum += (weights[j] << s) * Bfp16Block.MAX_MANTISSA; // < 2^61, and sum < 2^61 below: no overflow
            if (sum >= LONG_LIMIT) {
                return LONG_LIMIT;
            }
        }
        return sum;
    }

    private static Bfp16Block encode(Bfp16Block[] blocks, long[] scaled, boolean[] skip, int base, long total, int d,
            boolean inDouble, Parallelism parallelism, Kernels k) {
        int chunks = (d + CHUNK - 1) / CHUNK;
        int parts = parallelism.parts(chunks);
        double[] dsums = inDouble ? new double[d] : null;
        long[] lsums = inDouble ? null : new long[d];
        long[] partMax = new long[parts];
        parallelism.run(parts, p -> {
            int from = (int) ((long) p * chunks / parts) * CHUNK;
            int to = (int) Math.min(d, (long) (p + 1) * chunks / parts * CHUNK);
            partMax[p] = inDouble ? sumInDouble(blocks, scaled, skip, from, to, dsums, k)
                    : sumInLong(blocks, scaled, skip, from, to, lsums);
        });
        long maxAbs = 0;
        for (long v : partMax) {
            maxAbs = Math.max(maxAbs, v);
        }
        return encodeSums(dsums, lsums, maxAbs, base, total, d, chunks, parts, parallelism);
    }

    /**
     * Section 2 applied to the exact rationals {@code sums[i] * 2^base / total}: the encoder of this
     * class (see the class comment) for sums computed elsewhere, such as the coordinate-wise median
     * and trimmed mean of {@link FastRobust}.
     *
     * @param sums integer numerators, each {@code |sums[i]| < 2^61}; not modified
     * @param total the common denominator, in {@code [1, 2^46)}
     */
    static Bfp16Block encodeSums(long[] sums, int base, long total, Parallelism parallelism) {
        if (total < 1 || total >= WEIGHT_LIMIT) {
            throw new IllegalArgumentException("denominator " + total + " is outside [1, 2^46)");
        }
        long maxAbs = 0;
        for (long v : sums) {
            if (v <= -LONG_LIMIT || v >= LONG_LIMIT) {
                throw new IllegalArgumentException("numerator " + v + " is outside (-2^61, 2^61)");
            }
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        int d = sums.length;
        int chunks = (d + CHUNK - 1) / CHUNK;
        return encodeSums(null, sums, maxAbs, base, total, d, chunks, parallelism.parts(chunks), parallelism);
    }

    private static Bfp16Block encodeSums(double[] dsums, long[] lsums, long maxAbs, int base, long total, int d, int chunks,
            int parts, Parallelism parallelism) {
        if (maxAbs == 0) {
            return Bfp16Block.of(0, new short[d]);
        }
        Encoding enc = encoding(maxAbs, base, total);
        int e = enc.exponent();
        int up = enc.up();
        long den = enc.den();
        short[] out = new short[d];
        parallelism.run(parts, p -> {
            int from = (int) ((long) p * chunks / parts) * CHUNK;
            int to = (int) Math.min(d, (long) (p + 1) * chunks / parts * CHUNK);
            divide(dsums, lsums, up, den, from, to, out);
        });
        return Bfp16Block.of(e, out);
    }

    /** Phase 1, sums in double: coordinates [from, to) chunk by chunk; returns the largest |sum|. */
    private static long sumInDouble(Bfp16Block[] blocks, long[] scaled, boolean[] skip, int from, int to, double[] sums,
            Kernels k) {
        short[] scratch = new short[CHUNK];
        long max = 0;
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            for (int j = 0; j < blocks.length; j++) {
                if (!skip[j]) {
                    blocks[j].copyMantissas(start, scratch, 0, len);
                    k.scaleAdd(sums, start, scratch, len, (double) scaled[j]);
                }
            }
            for (int i = start; i < start + len; i++) { // while the chunk is in L1
                max = Math.max(max, Math.abs((long) sums[i]));
            }
        }
        return max;
    }

    /** Phase 1, sums in long (bound below 2^61, so no overflow). */
    private static long sumInLong(Bfp16Block[] blocks, long[] scaled, boolean[] skip, int from, int to, long[] sums) {
        short[] scratch = new short[CHUNK];
        long max = 0;
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            for (int j = 0; j < blocks.length; j++) {
                if (!skip[j]) {
                    blocks[j].copyMantissas(start, scratch, 0, len);
                    long w = scaled[j];
                    for (int i = 0; i < len; i++) {
                        sums[start + i] += w * scratch[i];
                    }
                }
            }
            for (int i = start; i < start + len; i++) {
                max = Math.max(max, Math.abs(sums[i]));
            }
        }
        return max;
    }

    /**
     * How section 2 encodes the rationals {@code S_i * 2^base / total} whose largest {@code |S_i|} is
     * {@code maxAbs > 0}: the block's exponent {@code e}, and {@code m_i = rha(|S_i| 2^up / den)}
     * clamped to 32767, signed ({@link #divide}).
     */
    record Encoding(int exponent, int up, long den) {
    }

    /** The encoding of sums below {@code 2^61} with largest magnitude {@code maxAbs > 0} over {@code total < 2^46} (class comment). */
    static Encoding encoding(long maxAbs, int base, long total) {
        int t0 = bitLength(maxAbs) - bitLength(total);
        boolean fits = t0 >= 0 ? maxAbs <= total << t0 : maxAbs << -t0 <= total; // no overflow: both sides < 2^62
        int c = base + (fits ? t0 : t0 + 1);
        if (c > 128) {
            // Unreachable for valid blocks (every value is below 2^128); the reference's refusal.
            throw new UnrepresentableValueException("largest magnitude is above 2^128 (c = " + c + "); no block can hold it");
        }
        int e = Math.max(c - 15, Bfp16Block.MIN_EXPONENT);
        int shift = base - e;
        return new Encoding(e, Math.max(shift, 0), shift >= 0 ? total : total << -shift);
    }

    /**
     * Phase 2: {@code out[i] = sign(S_i) min(32767, floor((2N + D) / (2D)))}, {@code N = |S_i| << up}.
     *
     * <p>The quotient is taken from a floating-point estimate and then corrected exactly: with
     * {@code a = 2N + D < 2^63} and {@code b = 2D < 2^46}, {@code a * (1/b)} in double is within a
     * relative {@code 2^-50} of {@code a / b}. If the estimate is at least 40000, {@code a / b} exceeds
     * 32767 and the mantissa clamps. Otherwise {@code a / b < 40001}, the estimate is off by less than
     * {@code 10^-10}, so its integer part is {@code q} or {@code q +- 1}, and one exact comparison of
     * {@code q * b} with {@code a} (below {@code 40002 * 2^46 < 2^62}: no overflow) fixes it. For
     * {@code b >= 2^46} (weights in the trillions) plain division is used.
     */
    static void divide(double[] dsums, long[] lsums, int up, long den, int from, int to, short[] out) {
        long b = 2 * den;
        double inv = 1.0 / b;
        boolean estimate = b < (1L << 46);
        for (int i = from; i < to; i++) {
            long v = dsums != null ? (long) dsums[i] : lsums[i];
            if (v == 0) {
                continue;
            }
            long a = 2 * (Math.abs(v) << up) + den;
            long q;
            if (!estimate) {
                q = a / b;
            } else {
                double qe = a * inv;
                if (qe >= 40000.0) {
                    q = Bfp16Block.MAX_MANTISSA;
                } else {
                    q = (long) qe;
                    if (q * b > a) {
                        q--;
                    } else if ((q + 1) * b <= a) {
                        q++;
                    }
                }
            }
            int mag = (int) Math.min(q, Bfp16Block.MAX_MANTISSA);
            out[i] = (short) (v < 0 ? -mag : mag);
        }
    }

    private static int bitLength(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }
}
