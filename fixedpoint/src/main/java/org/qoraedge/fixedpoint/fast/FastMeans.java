package org.qoraedge.fixedpoint.fast;

import java.math.BigInteger;
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
 *     {@code W >= 2^46}: the reference {@link Means#weightedMean}'s method, in {@code BigInteger}s,
 *     one tile of coordinates at a time.</li>
 * </ul>
 * Every tier reads the blocks a tile of coordinates at a time, twice (the largest {@code |S_i|} first,
 * which fixes the encoding, then the same sums again, divided): the memory is the result and
 * {@code O(tile)} per thread, whatever the dimension, so the blocks may live outside the heap
 * ({@link MantissaStore}).
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
    /** Coordinates per tile: the tile of sums stays in L1 while every block adds to it. */
    static final int TILE = 2048;

    private FastMeans() {
    }

    /**
     * The blocks of a mean, read a tile of coordinates at a time: blocks in the heap
     * ({@link #of(Bfp16Block[])}) or the slots of a {@link RoundBuffer}'s {@link MantissaStore}.
     * Reads may come from several threads at once.
     */
    interface Rows {
        /** How many blocks. */
        int count();

        /** Block {@code j}'s exponent. */
        int exponent(int j);

        /** True when every mantissa of block {@code j} is zero. */
        boolean isZero(int j);

        /** Copies {@code len} mantissas of block {@code j}, from coordinate {@code from}, into {@code dst} at {@code off}. */
        void read(int j, int from, short[] dst, int off, int len);

        /** Blocks {@code indices[0], indices[1], ...} of these, in that order. */
        default Rows select(int[] indices) {
            Rows all = this;
            return new Rows() {
                @Override
                public int count() {
                    return indices.length;
                }

                @Override
                public int exponent(int j) {
                    return all.exponent(indices[j]);
                }

                @Override
                public boolean isZero(int j) {
                    return all.isZero(indices[j]);
                }

                @Override
                public void read(int j, int from, short[] dst, int off, int len) {
                    all.read(indices[j], from, dst, off, len);
                }
            };
        }

        /** Blocks in the heap (their common dimension already checked). */
        static Rows of(Bfp16Block[] blocks) {
            return new Rows() {
                @Override
                public int count() {
                    return blocks.length;
                }

                @Override
                public int exponent(int j) {
                    return blocks[j].exponent();
                }

                @Override
                public boolean isZero(int j) {
                    return blocks[j].isZero();
                }

                @Override
                public void read(int j, int from, short[] dst, int off, int len) {
                    blocks[j].copyMantissas(from, dst, off, len);
                }
            };
        }
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
        /** {@link Means#weightedMean}'s method, a tile of {@code BigInteger}s at a time. */
        REFERENCE
    }

    /** How a validated mean will be computed: the tier, and for DOUBLE and LONG the base exponent and the blocks left out. */
    private record Plan(Tier tier, int base, long total, boolean[] skip) {
    }

    static Bfp16Block weightedMean(Bfp16Block[] blocks, long[] weights, Parallelism parallelism, Kernels k) {
        int d = Bfp16Block.commonDimension(blocks);
        return weightedMean(Rows.of(blocks), d, weights, parallelism, k, TILE);
    }

    /**
     * The exact weighted mean of {@code rows} (at least one, all of dimension {@code d}), read
     * {@code tile} coordinates at a time: besides the result, the memory is {@code O(tile)} per thread,
     * whatever {@code d}.
     */
    static Bfp16Block weightedMean(Rows rows, int d, long[] weights, Parallelism parallelism, Kernels k, int tile) {
        if (tile < 1) {
            throw new IllegalArgumentException("tile of " + tile + " coordinates; a tile needs at least 1");
        }
        Plan plan = plan(rows, weights);
        switch (plan.tier()) {
            case REFERENCE:
                return referenceMean(rows, d, weights, tile);
            case ZERO:
                return Bfp16Block.of(0, new short[d]);
            default:
                break;
        }
        int m = rows.count();
        long[] scaled = new long[m];
        for (int j = 0; j < m; j++) {
            // exact: every w_j 2^(e_j - base) * 32767 is below the bound, itself below 2^61
            scaled[j] = plan.skip()[j] ? 0 : weights[j] << (rows.exponent(j) - plan.base());
        }
        return encode(rows, scaled, plan.skip(), plan.base(), plan.total(), d, plan.tier() == Tier.DOUBLE, parallelism, k,
                tile);
    }

    /** The tier {@link #weightedMean} uses for these (valid) inputs; for tests. */
    static Tier tier(Bfp16Block[] blocks, long[] weights) {
        Bfp16Block.commonDimension(blocks);
        return plan(Rows.of(blocks), weights).tier();
    }

    /** Validates the weights as {@link Means#weightedMean} does (same refusals, same messages) and plans the computation. */
    private static Plan plan(Rows rows, long[] weights) {
        int m = rows.count();
        if (weights.length != m) {
            throw new InvalidWeightException(weights.length + " weights given for " + m + " blocks");
        }
        long total = 0;
        boolean totalFits = true;
        for (int j = 0; j < m; j++) {
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
        boolean[] skip = new boolean[m];
        int base = minExponent(rows, skip);
        long bound = bound(rows, weights, skip, base);
        if (bound >= LONG_LIMIT) {
            // Maybe an all-zero block with a far exponent: leave zero blocks out and try again.
            boolean any = false;
            for (int j = 0; j < m; j++) {
                skip[j] = rows.isZero(j);
                any |= !skip[j];
            }
            if (!any) {
                return new Plan(Tier.ZERO, 0, total, skip);
            }
            base = minExponent(rows, skip);
            bound = bound(rows, weights, skip, base);
            if (bound >= LONG_LIMIT) {
                return new Plan(Tier.REFERENCE, 0, 0, null);
            }
        }
        return new Plan(bound < EXACT_DOUBLE ? Tier.DOUBLE : Tier.LONG, base, total, skip);
    }

    private static int minExponent(Rows rows, boolean[] skip) {
        int min = Integer.MAX_VALUE;
        for (int j = 0; j < rows.count(); j++) {
            if (!skip[j]) {
                min = Math.min(min, rows.exponent(j));
            }
        }
        return min;
    }

    /** {@code 32767 * sum_j w_j 2^(e_j - base)} over the blocks not skipped, or {@code LONG_LIMIT} if that is larger. */
    private static long bound(Rows rows, long[] weights, boolean[] skip, int base) {
        long sum = 0;
        for (int j = 0; j < rows.count(); j++) {
            if (skip[j]) {
                continue;
            }
            int s = rows.exponent(j) - base;
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

    /**
     * Two passes over the coordinates, a tile at a time: the first finds the largest {@code |S_i|},
     * which fixes the encoding; the second computes the same sums again (exact integers: the same
     * values) and divides them into the mantissas. Nothing of size {@code d} but the result.
     */
    private static Bfp16Block encode(Rows rows, long[] scaled, boolean[] skip, int base, long total, int d,
            boolean inDouble, Parallelism parallelism, Kernels k, int tile) {
        int tiles = (d + tile - 1) / tile;
        int parts = parallelism.parts(tiles);
        long[] partMax = new long[parts];
        parallelism.run(parts, p -> {
            int from = (int) ((long) p * tiles / parts) * tile;
            int to = (int) Math.min(d, (long) (p + 1) * tiles / parts * tile);
            partMax[p] = sumTiles(rows, scaled, skip, from, to, inDouble, k, tile, null, null);
        });
        long maxAbs = 0;
        for (long v : partMax) {
            maxAbs = Math.max(maxAbs, v);
        }
        if (maxAbs == 0) {
            return Bfp16Block.of(0, new short[d]);
        }
        Encoding enc = encoding(maxAbs, base, total);
        short[] out = new short[d];
        parallelism.run(parts, p -> {
            int from = (int) ((long) p * tiles / parts) * tile;
            int to = (int) Math.min(d, (long) (p + 1) * tiles / parts * tile);
            sumTiles(rows, scaled, skip, from, to, inDouble, k, tile, enc, out);
        });
        return Bfp16Block.of(enc.exponent(), out);
    }

    /**
     * Coordinates {@code [from, to)} tile by tile: each tile's sums {@code S_i} (in double or in long,
     * exact either way), then, without {@code enc}, the largest {@code |S_i|} is returned; with it,
     * the sums are divided into {@code out}.
     */
    private static long sumTiles(Rows rows, long[] scaled, boolean[] skip, int from, int to, boolean inDouble, Kernels k,
            int tile, Encoding enc, short[] out) {
        short[] scratch = new short[tile];
        double[] dsums = inDouble ? new double[tile] : null;
        long[] lsums = inDouble ? null : new long[tile];
        long max = 0;
        for (int start = from; start < to; start += tile) {
            int len = Math.min(tile, to - start);
            if (inDouble) {
                Arrays.fill(dsums, 0, len, 0.0);
            } else {
                Arrays.fill(lsums, 0, len, 0L);
            }
            for (int j = 0; j < scaled.length; j++) {
                if (skip[j]) {
                    continue;
                }
                rows.read(j, start, scratch, 0, len);
                if (inDouble) {
                    k.scaleAdd(dsums, 0, scratch, len, (double) scaled[j]);
                } else {
                    long w = scaled[j];
                    for (int i = 0; i < len; i++) {
                        lsums[i] += w * scratch[i]; // bound below 2^61: no overflow
                    }
                }
            }
            if (enc != null) {
                divide(dsums, lsums, enc.up(), enc.den(), 0, len, out, start);
            } else if (inDouble) {
                for (int i = 0; i < len; i++) { // while the tile is in L1
                    max = Math.max(max, Math.abs((long) dsums[i]));
                }
            } else {
                for (int i = 0; i < len; i++) {
                    max = Math.max(max, Math.abs(lsums[i]));
                }
            }
        }
        return max;
    }

    /**
     * The REFERENCE tier: {@link Means#weightedMean}'s method step by step (numerators
     * {@code sum_j (w_j << (e_j - min)) m_j,i} over every block, {@code min} the smallest exponent,
     * encoded as {@link org.qoraedge.fixedpoint.Bfp16#encodeExact} does), with the numerators of one
     * tile alive at a time: a first pass for the largest, a second that computes them again and
     * divides. Slow ({@code n x d} {@code BigInteger} operations, as the reference), but its memory is
     * {@code O(tile)}.
     */
    private static Bfp16Block referenceMean(Rows rows, int d, long[] weights, int tile) {
        Means.checkWeights(weights, rows.count());
        int n = rows.count();
        BigInteger total = BigInteger.ZERO;
        int min = Integer.MAX_VALUE;
        for (int j = 0; j < n; j++) {
            total = total.add(BigInteger.valueOf(weights[j]));
            min = Math.min(min, rows.exponent(j));
        }
        BigInteger[] scaledWeights = new BigInteger[n];
        for (int j = 0; j < n; j++) {
            scaledWeights[j] = BigInteger.valueOf(weights[j]).shiftLeft(rows.exponent(j) - min);
        }
        short[] scratch = new short[tile];
        BigInteger[] num = new BigInteger[tile];
        BigInteger maxAbs = BigInteger.ZERO;
        for (int start = 0; start < d; start += tile) {
            int len = Math.min(tile, d - start);
            numerators(rows, scaledWeights, start, len, scratch, num);
            for (int i = 0; i < len; i++) {
                BigInteger a = num[i].abs();
                if (a.compareTo(maxAbs) > 0) {
                    maxAbs = a;
                }
            }
        }
        short[] m = new short[d];
        if (maxAbs.signum() == 0) {
            return Bfp16Block.of(0, m);
        }
        int e = exponent(maxAbs, min, total);
        int shift = min - e;
        BigInteger den = shift >= 0 ? total : total.shiftLeft(-shift);
        BigInteger twoDen = den.shiftLeft(1);
        for (int start = 0; start < d; start += tile) {
            int len = Math.min(tile, d - start);
            numerators(rows, scaledWeights, start, len, scratch, num);
            for (int i = 0; i < len; i++) {
                BigInteger v = num[i];
                if (v.signum() == 0) {
                    continue;
                }
                BigInteger a = shift >= 0 ? v.abs().shiftLeft(shift) : v.abs();
                BigInteger q = a.shiftLeft(1).add(den).divide(twoDen); // rha: floor((2N + D) / (2D))
                int mag = q.bitLength() > 15 ? Bfp16Block.MAX_MANTISSA : Math.min(q.intValue(), Bfp16Block.MAX_MANTISSA);
                m[start + i] = (short) (v.signum() < 0 ? -mag : mag);
            }
        }
        return Bfp16Block.of(e, m);
    }

    /** {@code num[i] = sum_j scaledWeights[j] m_j,(start + i)} for {@code i < len}. */
    private static void numerators(Rows rows, BigInteger[] scaledWeights, int start, int len, short[] scratch, BigInteger[] num) {
        Arrays.fill(num, 0, len, BigInteger.ZERO);
        for (int j = 0; j < scaledWeights.length; j++) {
            rows.read(j, start, scratch, 0, len);
            for (int i = 0; i < len; i++) {
                if (scratch[i] != 0) {
                    num[i] = num[i].add(scaledWeights[j].multiply(BigInteger.valueOf(scratch[i])));
                }
            }
        }
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
        if (maxAbs == 0) {
            return Bfp16Block.of(0, new short[d]);
        }
        Encoding enc = encoding(maxAbs, base, total);
        short[] out = new short[d];
        int tiles = (d + TILE - 1) / TILE;
        int parts = parallelism.parts(tiles);
        parallelism.run(parts, p -> {
            int from = (int) ((long) p * tiles / parts) * TILE;
            int to = (int) Math.min(d, (long) (p + 1) * tiles / parts * TILE);
            divide(null, sums, enc.up(), enc.den(), from, to, out, from);
        });
        return Bfp16Block.of(enc.exponent(), out);
    }

    /**
     * How section 2 encodes the rationals {@code S_i * 2^base / total} whose largest {@code |S_i|} is
     * {@code maxAbs > 0}: the block's exponent {@code e}, and {@code m_i = rha(|S_i| 2^up / den)}
     * clamped to 32767, signed ({@link #divide}).
     */
    record Encoding(int exponent, int up, long den) {
    }

    /**
     * Section 2's block exponent for the rationals {@code S_i * 2^base / total} whose largest
     * {@code |S_i|} is {@code maxAbs > 0}: {@code max(c - 15, MIN_EXPONENT)} with {@code c = base + t},
     * {@code t} the least integer with {@code maxAbs <= total * 2^t}.
     *
     * @throws UnrepresentableValueException when {@code c > 128} (unreachable for valid blocks: every
     *     value is below {@code 2^128}; the reference's refusal)
     */
    static int exponent(BigInteger maxAbs, int base, BigInteger total) {
        int t0 = maxAbs.bitLength() - total.bitLength();
        boolean fits = t0 >= 0 ? maxAbs.compareTo(total.shiftLeft(t0)) <= 0 : maxAbs.shiftLeft(-t0).compareTo(total) <= 0;
        int c = base + (fits ? t0 : t0 + 1);
        if (c > 128) {
            throw new UnrepresentableValueException("largest magnitude is above 2^128 (c = " + c + "); no block can hold it");
        }
        return Math.max(c - 15, Bfp16Block.MIN_EXPONENT);
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
        divide(dsums, lsums, up, den, from, to, out, from);
    }

    /** {@link #divide(double[], long[], int, long, int, int, short[])} with sum {@code i} going to {@code out[outFrom + i - from]}. */
    static void divide(double[] dsums, long[] lsums, int up, long den, int from, int to, short[] out, int outFrom) {
        int shift = outFrom - from;
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
            out[i + shift] = (short) (v < 0 ? -mag : mag);
        }
    }

    private static int bitLength(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }
}
