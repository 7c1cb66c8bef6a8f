package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.RandomBlocks;

/**
 * {@link FastMeans} gives {@link Means#weightedMean}'s block bit for bit in every tier (sums in double,
 * sums in long, all-zero, reference fallback), with both kernels and any parallelism, and refuses
 * what it refuses with the same exception and message.
 */
class FastMeansEquivalenceTest {
    enum Shape {
        /** Exponents within 20 binades, weights 1: the honest Multi-Krum aggregate. */
        CLOSE_EXPONENTS(FastMeans.Tier.DOUBLE),
        /** Large weights (up to 2^30), one exponent. */
        HEAVY_WEIGHTS(FastMeans.Tier.DOUBLE),
        /** Exponents 39 to 43 binades apart, at most 3 blocks high: sums beyond 2^53, below 2^61. */
        WIDE_GAP(FastMeans.Tier.LONG),
        /** A gap of 47 binades or more between non-zero blocks. */
        EXTREME_GAP(FastMeans.Tier.REFERENCE),
        /** One exponent, total weight in [2^45, 2^46): sums in long, divisor 2W at or above 2^46 (plain division). */
        WEIGHTS_NEAR_LIMIT(FastMeans.Tier.LONG),
        /** Total weight 2^46 or more. */
        HUGE_TOTAL_WEIGHT(FastMeans.Tier.REFERENCE),
        /** All-zero blocks at far exponents (-126, 113) beside close non-zero ones: left out, no fallback. */
        FAR_ZERO_BLOCKS(FastMeans.Tier.DOUBLE),
        /** Every block all-zero, exponents -126 and 113. */
        ALL_ZERO_FAR(FastMeans.Tier.ZERO),
        /** Pairs of blocks whose mean is an exact half of the result's unit, negative and positive. */
        HALVES(FastMeans.Tier.DOUBLE);

        final FastMeans.Tier tier;

