package org.qoraedge.fixedpoint.fast;

import java.math.BigInteger;
import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Coordinate-wise median and trimmed mean (robust spec sections 1 and 2) by selection on exact
 * integer keys, bit for bit the results of {@code robust.Median} and {@code robust.TrimmedMean}.
 *
 * <h2>Keys</h2>
 * Every value {@code m * 2^e} of a coordinate is given an {@code int} key whose order is the order of
 * the exact values (equal values, however written, get equal keys). An all-zero block contributes
 * the value 0 whatever its exponent, so it takes no part in choosing the keys' unit; {@code base} is
 * the smallest exponent of the non-zero blocks and {@code spread} the largest minus {@code base}.
 * <ul>
 * <li><b>Shifted</b> ({@code spread <= 16}, every honest round: its values share a few exponents):
 *     the key is {@code m << (e - base)}, the value in units of {@code 2^base}. Proof that it fits:
 *     {@code |m| <= 32767 = 2^15 - 1}, so {@code |m| * 2^16 <= 2^31 - 2^16 < 2^31 - 1}; it is exact
 *     and strictly monotone in the value. A sum of {@code n} keys is below {@code n * 2^31 < 2^61} in
 *     magnitude for {@code n < 2^30}, so sums are exact in {@code long}.</li>
 * <li><b>Normalized</b> (any exponents, an attacker at {@code e = 113} among honest blocks at
 *     {@code e = -20}): for {@code a = |m| > 0} with {@code k} = its bit length, the value's magnitude
 *     is {@code a * 2^e} with {@code 2^(p-1) <= a 2^e < 2^p}, {@code p = k + e} in {@code [-125, 128]};
 *     the key's magnitude is {@code (p + 126) * 2^15 + (a << (15 - k))} (the second term, the
 *     normalized mantissa, is in {@code [2^14, 2^15)}), below {@code 2^23}, and its sign is
 *     {@code m}'s; 0 for 0. A larger {@code p} means a larger magnitude (the magnitude is in
 *     {@code [2^(p-1), 2^p)}), and at equal {@code p} the magnitudes are
 *     {@code (a << (15 - k)) * 2^(p - 15)}, ordered by the normalized mantissa: so the keys order
 *     exactly as the values, and a key gives back its value, {@code (a << (15 - k)) * 2^(p - 15)}.</li>
 * </ul>
 * Selection compares keys only (a sorting network of vector minima and maxima, see {@link #compute});
 * no {@code BigInteger} is made per value.
 *
 * <h2>Sums and encoding</h2>
 * The result of coordinate {@code i} is the exact rational {@code S_i * 2^base / W}: for the median
 * {@code W = 2} and {@code S_i} twice the middle value or the sum of the two middle ones; for the
 * trimmed mean {@code W = n - 2b} and {@code S_i} the sum of the kept values. With shifted keys
 * {@code S_i} is a {@code long} below {@code 2^61} and {@link FastMeans#encodeSums} encodes it. With
 * normalized keys each coordinate's sum is taken in {@code long} in the unit of its own smallest
 * selected value when that cannot overflow; if every coordinate's sum then fits one common unit below
 * {@code 2^61}, the same encoder is used, otherwise (selected values more than about 40 binades apart)
 * one {@code BigInteger} per coordinate and {@link Bfp16#encodeExact}.
 */
final class CoordinateSelection {
    /** Largest exponent spread for which shifted keys fit an {@code int}: {@code 32767 * 2^16 < 2^31}. */
    static final int SHIFTED_SPREAD = 16;
    /** Keys per worker's buffer, 128 KB by default: a chunk of coordinates of every block stays in L2. Tuning only. */
    private static final int KEYS_PER_CHUNK = Integer.getInteger("qora.fast.selectKeys", 1 << 15);
    /** The unit of the smallest normalized value: {@code p - 15 >= -125 - 15}. */
    private static final int LOWEST_UNIT = -140;

    private CoordinateSelection() {
    }

    /** How the keys of a round are made; for tests. */
    enum Tier {
        SHIFTED, NORMALIZED, ZERO
    }

    private record Plan(Tier tier, int base) {
    }

    private static Plan plan(Bfp16Block[] blocks, boolean[] zero) {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int j = 0; j < blocks.length; j++) {
            zero[j] = blocks[j].isZero();
            if (!zero[j]) {
                min = Math.min(min, blocks[j].exponent());
                max = Math.max(max, blocks[j].exponent());
            }
        }
        if (min == Integer.MAX_VALUE) {
            return new Plan(Tier.ZERO, 0);
        }
        return new Plan(max - min <= SHIFTED_SPREAD ? Tier.SHIFTED : Tier.NORMALIZED, min);
    }

    static Tier tier(Bfp16Block[] blocks) {
        return plan(blocks, new boolean[blocks.length]).tier();
    }

    /**
     * The median ({@code trim < 0}) or the mean of the values left after dropping the {@code trim}
     * smallest and the {@code trim} largest of each coordinate. The caller has validated the blocks
     * (equal lengths {@code d}) and the quorum ({@code n >= 2 trim + 1}).
     *
     * <p>A chunk of coordinates of every block is laid out as one row of keys per block; a sorting
     * network ({@link SortingNetwork}, pruned to the rank positions that are summed) then runs on all
     * the chunk's coordinates at once, each compare-exchange a vector minimum and maximum of two rows.
     */
    static Bfp16Block compute(Bfp16Block[] blocks, int d, int trim, Parallelism parallelism, Kernels k) {
        int n = blocks.length;
        boolean median = trim < 0;
        long w = median ? 2 : n - 2L * trim;
        boolean[] zero = new boolean[n];
        Plan plan = plan(blocks, zero);
        if (plan.tier() == Tier.ZERO) {
            return Bfp16Block.of(0, new short[d]);
        }
        boolean shifted = plan.tier() == Tier.SHIFTED;
        // The rank positions whose values are summed: the middle one or two, or the kept ones.
        int lo = median ? (n - 1) / 2 : trim;
        int hi = median ? n / 2 + 1 : n - trim;
        boolean twice = median && n % 2 == 1; // odd n: twice the middle value, over W = 2
        // Rank rows [lo, hi) hold the kept values, as a multiset, as soon as the rows outside are
        // right (every compare-exchange permutes a coordinate's values): sort whichever side needs
        // the smaller network.
        int[] kept = SortingNetwork.selecting(n, lo, hi);
        int[] dropped = median ? kept : SortingNetwork.selectingOutside(n, lo, hi);
        int[] net = dropped.length < kept.length ? dropped : kept;
        int chunk = Math.max(Kernels.INT_BLOCK, Math.min(1024, KEYS_PER_CHUNK / n / Kernels.INT_BLOCK * Kernels.INT_BLOCK));
        int chunks = (d + chunk - 1) / chunk;
        int parts = parallelism.parts(chunks);
        long[] sums = new long[d];
        int[] units = shifted ? null : new int[d];
        BigInteger[] big = shifted ? null : new BigInteger[d];
        int[][] keysOf = new int[parallelism.workers(parts)][];
        short[][] scratchOf = new short[keysOf.length][];
        parallelism.run(parts, (p, worker) -> {
            if (keysOf[worker] == null) { // per worker, not per part
                keysOf[worker] = new int[chunk * n];
                scratchOf[worker] = new short[chunk];
            }
            int[] keys = keysOf[worker];
            short[] scratch = scratchOf[worker];
            int from = (int) ((long) p * chunks / parts) * chunk;
            int to = (int) Math.min(d, (long) (p + 1) * chunks / parts * chunk);
            for (int start = from; start < to; start += chunk) {
                int len = Math.min(chunk, to - start);
                gather(blocks, zero, plan.base(), shifted, start, len, chunk, scratch, keys);
                // Coordinates [len, padded) of a row hold stale keys; they are compared and never read.
                int padded = (len + Kernels.INT_BLOCK - 1) / Kernels.INT_BLOCK * Kernels.INT_BLOCK;
                for (int t = 0; t < net.length; t += 2) {
                    k.minMax(keys, net[t] * chunk, net[t + 1] * chunk, padded);
                }
                if (shifted) {
                    sumShifted(keys, chunk, len, lo, hi, twice, sums, start);
                } else {
                    for (int i = 0; i < len; i++) {
                        sumNormalized(keys, chunk, i, lo, hi, twice, start + i, sums, units, big);
                    }
                }
            }
        });
        if (shifted) {
            return FastMeans.encodeSums(sums, plan.base(), w, parallelism);
        }
        return encodeMixed(sums, units, big, w, parallelism);
    }

    /**
     * Shifted keys: {@code sums[start + i]} = the sum of rank rows {@code [lo, hi)}, doubled when
     * {@code twice}; below {@code 2n * 2^31 < 2^61} in magnitude.
     */
    private static void sumShifted(int[] keys, int chunk, int len, int lo, int hi, boolean twice, long[] sums, int start) {
        for (int r = lo; r < hi; r++) {
            int row = r * chunk;
            for (int i = 0; i < len; i++) {
                sums[start + i] += keys[row + i];
            }
        }
        if (twice) {
            for (int i = 0; i < len; i++) {
                sums[start + i] *= 2;
            }
        }
    }

    /**
     * Keys of coordinates {@code [start, start + len)} of every block, one row per block:
     * {@code keys[j * chunk + i]} for coordinate {@code start + i} of block {@code j}.
     */
    private static void gather(Bfp16Block[] blocks, boolean[] zero, int base, boolean shifted, int start, int len, int chunk,
            short[] scratch, int[] keys) {
        for (int j = 0; j < blocks.length; j++) {
            int row = j * chunk;
            if (zero[j]) {
                Arrays.fill(keys, row, row + len, 0);
                continue;
            }
            blocks[j].copyMantissas(start, scratch, 0, len);
            if (shifted) {
                int s = blocks[j].exponent() - base; // in [0, 16]: see the class comment
                for (int i = 0; i < len; i++) {
                    keys[row + i] = scratch[i] << s;
                }
            } else {
                int e = blocks[j].exponent();
                for (int i = 0; i < len; i++) {
                    keys[row + i] = normalizedKey(scratch[i], e);
                }
            }
        }
    }

    /** The normalized key of {@code m * 2^e} (class comment). */
    static int normalizedKey(int m, int e) {
        if (m == 0) {
            return 0;
        }
        int a = Math.abs(m);
        int k = 32 - Integer.numberOfLeadingZeros(a);
        int key = ((k + e + 126) << 15) | (a << (15 - k));
        return m < 0 ? -key : key;
    }

    /** The exponent of a normalized key's unit: the value is {@code mantissa(key) * 2^unit(key)}. */
    static int unitOf(int key) {
        return (Math.abs(key) >>> 15) - 126 - 15;
    }

    /** The signed normalized mantissa, in {@code [2^14, 2^15)} in magnitude. */
    static int mantissaOf(int key) {
        int a = Math.abs(key) & 0x7FFF;
        return key < 0 ? -a : a;
    }

    /**
     * Coordinate {@code c}'s sum of the keys' values in {@code [lo, hi)} (twice the single value when
     * {@code twice}): as {@code sums[c] * 2^units[c]} in {@code long}, or as {@code big[c]} in units
     * of {@code 2^LOWEST_UNIT} when the values are too far apart for that.
     */
    private static void sumNormalized(int[] keys, int chunk, int i, int lo, int hi, boolean twice, int c, long[] sums,
            int[] units, BigInteger[] big) {
        int minUnit = Integer.MAX_VALUE;
        int maxUnit = Integer.MIN_VALUE;
        for (int r = lo; r < hi; r++) {
            int t = r * chunk + i;
            if (keys[t] != 0) {
                int u = unitOf(keys[t]);
                minUnit = Math.min(minUnit, u);
                maxUnit = Math.max(maxUnit, u);
            }
        }
        if (minUnit == Integer.MAX_VALUE) {
            sums[c] = 0;
            units[c] = 0;
            return;
        }
        int count = hi - lo + 1; // one more for the doubling
        // Each term is below 2^15 * 2^(maxUnit - minUnit); count of them stay below 2^61 when this holds.
        if (maxUnit - minUnit <= 44 - (32 - Integer.numberOfLeadingZeros(count))) {
            long s = 0;
            for (int r = lo; r < hi; r++) {
            int t = r * chunk + i;
                if (keys[t] != 0) {
                    s += (long) mantissaOf(keys[t]) << (unitOf(keys[t]) - minUnit);
                }
            }
            sums[c] = twice ? 2 * s : s;
            units[c] = minUnit;
            return;
        }
        BigInteger s = BigInteger.ZERO;
        for (int r = lo; r < hi; r++) {
            int t = r * chunk + i;
            if (keys[t] != 0) {
                s = s.add(BigInteger.valueOf(mantissaOf(keys[t])).shiftLeft(unitOf(keys[t]) - LOWEST_UNIT));
            }
        }
        big[c] = twice ? s.shiftLeft(1) : s;
    }

    /** Encodes {@code sums[i] * 2^units[i] / w} (or {@code big[i] * 2^LOWEST_UNIT / w}). */
    private static Bfp16Block encodeMixed(long[] sums, int[] units, BigInteger[] big, long w, Parallelism parallelism) {
        int d = sums.length;
        boolean anyBig = false;
        int minUnit = Integer.MAX_VALUE;
        int top = Integer.MIN_VALUE; // largest bit position of any |sums[i]| * 2^units[i]
        for (int i = 0; i < d; i++) {
            if (big[i] != null) {
                anyBig = true;
            } else if (sums[i] != 0) {
                minUnit = Math.min(minUnit, units[i]);
                top = Math.max(top, 64 - Long.numberOfLeadingZeros(Math.abs(sums[i])) + units[i]);
            }
        }
        if (!anyBig && minUnit == Integer.MAX_VALUE) {
            return Bfp16Block.of(0, new short[d]);
        }
        if (!anyBig && top - minUnit <= 60) {
            long[] common = new long[d];
            for (int i = 0; i < d; i++) {
                common[i] = sums[i] == 0 ? 0 : sums[i] << (units[i] - minUnit); // below 2^60: see top
            }
            return FastMeans.encodeSums(common, minUnit, w, parallelism);
        }
        BigInteger[] num = new BigInteger[d];
        for (int i = 0; i < d; i++) {
            num[i] = big[i] != null ? big[i] : BigInteger.valueOf(sums[i]).shiftLeft(sums[i] == 0 ? 0 : units[i] - LOWEST_UNIT);
        }
        return Bfp16.encodeExact(num, LOWEST_UNIT, BigInteger.valueOf(w));
    }
}
