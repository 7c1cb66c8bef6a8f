package org.qoraedge.fixedpoint.fast;

import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * The exact means of many subsets of one round's blocks (nearest-neighbour mixing's {@code y_j}),
 * each bit for bit {@link FastMeans#mean} of its blocks, computed together so that a chunk of
 * coordinates of every block is read once for all the subsets.
 *
 * <p>With {@code base} the smallest exponent of the round's non-zero blocks, a chunk of every
 * non-zero block is converted into doubles scaled by {@code 2^(e_j - base)} (exact: a power of two
 * times an integer below the bound below); a subset's numerators {@code S_i} are then plain sums of
 * its rows ({@link Kernels#sumRows}). A subset is summed this way when
 * {@code B = 32767 * sum_(j in subset, non-zero) 2^(e_j - base) < 2^53}: every term and every
 * partial sum, in any order, is then an integer of magnitude at most {@code B}, so every double
 * addition is exact (see {@link Kernels}). Section 2 depends only on the values
 * {@code S_i 2^base / |subset|}, so the result is {@link FastMeans}'s whatever base it would have
 * chosen. Other subsets (blocks more than about 30 binades apart) go through {@link FastMeans#mean}.
 *
 * <p>A subset with more (non-zero) members than non-members is summed as the total of every row less
 * its non-members, when the same bound holds for every non-zero block (then the total and the
 * difference are exact integers below {@code 2^53} too): nearest-neighbour mixing's sets hold
 * {@code n - f > n / 2} blocks, so this sums {@code f} rows instead of {@code n - f}.
 *
 * <p>Two passes: the first finds each subset's largest {@code |S_i|}, which fixes its encoding
 * ({@link FastMeans#encoding}), and keeps the sums when all of them fit 8 MB (a gateway's heap is
 * 64 MiB); the second divides
 * them ({@link FastMeans#divide}), or, when they were not kept, sums again chunk by chunk. Memory:
 * the subsets' mantissas, the kept sums, and per thread one chunk of every block.
 */
final class SubsetMeans {
    /** Coordinates per chunk: a chunk of 64 blocks is 256 KB of doubles, in L2. */
    private static final int CHUNK = 512;
    /** Doubles of rows per chunk, about 256 KB: they stay in L2 while every subset is summed. */
    private static final int ROW_DOUBLES = 1 << 15;
    /** Most sums kept between the two passes: 1M doubles, 8 MB. */
    private static final long STORED_DOUBLES = 1L << 20;
    private static final double EXACT = 0x1p53;

    private SubsetMeans() {
    }

    /**
     * The mean of each subset.
     *
     * @param subsets each a non-empty list of distinct block indices
     */
    static Bfp16Block[] means(Bfp16Block[] blocks, int[][] subsets, Parallelism parallelism, Kernels k) {
        return means(blocks, subsets, parallelism, k, STORED_DOUBLES);
    }

    /** As {@link #means(Bfp16Block[], int[][], Parallelism, Kernels)}, keeping at most {@code storeLimit} sums between the passes. */
    static Bfp16Block[] means(Bfp16Block[] blocks, int[][] subsets, Parallelism parallelism, Kernels k, long storeLimit) {
        int n = blocks.length;
        int d = blocks[0].dimension();
        boolean[] zero = new boolean[n];
        int lowest = Integer.MAX_VALUE;
        for (int j = 0; j < n; j++) {
            zero[j] = blocks[j].isZero();
            if (!zero[j]) {
                lowest = Math.min(lowest, blocks[j].exponent());
            }
        }
        int base = lowest;
        Bfp16Block[] out = new Bfp16Block[subsets.length];
        int[] batched = new int[subsets.length];
        int count = 0;
        for (int s = 0; s < subsets.length; s++) {
            double bound = 0; // each term a power of two times 32767, the sum an upper bound of B
            for (int j : subsets[s]) {
                if (!zero[j]) {
                    bound += Bfp16Block.MAX_MANTISSA * Math.scalb(1.0, blocks[j].exponent() - base);
                }
            }
            if (bound == 0) {
                out[s] = Bfp16Block.of(0, new short[d]);
            } else if (bound < EXACT) {
                batched[count++] = s;
            } else {
                out[s] = FastMeans.mean(FastRobust.select(blocks, subsets[s]), parallelism);
            }
        }
        if (count == 0) {
            return out;
        }
        int m = count;
        // A chunk of every row (and the total's) stays in L2: about 256 KB of doubles.
        int chunk = Math.min(CHUNK, Math.min(k.padded(d), Math.max(64, ROW_DOUBLES / (n + 1) / 64 * 64)));
        // Rows one cache line more apart than a power of two, so that a sum's rows do not all fall in one L1 set.
        int stride = chunk + 8;
        // A subset with more members than non-members is summed as the total less the non-members,
        // when the total itself is exact (the same bound over every non-zero block).
        double boundAll = 0;
        int liveAll = 0;
        for (int j = 0; j < n; j++) {
            if (!zero[j]) {
                boundAll += Bfp16Block.MAX_MANTISSA * Math.scalb(1.0, blocks[j].exponent() - base);
                liveAll++;
            }
        }
        boolean complements = boundAll < EXACT;
        int totalRow = n * stride;
        int[] allOffsets = new int[liveAll];
        for (int j = 0, a = 0; j < n; j++) {
            if (!zero[j]) {
                allOffsets[a++] = j * stride;
            }
        }
        int[][] offsets = new int[m][];
        int[] live = new int[m];
        int[] from = new int[m];
        boolean anyComplement = false;
        for (int t = 0; t < m; t++) {
            int[] subset = subsets[batched[t]];
            boolean[] in = new boolean[n];
            int members = 0;
            for (int j : subset) {
                in[j] = true;
                members += zero[j] ? 0 : 1;
            }
            boolean complement = complements && liveAll - members < members;
            anyComplement |= complement;
            from[t] = complement ? totalRow : -1;
            offsets[t] = new int[complement ? liveAll - members : members];
            for (int j = 0; j < n; j++) {
                if (!zero[j] && in[j] != complement) {
                    offsets[t][live[t]++] = j * stride;
                }
            }
        }
        double[] scale = new double[n];
        for (int j = 0; j < n; j++) {
            scale[j] = zero[j] ? 0 : Math.scalb(1.0, blocks[j].exponent() - base);
        }
        int chunks = (d + chunk - 1) / chunk;
        int parts = parallelism.parts(chunks);
        int workers = parallelism.workers(parts);
        Workspace[] spaces = new Workspace[workers];
        Rows rows = new Rows(blocks, zero, scale, k, stride, anyComplement ? allOffsets : null, liveAll, totalRow);
        // Pass 1: the largest |S_i| of each subset, per part; the sums themselves too when they fit
        // storeLimit, so that pass 2 only divides.
        long[][] maxOf = new long[parts][m];
        double[][] stored = (long) m * chunks * chunk <= storeLimit ? new double[m][chunks * chunk] : null;
        parallelism.run(parts, (p, w) -> {
            Workspace ws = spaces[w] == null ? (spaces[w] = new Workspace(n, stride, chunk)) : spaces[w];
            for (int c = (int) ((long) p * chunks / parts); c < (int) ((long) (p + 1) * chunks / parts); c++) {
                int start = c * chunk;
                int len = Math.min(chunk, d - start);
                int padded = k.padded(len);
                rows.load(start, len, padded, ws);
                for (int t = 0; t < m; t++) {
                    double max = stored != null // padding sums to 0
                            ? k.sumRows(ws.rows, offsets[t], live[t], from[t], stored[t], start, padded)
                            : k.sumRows(ws.rows, offsets[t], live[t], from[t], ws.sum, 0, padded);
                    maxOf[p][t] = Math.max(maxOf[p][t], (long) max); // an integer below 2^53: exact
                }
            }
        });
        FastMeans.Encoding[] enc = new FastMeans.Encoding[m];
        short[][] mantissas = new short[m][];
        for (int t = 0; t < m; t++) {
            long max = 0;
            for (long[] partMax : maxOf) {
                max = Math.max(max, partMax[t]);
            }
            mantissas[t] = new short[d];
            enc[t] = max == 0 ? null : FastMeans.encoding(max, base, subsets[batched[t]].length);
        }
        // Pass 2: the stored sums divided into mantissas, or the same sums again first.
        if (stored != null) {
            parallelism.run(parts, p -> {
                int lo = (int) ((long) p * chunks / parts) * chunk;
                int hi = (int) Math.min(d, (long) (p + 1) * chunks / parts * chunk);
                for (int t = 0; t < m; t++) {
                    if (enc[t] != null) {
                        FastMeans.divide(stored[t], null, enc[t].up(), enc[t].den(), lo, hi, mantissas[t]);
                    }
                }
            });
        } else {
            parallelism.run(parts, (p, w) -> {
                // a worker that ran no part of pass 1 has no workspace yet
                Workspace ws = spaces[w] == null ? (spaces[w] = new Workspace(n, stride, chunk)) : spaces[w];
                for (int c = (int) ((long) p * chunks / parts); c < (int) ((long) (p + 1) * chunks / parts); c++) {
                    int start = c * chunk;
                    int len = Math.min(chunk, d - start);
                    int padded = k.padded(len);
                    rows.load(start, len, padded, ws);
                    double[] sum = ws.sum;
                    short[] mant = ws.mant;
                    for (int t = 0; t < m; t++) {
                        if (enc[t] == null) {
                            continue; // every sum is 0: the zero block
                        }
                        k.sumRows(ws.rows, offsets[t], live[t], from[t], sum, 0, padded);
                        Arrays.fill(mant, 0, len, (short) 0);
                        FastMeans.divide(sum, null, enc[t].up(), enc[t].den(), 0, len, mant);
                        System.arraycopy(mant, 0, mantissas[t], start, len);
                    }
                }
            });
        }
        for (int t = 0; t < m; t++) {
            out[batched[t]] = Bfp16Block.of(enc[t] == null ? 0 : enc[t].exponent(), mantissas[t]);
        }
        return out;
    }

    /** One worker's buffers: the chunk's rows (and the total row), a sum, and scratch mantissas. */
    private static final class Workspace {
        final double[] rows;
        final double[] sum;
        final short[] scratch;
        final short[] mant;

        Workspace(int n, int stride, int chunk) {
            rows = new double[(n + 1) * stride];
            sum = new double[chunk];
            scratch = new short[chunk];
            mant = new short[chunk];
        }
    }

    /** How a chunk of the round is loaded into a workspace's rows, the same in both passes. */
    private record Rows(Bfp16Block[] blocks, boolean[] zero, double[] scale, Kernels k, int stride, int[] allOffsets, int liveCount,
            int totalRow) {
        /**
         * Coordinates {@code [start, start + len)} of every non-zero block as scaled doubles, one row
         * of {@code stride} per block, then (when {@code allOffsets} is set) their total in the row
         * after the last block.
         */
        void load(int start, int len, int padded, Workspace ws) {
            double[] rows = ws.rows;
            for (int j = 0; j < blocks.length; j++) {
                if (!zero[j]) {
                    int off = j * stride;
                    k.load(blocks[j], start, len, padded, ws.scratch, rows, off);
                    double f = scale[j];
                    if (f != 1.0) {
                        for (int i = 0; i < len; i++) {
                            rows[off + i] *= f; // a power of two: exact
                        }
                    }
                }
            }
            if (allOffsets != null) {
                k.sumRows(rows, allOffsets, liveCount, -1, rows, totalRow, padded);
            }
        }
    }
}
