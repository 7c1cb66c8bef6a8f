package org.qoraedge.fixedpoint.fast;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.RandomBlocks;

/**
 * Seeded rounds that stress the fast path where it could differ from the reference: dimensions that
 * are no multiple of any chunk or vector length, saturated distances, exponent gaps up to the
 * extremes (-126 vs 113) and across the 15/16 and 31/32 binade boundaries, all-zero blocks, ties,
 * and many blocks.
 */
final class Rounds {
    /** Dimensions around every vector width (2, 4, 8), the round buffer's chunk (512) and the batch chunk (1024). */
    static final int[] DIMENSIONS = {1, 2, 3, 5, 7, 8, 9, 15, 17, 31, 33, 63, 65, 100, 511, 513, 1023, 1025, 1537, 2049, 3001};

    enum Kind {
        RANDOM, FULL_SCALE_EXTREMES, GAP_BOUNDARIES, ZERO_BLOCKS, ALL_ZERO, TIES, MANY_BLOCKS, VERY_MANY_BLOCKS
    }

    /** A round of a given kind; the same (kind, seed) always gives the same blocks. */
    record Round(Kind kind, long seed, Bfp16Block[] blocks, int f, int m) {
        @Override
        public String toString() {
            return kind + " seed " + seed + " (n = " + blocks.length + ", d = " + blocks[0].dimension() + ", f = " + f
                    + ", m = " + m + ")";
        }
    }

    private Rounds() {
    }

    /** Rounds of every kind, seeds 1 to {@code seeds(kind)} of each. */
    static Stream<Round> sample(ToIntFunction<Kind> seeds) {
        List<Round> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (long seed = 1; seed <= seeds.applyAsInt(kind); seed++) {
                out.add(make(kind, seed));
            }
        }
        return out.stream();
    }

    static Round make(Kind kind, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + kind.ordinal());
        int n = switch (kind) {
            case MANY_BLOCKS -> 120 + r.nextInt(81); // up to 200
            case VERY_MANY_BLOCKS -> 260 + r.nextInt(71); // enough pairs for the parallel combination
            case TIES -> 5 + r.nextInt(12);
            default -> 3 + r.nextInt(30);
        };
        int d = switch (kind) {
            case MANY_BLOCKS -> DIMENSIONS[r.nextInt(10, 17)];
            case VERY_MANY_BLOCKS -> DIMENSIONS[r.nextInt(0, 10)];
            default -> DIMENSIONS[r.nextInt(DIMENSIONS.length)];
        };
        Bfp16Block[] b = new Bfp16Block[n];
        switch (kind) {
            case RANDOM, MANY_BLOCKS, VERY_MANY_BLOCKS -> b = RandomBlocks.round(r, n, d);
            case FULL_SCALE_EXTREMES -> {
                for (int j = 0; j < n; j++) {
                    int e = r.nextInt(3) == 0 ? Bfp16Block.MAX_EXPONENT : Bfp16Block.MIN_EXPONENT + r.nextInt(2);
                    b[j] = fullScale(r, d, e);
                }
            }
            case GAP_BOUNDARIES -> {
                int low = r.nextInt(-126, 60);
                int[] gaps = {0, 1, 15, 16, 17, 30, 31, 32, 33, 52, 53, 62, 63, 64};
                for (int j = 0; j < n; j++) {
                    int e = Math.min(Bfp16Block.MAX_EXPONENT, low + gaps[r.nextInt(gaps.length)]);
                    b[j] = r.nextBoolean() ? fullScale(r, d, e) : RandomBlocks.block(r, d, e);
                }
            }
            case ZERO_BLOCKS -> {
                b = RandomBlocks.round(r, n, d);
                for (int z = 1 + r.nextInt(n); z > 0; z--) {
                    b[r.nextInt(n)] = Bfp16Block.of(r.nextBoolean() ? Bfp16Block.MIN_EXPONENT : r.nextInt(-126, 114), new short[d]);
                }
            }
            case ALL_ZERO -> {
                for (int j = 0; j < n; j++) {
                    b[j] = Bfp16Block.of(r.nextInt(-126, 114), new short[d]);
                }
            }
            case TIES -> {
                Bfp16Block[] few = RandomBlocks.round(r, 2 + r.nextInt(2), d);
                for (int j = 0; j < n; j++) {
                    b[j] = few[r.nextInt(few.length)];
                }
            }
        }
        int f = r.nextInt((n - 3) / 2 + 1);
        int m = 1 + r.nextInt(n - 2 * f - 2);
        return new Round(kind, seed, b, f, m);
    }

    /** Mantissas of magnitude 32767 (or close), the largest products and sums the kernels meet. */
    static Bfp16Block fullScale(SplittableRandom r, int d, int e) {
        short[] m = new short[d];
        boolean allSame = r.nextBoolean();
        for (int i = 0; i < d; i++) {
            int mag = allSame ? Bfp16Block.MAX_MANTISSA : Bfp16Block.MAX_MANTISSA - r.nextInt(3);
            m[i] = (short) (r.nextBoolean() ? mag : -mag);
        }
        return Bfp16Block.of(e, m);
    }
}
