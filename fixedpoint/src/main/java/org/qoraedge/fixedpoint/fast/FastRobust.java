package org.qoraedge.fixedpoint.fast;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.robust.CenteredClip;
import org.qoraedge.fixedpoint.robust.Dyadic;
import org.qoraedge.fixedpoint.robust.Median;
import org.qoraedge.fixedpoint.robust.Nnm;
import org.qoraedge.fixedpoint.robust.NormScreen;
import org.qoraedge.fixedpoint.robust.ReferenceLengthException;
import org.qoraedge.fixedpoint.robust.RuleParameterException;
import org.qoraedge.fixedpoint.robust.RuleQuorumException;
import org.qoraedge.fixedpoint.robust.TrimmedMean;

/**
 * Fast robust rules (docs/spec/ROBUST.md, version 1), bit for bit the results of the exact
 * references in {@code org.qoraedge.fixedpoint.robust} ({@link Median#reference},
 * {@link TrimmedMean#reference}, {@link NormScreen#reference}, {@link NormScreen#tnbs},
 * {@link Nnm#reference}, {@link CenteredClip#reference}), with the same refusals: the same exception
 * types ({@link RuleParameterException}, {@link RuleQuorumException}, {@link ReferenceLengthException},
 * and fixedpoint's block exceptions), checked in the same order, with the same messages.
 *
 * <p>Integer arithmetic only (floating point only inside the exact dot-product kernels, see
 * {@link Kernels}); results never depend on the parallelism or the thread schedule.
 * <ul>
 * <li>median and trimmed mean: per-coordinate selection on exact {@code int} keys by a pruned sorting
 *     network applied to a chunk of coordinates at once ({@link CoordinateSelection}), sums in
 *     {@code long}, encoded by {@link FastMeans}'s encoder;</li>
 * <li>norm screening: the sums of squares {@code N_j} compared exactly as {@code N_j * 4^e_j};</li>
 * <li>nearest-neighbour mixing: the round's sums of squares and pairwise dot products (the Gram matrix
 *     {@link FastKrum} computes, {@link PairDots}; or a {@link RoundBuffer}'s, computed on arrival)
 *     give every exact {@code Q(v_a - v_b)} (in 128 bits when the exponents are within 31 binades,
 *     else one {@code BigInteger} per pair), then the means of the distinct neighbour sets together
 *     ({@link SubsetMeans});</li>
 * <li>centered clipping: per iteration one dot product of the iterate with every block, the exact
 *     {@code Q(x_j)} from those (one {@code BigInteger} per block), the clipping factors by an exact
 *     integer square root, and the iterate as the exact weighted mean of the blocks and the previous
 *     iterate, the unclipped blocks on the exact double path; with weights, the same thresholds and
 *     factors and the weighted iterate of {@link WeightedClipping} (exact in 128-bit integers, or in
 *     {@code BigInteger}s when the numbers are too large for that).</li>
 * </ul>
 * Blocks must be in canonical order, as for the references. Thread safety: stateless.
 */
public final class FastRobust {
    private FastRobust() {
    }

    /**
     * Coordinate-wise median {@code median(f)}: identical to {@link Median#reference}.
     *
     * @throws RuleParameterException if {@code f < 0}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2f + 1}
     */
    public static Bfp16Block median(Bfp16Block[] blocks, int f, Parallelism parallelism) {
        return median(blocks, f, parallelism, Kernels.selected());
    }

    static Bfp16Block median(Bfp16Block[] blocks, int f, Parallelism parallelism, Kernels kernels) {
        atLeast("median", "f", f, 0);
        int d = Bfp16Block.commonDimension(blocks);
        quorum("median(f=" + f + ")", "2f + 1", 2L * f + 1, blocks.length);
        return CoordinateSelection.compute(blocks, d, -1, Objects.requireNonNull(parallelism, "parallelism"), kernels);
    }

    /**
     * Coordinate-wise trimmed mean {@code trimmed-mean(b)}: identical to {@link TrimmedMean#reference}.
     *
     * @throws RuleParameterException if {@code b < 0}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2b + 1}
     */
    public static Bfp16Block trimmedMean(Bfp16Block[] blocks, int b, Parallelism parallelism) {
        return trimmedMean(blocks, b, parallelism, Kernels.selected());
    }