        Shape(FastMeans.Tier tier) {
            this.tier = tier;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Shape s : Shape.values()) {
            for (long seed = 1; seed <= (s == Shape.CLOSE_EXPONENTS ? 30 : 10); seed++) {
                out.add(Arguments.of(s, seed));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void fastMeanEqualsReferenceInEveryTier(Shape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 7919 + shape.ordinal());
        int[] dims = {1, 3, 7, 9, 17, 100, 2047, 2049, 4099, 9001};
        int d = dims[r.nextInt(dims.length)];
        int n = 1 + r.nextInt(shape == Shape.CLOSE_EXPONENTS ? 70 : 8);
        Bfp16Block[] b = new Bfp16Block[n];
        long[] w = new long[n];
        Arrays.fill(w, 1);
        int centre = r.nextInt(-100, 60);
        switch (shape) {
            case CLOSE_EXPONENTS, HEAVY_WEIGHTS -> {
                for (int j = 0; j < n; j++) {
                    b[j] = RandomBlocks.block(r, d, shape == Shape.HEAVY_WEIGHTS ? centre : centre + r.nextInt(20));
                    if (shape == Shape.HEAVY_WEIGHTS) {
                        w[j] = 1 + r.nextLong(1L << 30);
                    }
                }
            }
            case WIDE_GAP -> {
                n = 2 + r.nextInt(5);
                b = new Bfp16Block[n];
                w = new long[n];
                Arrays.fill(w, 1);
                int gap = 39 + r.nextInt(5);
                int high = 1 + r.nextInt(Math.min(3, n - 1));
                for (int j = 0; j < n; j++) {
                    b[j] = Rounds.fullScale(r, d, j >= n - high ? centre + gap : centre);
                }
            }
            case EXTREME_GAP -> {
                n = Math.max(n, 2);
                b = new Bfp16Block[n];
                w = new long[n];
                Arrays.fill(w, 1);
                for (int j = 0; j < n; j++) {
                    b[j] = Rounds.fullScale(r, d, j % 2 == 0 ? Bfp16Block.MIN_EXPONENT : Bfp16Block.MIN_EXPONENT + 47 + r.nextInt(193));
                }
            }
            case WEIGHTS_NEAR_LIMIT -> {
                for (int j = 0; j < n; j++) {
                    b[j] = RandomBlocks.block(r, d, centre);
                    w[j] = (1L << 45) / n + r.nextLong((1L << 44) / n);
                }
            }
            case HUGE_TOTAL_WEIGHT -> {
                for (int j = 0; j < n; j++) {
                    b[j] = RandomBlocks.block(r, d, centre);
                    w[j] = (1L << 46) / n + 1 + r.nextLong(1L << 50);
                }
            }
            case FAR_ZERO_BLOCKS -> {
                n = Math.max(n, 3);
                b = new Bfp16Block[n];
                w = new long[n];
                Arrays.fill(w, 1);
                for (int j = 0; j < n; j++) {
                    b[j] = switch (j % 3) {
                        case 0 -> Bfp16Block.of(Bfp16Block.MIN_EXPONENT, new short[d]);
                        case 1 -> Bfp16Block.of(Bfp16Block.MAX_EXPONENT, new short[d]);
                        default -> Rounds.fullScale(r, d, centre + r.nextInt(5));
                    };
                }
            }
            case ALL_ZERO_FAR -> {
                n = Math.max(n, 2); // both extremes
                b = new Bfp16Block[n];
                w = new long[n];
                Arrays.fill(w, 1);
                for (int j = 0; j < n; j++) {
                    b[j] = Bfp16Block.of(j % 2 == 0 ? Bfp16Block.MIN_EXPONENT : Bfp16Block.MAX_EXPONENT, new short[d]);
                }
            }
            case HALVES -> {
                n = 2;
                b = new Bfp16Block[2];
                w = new long[] {1, 1};
                short[] x = new short[d];
                short[] y = new short[d];
                for (int i = 0; i < d; i++) {
                    x[i] = (short) (i == 0 ? 32767 : r.nextInt(-32767, 32768));
                    y[i] = (short) (i == 0 ? 32767 : Math.max(-32767, Math.min(32767, x[i] + 2 * r.nextInt(-3, 4) + 1)));
                }
                b[0] = Bfp16Block.of(centre, x);
                b[1] = Bfp16Block.of(centre, y);
            }
        }
        assertEquals(shape.tier, FastMeans.tier(b, w), "the case exercises the intended tier");
        Bfp16Block want = Means.weightedMean(b, w);
        for (Kernels k : kernels()) {
            for (Parallelism p : new Parallelism[] {Parallelism.serial(), Parallelism.threads(3)}) {
                assertEquals(want, FastMeans.weightedMean(b, w, p, k), k.name() + ", " + p);
            }
        }
        if (Arrays.stream(w).allMatch(x -> x == 1)) {
            assertEquals(Means.mean(b), FastMeans.mean(b, Parallelism.serial()));
        }
    }

    @Test
    void refusesWhatTheReferenceRefuses() {
        Bfp16Block[] two = {Bfp16Block.of(0, new short[] {1}), Bfp16Block.of(0, new short[] {2})};
        Bfp16Block[] unequal = {Bfp16Block.of(0, new short[] {1}), Bfp16Block.of(0, new short[] {2, 3})};
        sameRefusal(two, new long[] {1, 0});
        sameRefusal(two, new long[] {-1, 1});
        sameRefusal(two, new long[] {Long.MIN_VALUE, 1});
        sameRefusal(two, new long[] {1});
        sameRefusal(unequal, new long[] {1, 1});
        sameRefusal(new Bfp16Block[0], new long[0]);
    }

    private static void sameRefusal(Bfp16Block[] b, long[] w) {
        FixedPointException want = assertThrows(FixedPointException.class, () -> Means.weightedMean(b, w));
        for (Kernels k : kernels()) {
            FixedPointException got = assertThrows(FixedPointException.class,
                    () -> FastMeans.weightedMean(b, w, Parallelism.serial(), k));
            assertEquals(want.getClass(), got.getClass());
            assertEquals(want.getMessage(), got.getMessage());
        }
    }

    static List<Kernels> kernels() {
        List<Kernels> ks = new ArrayList<>();
        ks.add(Kernels.scalar());
        if (Kernels.vectorOrNull() != null) {
            ks.add(Kernels.vectorOrNull());
        }
        return ks;
    }
}
