package org.qoraedge.fixedpoint.fast;

import java.util.Arrays;
import java.util.function.IntBinaryOperator;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Sums of squares, dot products with one block, exact squared norms of differences and index
 * rankings, for the robust rules of {@link FastRobust}.
 *
 * <p>Every sum here is an exact integer: a sum of squares or a dot product of mantissas is below
 * {@code d * 2^30 < 2^63} for {@code d < 2^33} (as in base spec section 4).
 */
final class BlockProducts {
    /** Coordinates per chunk of {@link #dotsWith}: the one block's chunk as doubles and 4 others in L1. */
    private static final int CHUNK = 512;

    private BlockProducts() {
    }

    /** {@code N_j = sum_i m_j,i^2} of every block (exact, see {@link Kernels#sumOfSquares}); parts of blocks run in parallel. */
    static long[] sumsOfSquares(Bfp16Block[] blocks, Kernels k, Parallelism parallelism) {
        int n = blocks.length;
        long[] out = new long[n];
        int d = blocks[0].dimension();
        int parts = parallelism.parts(n);
        parallelism.run(parts, p -> {
            short[] scratch = new short[Math.min(d, SQUARES_CHUNK)];
            int from = (int) ((long) p * n / parts);
            int to = (int) ((long) (p + 1) * n / parts);
            for (int j = from; j < to; j++) {
                out[j] = sumOfSquares(blocks[j], k, scratch);
            }
        });
        return out;
    }

    /** Coordinates per kernel call of {@link #sumOfSquares}: at most {@link Kernels#MAX_CHUNK}. */
    private static final int SQUARES_CHUNK = 4096;

    static long sumOfSquares(Bfp16Block b, Kernels k, short[] scratch) {
        int d = b.dimension();
        long s = 0;
        for (int start = 0; start < d; start += scratch.length) {
            int len = Math.min(scratch.length, d - start);
            b.copyMantissas(start, scratch, 0, len);
            s += k.sumOfSquares(scratch, len);
        }
        return s;
    }

    /**
     * {@code out[j] = sum_i x_i * m_j,i} for every block {@code j}, with the dot-product kernels
     * (exact: see {@link Kernels}); the threads split the dimension and their sums are added.
     */
    static long[] dotsWith(Bfp16Block x, Bfp16Block[] blocks, Kernels k, Parallelism parallelism) {
        int n = blocks.length;
        int d = x.dimension();
        int chunk = Math.min(CHUNK, k.padded(d));
        int chunks = (d + chunk - 1) / chunk;
        int parts = parallelism.parts(chunks);
        long[][] acc = new long[parallelism.workers(parts)][];
        parallelism.run(parts, (p, w) -> {
            if (acc[w] == null) {
                acc[w] = new long[n + 4];
            }
            long[] a = acc[w];
            double[] xd = new double[chunk];
            short[] xs = new short[chunk];
            short[] ys = new short[4 * chunk];
            int from = (int) ((long) p * chunks / parts);
            int to = (int) ((long) (p + 1) * chunks / parts);
            for (int c = from; c < to; c++) {
                int start = c * chunk;
                int len = Math.min(chunk, d - start);
                int padded = k.padded(len);
                k.load(x, start, len, padded, xs, xd, 0);
                for (int g = 0; g < n; g += 4) {
                    int count = Math.min(4, n - g);
                    for (int r = 0; r < 4; r++) {
                        if (r < count) {
                            blocks[g + r].copyMantissas(start, ys, r * chunk, len);
                            Arrays.fill(ys, r * chunk + len, r * chunk + padded, (short) 0);
                        } else {
                            Arrays.fill(ys, r * chunk, r * chunk + padded, (short) 0);
                        }
                    }
                    k.row1x4(xd, 0, ys, 0, chunk, padded, a, g);
                }
            }
        });
        long[] out = new long[n];
        for (long[] a : acc) {
            if (a != null) {
                for (int j = 0; j < n; j++) {
                    out[j] += a[j];
                }
            }
        }
        return out;
    }

    /**
     * Indices {@code 0 .. n-1} sorted by {@code cmp} (a total order; callers break ties by index), a
     * merge sort on primitive indices.
     */
    static int[] sortIndices(int n, IntBinaryOperator cmp) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] tmp = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(n, lo + width);
                int hi = Math.min(n, lo + 2 * width);
                int i = lo;
                int j = mid;
                int t = lo;
                while (i < mid && j < hi) {
                    tmp[t++] = cmp.applyAsInt(a[j], a[i]) < 0 ? a[j++] : a[i++];
                }
                while (i < mid) {
                    tmp[t++] = a[i++];
                }
                while (j < hi) {
                    tmp[t++] = a[j++];
                }
            }
            int[] s = a;
            a = tmp;
            tmp = s;
        }
        return a;
    }

    /**
     * Compares {@code N_a * 4^e_a} with {@code N_b * 4^e_b} exactly, for {@code N >= 0}: by the
     * position of the top bit ({@code bitLength(N) + 2e}) when the two differ, and otherwise by
     * {@code N_a << (2 e_a - 2 e_b)} against {@code N_b} (or the other way round), which then has the
     * bit length of the other, at most 63: no overflow.
     */
    static int compareScaled(long na, int ea, long nb, int eb) {
        if (na == 0 || nb == 0) {
            return Boolean.compare(na != 0, nb != 0);
        }
        long pa = bitLength(na) + 2L * ea;
        long pb = bitLength(nb) + 2L * eb;
        if (pa != pb) {
            return Long.compare(pa, pb);
        }
        int shift = 2 * (ea - eb);
        return shift >= 0 ? Long.compare(na << shift, nb) : Long.compare(na, nb << -shift);
    }

    static int bitLength(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }

    /**
     * Exact isqrt of an unsigned 64-bit {@code k}: the largest {@code r} with {@code r^2 <= k}, bit by
     * bit from the top ({@code r < 2^32}, so {@code r^2} never overflows the unsigned range).
     */
    static long isqrt(long k) {
        long r = 0;
        for (int bit = 31; bit >= 0; bit--) {
            long c = r | (1L << bit);
            if (Long.compareUnsigned(c * c, k) <= 0) {
                r = c;
            }
        }
        return r;
    }
}