    static Bfp16Block trimmedMean(Bfp16Block[] blocks, int b, Parallelism parallelism, Kernels kernels) {
        atLeast("trimmed-mean", "b", b, 0);
        int d = Bfp16Block.commonDimension(blocks);
        quorum("trimmed-mean(b=" + b + ")", "2b + 1", 2L * b + 1, blocks.length);
        return CoordinateSelection.compute(blocks, d, b, Objects.requireNonNull(parallelism, "parallelism"), kernels);
    }

    /**
     * Two-sided norm screening {@code norm-screen(l, h)}: the kept indices, ascending, identical to
     * {@link NormScreen#reference}. Costs one pass over the mantissas.
     *
     * @throws RuleParameterException if {@code l < 0} or {@code h < 0}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < l + h + 1}
     */
    public static int[] normScreen(Bfp16Block[] blocks, int l, int h, Parallelism parallelism) {
        return normScreen(blocks, l, h, parallelism, Kernels.selected());
    }

    static int[] normScreen(Bfp16Block[] blocks, int l, int h, Parallelism parallelism, Kernels kernels) {
        checkNormScreen(blocks, l, h);
        return keptByNorm(BlockProducts.sumsOfSquares(blocks, kernels, parallelism), exponents(blocks), l, h);
    }

    /**
     * {@code tnbs(l, h)}: the exact mean of the blocks {@link #normScreen} keeps, identical to
     * {@link NormScreen#tnbs}; refuses what {@link #normScreen} refuses.
     */
    public static Bfp16Block tnbs(Bfp16Block[] blocks, int l, int h, Parallelism parallelism) {
        return FastMeans.mean(select(blocks, normScreen(blocks, l, h, parallelism)), parallelism);
    }

    /**
     * Nearest-neighbour mixing {@code nnm(f)}: the {@code n} blocks {@code y_0 .. y_{n-1}}, identical
     * to {@link Nnm#reference}.
     *
     * @throws RuleParameterException if {@code f < 0}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2f + 1}
     * @throws IllegalArgumentException for more than 65532 blocks (their pairs would not fit one array)
     */
    public static Bfp16Block[] nnm(Bfp16Block[] blocks, int f, Parallelism parallelism) {
        return nnm(blocks, f, parallelism, Kernels.selected());
    }

    /**
     * Centered clipping {@code centered-clip(f, L)}: the aggregate {@code u_L}, identical to
     * {@code CenteredClip.reference(blocks, f, iterations, reference).aggregate()}.
     *
     * @param reference {@code u_0}, normally the previous round's aggregate; {@code null} for the zero
     *     block with {@code e = 0} and the blocks' length
     * @throws RuleParameterException if {@code f < 0} or {@code iterations < 1}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2f + 1}
     * @throws ReferenceLengthException if the reference's length is not the blocks'
     */
    public static Bfp16Block centeredClip(Bfp16Block[] blocks, int f, int iterations, Bfp16Block reference,
            Parallelism parallelism) {
        return centeredClip(blocks, f, iterations, reference, parallelism, Kernels.selected()).aggregate();
    }

    /**
     * Weighted centered clipping: the aggregate {@code u_L}, identical to
     * {@code CenteredClip.reference(blocks, f, iterations, reference, weights).aggregate()}: the
     * unweighted thresholds and clipping factors, and
     * {@code u_l = encode(u_{l-1} + (sum_j w_j s_j x_j) / W)}, {@code W = sum_j w_j}. Refusals as the
     * reference's, in its order (the weights last). Every weight 1 takes the unweighted path.
     *
     * @param reference {@code u_0}; {@code null} for the zero block with {@code e = 0}
     * @param weights one weight {@code >= 1} per block; null for the unweighted rule
     * @throws RuleParameterException if {@code f < 0} or {@code iterations < 1}
     * @throws org.qoraedge.fixedpoint.EmptyInputException if there are no blocks
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     * @throws RuleQuorumException if {@code n < 2f + 1}
     * @throws ReferenceLengthException if the reference's length is not the blocks'
     * @throws org.qoraedge.fixedpoint.InvalidWeightException if a weight is below 1 or the counts differ
     */
    public static Bfp16Block centeredClip(Bfp16Block[] blocks, int f, int iterations, Bfp16Block reference, long[] weights,
            Parallelism parallelism) {
        return centeredClip(blocks, f, iterations, reference, weights, parallelism, Kernels.selected()).aggregate();
    }

