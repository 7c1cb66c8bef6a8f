package org.qoraedge.fixedpoint.fast;

import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Every block's sum of squares and one dot product per unordered pair, for a whole round at once.
 *
 * <p>Layout: the blocks are grouped into panels of 4 rows (the last one padded with zero rows); the
 * pairs form a triangle of 4x4 tiles {@code (I, J)}, {@code I <= J}, each computed by
 * {@link Kernels#tile4x4} (the diagonal tiles give the sums of squares for free; their lower half is
 * computed and ignored). The dimension is cut into chunks of {@code C} coordinates: a chunk of every
 * block is converted once into a buffer of {@code 4P x C} doubles, then every tile consumes it. Within
 * a chunk the tiles run column block by column block, so the rows of one column block (about
 * {@link #COLUMN_BYTES}) stay in L2 while every row panel passes over them, and one row panel (4 x C
 * doubles) stays in L1 while it meets every column of the block.
 *
 * <p>Parallel parts split the dimension, not the pairs: a part is a contiguous range of chunks (a
 * few parts per thread, claimed by whichever thread is free); a thread converts only the coordinates
 * of its parts and accumulates every tile into its own {@code long} array; the threads' arrays are
 * added at the end. Integer addition is exact and associative, so the sums are the same for every
 * number of threads and every schedule. Extra memory: per thread, {@code 4P x C} doubles and
 * {@code 16} longs per tile (about {@code 4 n^2} bytes).
 */
final class PairDots {
    /** Coordinates per chunk (a multiple of every vector width). Tuning only: {@code -Dqora.fast.chunk}. */
    static final int CHUNK = roundTo64(Integer.getInteger("qora.fast.chunk", 512), 64, Kernels.MAX_CHUNK);
    /** Bytes of rows per column block, meant to sit in L2. Tuning only: {@code -Dqora.fast.columnBytes}. */
    static final int COLUMN_BYTES = Math.max(1 << 12, Integer.getInteger("qora.fast.columnBytes", 768 << 10));

    private PairDots() {
    }

    private static int roundTo64(int v, int min, int max) {
        return Math.max(min, Math.min(max, v)) / 64 * 64;
    }

    /** Position of tile {@code (I, J)}, {@code I <= J}, in the row-major triangle of {@code P} panels. */
    static int tileIndex(int i, int j, int panels) {
        return i * panels - i * (i - 1) / 2 + (j - i);
    }

    /**
     * One chunk: converts coordinates {@code [start, start + len)} of every block into {@code buf},
     * then runs every tile over them, column block by column block. A method of its own (called once
     * per chunk) so that the JIT compiles it normally early on, rather than only as an on-stack
     * replacement of one long-running loop.
     */
    private static void chunkPass(Bfp16Block[] blocks, Kernels k, int start, int len, int chunk, int panels,
            int columnPanels, double[] buf, short[] scratch, long[] acc) {
        int padded = k.padded(len);
        for (int r = 0; r < blocks.length; r++) {
            k.load(blocks[r], start, len, padded, scratch, buf, r * chunk);
        }
        for (int cb = 0; cb < panels; cb += columnPanels) {
            int cbEnd = Math.min(panels, cb + columnPanels);
            for (int i = 0; i < cbEnd; i++) {
                int j = Math.max(i, cb);
                int t = tileIndex(i, j, panels);
                for (; j < cbEnd; j++, t++) {
                    k.tile4x4(buf, 4 * i * chunk, 4 * j * chunk, chunk, padded, acc, 16 * t);
                }
            }
        }
    }

    /**
     * Fills {@code norms[j]} with block j's sum of squares and {@code upper} with the dot products in
     * the spec's pair order (0,1), (0,2), ..., (n-2,n-1).
     *
     * @param d the blocks' common dimension (already checked)
     */
    static void compute(Bfp16Block[] blocks, int d, Kernels k, Parallelism par, long[] norms, long[] upper) {
        int n = blocks.length;
        int panels = (n + 3) / 4;
        int tiles = panels * (panels + 1) / 2;
        int chunk = Math.min(CHUNK, k.padded(d));
        int chunks = (d + chunk - 1) / chunk;
        int parts = par.parts(chunks);
        int columnPanels = Math.max(1, COLUMN_BYTES / (4 * chunk * Double.BYTES));
        long[][] acc = new long[par.workers(parts)][];
        double[][] bufs = new double[acc.length][];
        short[][] scratches = new short[acc.length][];
        par.run(parts, (p, w) -> {
            if (acc[w] == null) { // per worker, not per part
                acc[w] = new long[16 * tiles];
                bufs[w] = new double[4 * panels * chunk];
                scratches[w] = new short[chunk];
            }
            int from = (int) ((long) p * chunks / parts);
            int to = (int) ((long) (p + 1) * chunks / parts);
            for (int c = from; c < to; c++) {
                int start = c * chunk;
                chunkPass(blocks, k, start, Math.min(chunk, d - start), chunk, panels, columnPanels, bufs[w], scratches[w], acc[w]);
            }
        });
        long[] total = null;
        for (long[] a : acc) {
            if (a == null) {
                continue; // a worker that found no part left (even the caller, with an executor that runs inline)
            }
            if (total == null) {
                total = a;
            } else {
                for (int x = 0; x < total.length; x++) {
                    total[x] += a[x];
                }
            }
        }
        for (int r = 0; r < n; r++) {
            norms[r] = total[16 * tileIndex(r / 4, r / 4, panels) + 5 * (r % 4)];
        }
        int q = 0;
        for (int a = 0; a < n; a++) {
            int ia = a / 4;
            int ra = 4 * (a % 4);
            for (int b = a + 1; b < n; b++) {
                upper[q++] = total[16 * tileIndex(ia, b / 4, panels) + ra + (b % 4)];
            }
        }
    }
}