    // ---------------------------------------------------------------- checks, as the references make them

    private static void atLeast(String rule, String parameter, long value, long minimum) {
        if (value < minimum) {
            throw new RuleParameterException(rule, parameter, value, minimum);
        }
    }

    private static void quorum(String rule, String condition, long required, int n) {
        if (n < required) {
            throw new RuleQuorumException(rule, condition, required, n);
        }
    }

    static int checkNormScreen(Bfp16Block[] blocks, int l, int h) {
        atLeast("norm-screen", "l", l, 0);
        atLeast("norm-screen", "h", h, 0);
        int d = Bfp16Block.commonDimension(blocks);
        quorum("norm-screen(l=" + l + ", h=" + h + ")", "l + h + 1", (long) l + h + 1, blocks.length);
        return d;
    }

    /** {@link #checkNormScreen(Bfp16Block[], int, int)} for {@code n} blocks already known to share a dimension. */
    static void checkNormScreen(int n, int l, int h) {
        atLeast("norm-screen", "l", l, 0);
        atLeast("norm-screen", "h", h, 0);
        quorum("norm-screen(l=" + l + ", h=" + h + ")", "l + h + 1", (long) l + h + 1, n);
    }

    // ---------------------------------------------------------------- norm screening

    static int[] exponents(Bfp16Block[] blocks) {
        int[] e = new int[blocks.length];
        for (int j = 0; j < e.length; j++) {
            e[j] = blocks[j].exponent();
        }
        return e;
    }

    /** The indices at rank positions {@code l .. n-h-1} by {@code (N_j * 4^e_j, j)}, ascending. */
    static int[] keptByNorm(long[] norms, int[] exps, int l, int h) {
        int n = norms.length;
        int[] ranking = BlockProducts.sortIndices(n, (a, b) -> {
            int c = BlockProducts.compareScaled(norms[a], exps[a], norms[b], exps[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] kept = Arrays.copyOfRange(ranking, l, n - h);
        Arrays.sort(kept);
        return kept;
    }

    static Bfp16Block[] select(Bfp16Block[] blocks, int[] indices) {
        Bfp16Block[] out = new Bfp16Block[indices.length];
        for (int t = 0; t < indices.length; t++) {
            out[t] = blocks[indices[t]];
        }
        return out;
    }

    // ---------------------------------------------------------------- nearest-neighbour mixing

    static int checkNnm(Bfp16Block[] blocks, int f) {
        atLeast("nnm", "f", f, 0);
        int d = Bfp16Block.commonDimension(blocks);
        quorum("nnm(f=" + f + ")", "2f + 1", 2L * f + 1, blocks.length);
        return d;
    }

    static Bfp16Block[] nnm(Bfp16Block[] blocks, int f, Parallelism parallelism, Kernels kernels) {
        int d = checkNnm(blocks, f);
        int n = blocks.length;
        Objects.requireNonNull(parallelism, "parallelism");
        Bfp16Block[] out = new Bfp16Block[n];
        if (f == 0) { // every neighbour set is the whole round
            Arrays.fill(out, FastMeans.mean(blocks, parallelism));
            return out;
        }
        FastKrum.checkRoundSize(n);
        long[] norms = new long[n];
        long[] upper = new long[(int) ((long) n * (n - 1) / 2)];
        PairDots.compute(blocks, d, kernels, parallelism, norms, upper);
        return mix(blocks, f, norms, exponents(blocks), upper, parallelism, kernels);
    }

    /**
     * {@code y_j} for every {@code j} from the sums of squares and the dot products (spec pair order):
     * the neighbour sets first, then every distinct set's mean at once ({@link SubsetMeans}).
     */
    static Bfp16Block[] mix(Bfp16Block[] blocks, int f, long[] norms, int[] exps, long[] upper, Parallelism parallelism,
            Kernels kernels) {
        int n = blocks.length;
        SquaredDistances q = SquaredDistances.of(norms, exps, upper);
        Bfp16Block[] out = new Bfp16Block[n];
        Map<List<Integer>, Integer> distinct = new HashMap<>();
        List<int[]> subsets = new ArrayList<>();
        int[] subsetOf = new int[n];
        int keep = n - f;
        for (int j = 0; j < n; j++) {
            int row = j;
            int[] ranking = BlockProducts.sortIndices(n, (a, b) -> {
                int c = q.compare(row, a, row, b);
                return c != 0 ? c : Integer.compare(a, b);
            });
            int[] nearest = Arrays.copyOf(ranking, keep);
            Arrays.sort(nearest);
            List<Integer> key = new ArrayList<>(keep);
            for (int i : nearest) {
                key.add(i);
            }
            Integer s = distinct.get(key);
            if (s == null) {
                s = subsets.size();
                distinct.put(key, s);
                subsets.add(nearest);
            }
            subsetOf[j] = s;
        }
        Bfp16Block[] means = SubsetMeans.means(blocks, subsets.toArray(new int[0][]), parallelism, kernels);
        for (int j = 0; j < n; j++) {
            out[j] = means[subsetOf[j]];
        }
        return out;
    }

    /**
     * Every exact {@code Q(v_a - v_b)} of a round in one unit {@code 4^base}, {@code base} the smallest
     * exponent of the non-zero blocks (an all-zero block is the point 0 whatever its exponent, so it is
     * given exponent {@code base}): {@code X = N_a 4^(e_a-base) + N_b 4^(e_b-base) - P 2^(e_a+e_b-2 base+1)}.
     * With every {@code e - base <= 31} the three terms are below {@code 2^125}, {@code 2^125} and
     * {@code 2^126} in magnitude, so {@code X} is computed in signed 128-bit arithmetic (two longs);
     * otherwise in one {@code BigInteger} per pair.
     */
    static final class SquaredDistances {
        private final int n;
        private final long[] hi; // upper-triangle order; null when big is used
        private final long[] lo;
        private final BigInteger[] big;

        private SquaredDistances(int n, long[] hi, long[] lo, BigInteger[] big) {
            this.n = n;
            this.hi = hi;
            this.lo = lo;
            this.big = big;
        }

        static SquaredDistances of(long[] norms, int[] exps, long[] upper) {
            int n = norms.length;
            int base = Integer.MAX_VALUE;
            int top = Integer.MIN_VALUE;
            for (int j = 0; j < n; j++) {
                if (norms[j] != 0) {
                    base = Math.min(base, exps[j]);
                    top = Math.max(top, exps[j]);
                }
            }
            if (base == Integer.MAX_VALUE) {
                base = 0;
                top = 0;
            }
            int[] s = new int[n];
            for (int j = 0; j < n; j++) {
                s[j] = norms[j] == 0 ? 0 : exps[j] - base;
            }
            int pairs = upper.length;
            if (top - base <= 31) {
                long[] hi = new long[pairs];
                long[] lo = new long[pairs];
                int q = 0;
                for (int a = 0; a < n; a++) {
                    for (int b = a + 1; b < n; b++, q++) {
                        // X = (N_a << 2 s_a) + (N_b << 2 s_b) - (P << (s_a + s_b + 1)), each shift <= 63
                        long xh = shiftHi(norms[a], 2 * s[a]);
                        long xl = norms[a] << (2 * s[a]);
                        long yh = shiftHi(norms[b], 2 * s[b]);
                        long yl = norms[b] << (2 * s[b]);
                        long sl = xl + yl;
                        long sh = xh + yh + (Long.compareUnsigned(sl, xl) < 0 ? 1 : 0);
                        int ps = s[a] + s[b] + 1;
                        long ph = shiftHi(upper[q], ps);
                        long pl = upper[q] << ps;
                        lo[q] = sl - pl;
                        hi[q] = sh - ph - (Long.compareUnsigned(sl, pl) < 0 ? 1 : 0);
                    }
                }
                return new SquaredDistances(n, hi, lo, null);
            }
            BigInteger[] big = new BigInteger[pairs];
            int q = 0;
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++, q++) {
                    big[q] = BigInteger.valueOf(norms[a]).shiftLeft(2 * s[a])
                            .add(BigInteger.valueOf(norms[b]).shiftLeft(2 * s[b]))
                            .subtract(BigInteger.valueOf(upper[q]).shiftLeft(s[a] + s[b] + 1));
                }
            }
            return new SquaredDistances(n, null, null, big);
        }

        /** The high word of the signed 128-bit {@code v << s}, {@code 0 <= s <= 63}. */
        private static long shiftHi(long v, int s) {
            return s == 0 ? v >> 63 : v >> (64 - s);
        }

        private int index(int a, int b) {
            return Scoring.index(n, Math.min(a, b), Math.max(a, b));
        }

        /** Compares {@code Q(v_a - v_b)} with {@code Q(v_c - v_e)}. */
        int compare(int a, int b, int c, int e) {
            boolean zero1 = a == b;
            boolean zero2 = c == e;
            if (zero1 || zero2) {
                return zero1 && zero2 ? 0 : zero1 ? -signum(c, e) : signum(a, b);
            }
            int p = index(a, b);
            int r = index(c, e);
            if (big != null) {
                return big[p].compareTo(big[r]);
            }
            int h = Long.compare(hi[p], hi[r]);
            return h != 0 ? h : Long.compareUnsigned(lo[p], lo[r]);
        }

        /** 1 when {@code Q(v_a - v_b) > 0}, else 0. */
        private int signum(int a, int b) {
            int p = index(a, b);
            return big != null ? big[p].signum() : (hi[p] != 0 || lo[p] != 0) ? 1 : 0;
        }
    }

    // ---------------------------------------------------------------- centered clipping

    /**
     * What {@link #centeredClip} computed, with the reference's diagnostics, and how each iteration
     * was computed ({@link WeightedClipping.Tier#UNWEIGHTED} for the unweighted rule); for tests and tools.
     */
    record ClipTrace(Bfp16Block reference, List<Dyadic> thresholds, List<int[]> clipped, List<Bfp16Block> iterates,
            List<WeightedClipping.Tier> tiers) {
        Bfp16Block aggregate() {
            return iterates.get(iterates.size() - 1);
        }
    }

    static ClipTrace centeredClip(Bfp16Block[] blocks, int f, int iterations, Bfp16Block reference, Parallelism parallelism,
            Kernels kernels) {
        return centeredClip(blocks, f, iterations, reference, null, parallelism, kernels);
    }

    static ClipTrace centeredClip(Bfp16Block[] blocks, int f, int iterations, Bfp16Block reference, long[] weights,
            Parallelism parallelism, Kernels kernels) {
        atLeast("centered-clip", "f", f, 0);
        atLeast("centered-clip", "L", iterations, 1);
        int d = Bfp16Block.commonDimension(blocks);
        int n = blocks.length;
        quorum("centered-clip(f=" + f + ", L=" + iterations + ")", "2f + 1", 2L * f + 1, n);
        Bfp16Block r = reference == null ? Bfp16Block.of(0, new short[d]) : reference;
        if (r.dimension() != d) {
            throw new ReferenceLengthException(r.dimension(), d);
        }
        long[] w = null; // null: unweighted, also when every weight is 1 (the same rationals)
        if (weights != null) {
            Means.checkWeights(weights, n);
            for (long x : weights) {
                if (x != 1) {
                    w = weights;
                    break;
                }
            }
        }
        Objects.requireNonNull(parallelism, "parallelism");
        long[] norms = BlockProducts.sumsOfSquares(blocks, kernels, parallelism);
        boolean[] zero = new boolean[n];
        for (int j = 0; j < n; j++) {
            zero[j] = norms[j] == 0;
        }
        int minExp = Integer.MAX_VALUE;
        for (Bfp16Block b : blocks) {
            minExp = Math.min(minExp, b.exponent());
        }
        List<Dyadic> thresholds = new ArrayList<>();
        List<int[]> clipped = new ArrayList<>();
        List<Bfp16Block> iterates = new ArrayList<>();
        List<WeightedClipping.Tier> tiers = new ArrayList<>();
        short[] scratch = new short[Math.min(d, Kernels.MAX_CHUNK)];
        Bfp16Block u = r;
        long one = 1L << 32;
        for (int l = 1; l <= iterations; l++) {
            int eu = u.exponent();
            int scale = Math.min(minExp, eu);
            long nu = BlockProducts.sumOfSquares(u, kernels, scratch);
            long[] dots = BlockProducts.dotsWith(u, blocks, kernels, parallelism);
            // Q(x_j) = ||v_j - u||^2 in units of 4^scale, exact (one BigInteger per block, not per value)
            BigInteger uTerm = BigInteger.valueOf(nu).shiftLeft(2 * (eu - scale));
            BigInteger[] q = new BigInteger[n];
            for (int j = 0; j < n; j++) {
                int ej = blocks[j].exponent();
                q[j] = BigInteger.valueOf(norms[j]).shiftLeft(2 * (ej - scale)).add(uTerm)
                        .subtract(BigInteger.valueOf(dots[j]).shiftLeft(ej + eu - 2 * scale + 1));
            }
            BigInteger[] sorted = q.clone();
            Arrays.sort(sorted);
            BigInteger t = sorted[n - f - 1];
            thresholds.add(Dyadic.of(t, 2 * scale));
            // u_l = (sum_j s_j v_j + (n 2^32 - sum_j s_j) u) / (n 2^32): one exact weighted mean
            long[] s = new long[n];
            long rest = n * one; // n < 2^31, so below 2^63
            int[] clippedNow = new int[n];
            int c = 0;
            for (int j = 0; j < n; j++) {
                if (q[j].compareTo(t) <= 0) {
                    s[j] = one;
                } else {
                    clippedNow[c++] = j;
                    // T / Q < 1, so floor(T 2^64 / Q) < 2^64: an unsigned long
                    s[j] = BlockProducts.isqrt(t.shiftLeft(64).divide(q[j]).longValue());
                }
                rest -= s[j];
            }
            clipped.add(Arrays.copyOf(clippedNow, c));
            if (w == null) {
                u = iterate(blocks, zero, s, u, rest, n, parallelism, kernels);
                tiers.add(WeightedClipping.Tier.UNWEIGHTED);
            } else {
                WeightedClipping.Plan plan = WeightedClipping.plan(blocks, zero, s, w, u);
                u = WeightedClipping.iterate(plan, blocks, w, d, parallelism, kernels);
                tiers.add(plan.tier());
            }
            iterates.add(u);
        }
        return new ClipTrace(r, thresholds, clipped, iterates, tiers);
    }

    /** The factor 1 of a clipping factor, {@code 2^32}. */
    private static final long ONE = 1L << 32;

    /**
     * {@code u_l = encode((sum_j s_j v_j + rest * u) / (n 2^32))}, {@code rest = n 2^32 - sum_j s_j}:
     * identical to {@link FastMeans#weightedMean} of the blocks with weights {@code s_j} and {@code u}
     * with weight {@code rest} (zero weights left out), computed faster when it can be.
     *
     * <p>In units of {@code 2^base} ({@code base} the smallest exponent of the non-zero blocks and
     * {@code u}) the numerator is {@code S_i = 2^32 A_i + B_i}: {@code A_i} the sum over the unclipped
     * blocks ({@code s_j = 2^32}) of {@code m 2^(e - base)}, {@code B_i} the rest (the at most
     * {@code f} clipped blocks and {@code u}) with their weights. When
     * {@code 32767 * sum_unclipped 2^(e - base) < 2^53}, {@code A_i} is summed in doubles, exactly (see
     * {@link Kernels}); when the bound of the whole, {@code 32767 * sum_j w_j 2^(e_j - base)}, is below
     * {@code 2^61}, {@code B_i} and {@code S_i} are exact in {@code long}; and with {@code n 2^32 < 2^46}
     * {@link FastMeans#encodeSums} encodes {@code S_i 2^base / (n 2^32)}. Otherwise the weighted mean
     * itself.
     */
    private static Bfp16Block iterate(Bfp16Block[] blocks, boolean[] zero, long[] s, Bfp16Block u, long rest, int n,
            Parallelism parallelism, Kernels kernels) {
        boolean uZero = u.isZero();
        int base = uZero || rest == 0 ? Integer.MAX_VALUE : u.exponent();
        for (int j = 0; j < n; j++) {
            if (!zero[j] && s[j] != 0) {
                base = Math.min(base, blocks[j].exponent());
            }
        }
        int d = u.dimension();
        if (base == Integer.MAX_VALUE) {
            return Bfp16Block.of(0, new short[d]); // every value with a weight is zero
        }
        double boundA = 0; // sums of powers of two times 32767: exact enough to compare (each term exact)
        double boundAll = uZero || rest == 0 ? 0 : (double) rest * Math.scalb(32767.0, u.exponent() - base);
        int[] ones = new int[n];
        int[] others = new int[n];
        int o = 0;
        int q = 0;
        for (int j = 0; j < n; j++) {
            if (zero[j] || s[j] == 0) {
                continue;
            }
            double term = Math.scalb(32767.0, blocks[j].exponent() - base);
            boundAll += (double) s[j] * term;
            if (s[j] == ONE) {
                ones[o++] = j;
                boundA += term;
            } else {
                others[q++] = j;
            }
        }
        long total = (long) n * ONE;
        // 2^60 leaves room for the double sums' rounding of the bounds themselves (a relative 2^-50).
        if (boundA >= 0x1p52 || boundAll >= 0x1p60 || total >= (1L << 46)) {
            return weightedMean(blocks, zero, s, u, rest, n, parallelism, kernels);
        }
        int[] unclipped = Arrays.copyOf(ones, o);
        int[] clippedOnes = Arrays.copyOf(others, q);
        int b = base;
        long[] sums = new long[d];
        int chunk = 2048;
        int chunks = (d + chunk - 1) / chunk;
        int parts = parallelism.parts(chunks);
        parallelism.run(parts, p -> {
            double[] a = new double[chunk];
            short[] scratch = new short[chunk];
            int from = (int) ((long) p * chunks / parts) * chunk;
            int to = (int) Math.min(d, (long) (p + 1) * chunks / parts * chunk);
            for (int start = from; start < to; start += chunk) {
                int len = Math.min(chunk, to - start);
                Arrays.fill(a, 0, len, 0.0);
                for (int j : unclipped) {
                    blocks[j].copyMantissas(start, scratch, 0, len);
                    kernels.scaleAdd(a, 0, scratch, len, Math.scalb(1.0, blocks[j].exponent() - b));
                }
                for (int i = 0; i < len; i++) {
                    sums[start + i] = (long) a[i] << 32; // |A_i| 2^32 is below the whole bound, 2^61
                }
                for (int j : clippedOnes) {
                    addScaled(blocks[j], s[j] << (blocks[j].exponent() - b), start, len, scratch, sums);
                }
                if (rest != 0 && !uZero) {
                    addScaled(u, rest << (u.exponent() - b), start, len, scratch, sums);
                }
            }
        });
        return FastMeans.encodeSums(sums, b, total, parallelism);
    }

    /** {@code sums[start + i] += w * m_i}: {@code w} and every sum below 2^61 (the caller's bound). */
    private static void addScaled(Bfp16Block x, long w, int start, int len, short[] scratch, long[] sums) {
        x.copyMantissas(start, scratch, 0, len);
        for (int i = 0; i < len; i++) {
            sums[start + i] += w * scratch[i];
        }
    }

    /** The iterate as {@link FastMeans#weightedMean} of the blocks with a weight and {@code u}. */
    private static Bfp16Block weightedMean(Bfp16Block[] blocks, boolean[] zero, long[] s, Bfp16Block u, long rest, int n,
            Parallelism parallelism, Kernels kernels) {
        int kept = 0;
        for (int j = 0; j < n; j++) {
            kept += s[j] != 0 ? 1 : 0;
        }
        Bfp16Block[] parts = new Bfp16Block[kept + (rest != 0 ? 1 : 0)];
        long[] weights = new long[parts.length];
        int k = 0;
        for (int j = 0; j < n; j++) {
            if (s[j] != 0) {
                parts[k] = blocks[j];
                weights[k++] = s[j];
            }
        }
        if (rest != 0) {
            parts[k] = u;
            weights[k] = rest;
        }
        return FastMeans.weightedMean(parts, weights, parallelism, kernels);
    }
}
