package org.qoraedge.fixedpoint.fast;

import java.util.Arrays;

/**
 * Batcher's odd-even merge sorting network for {@code n} wires, pruned to the output positions a
 * caller needs. A network is data-oblivious: the same compare-exchanges for every input, so
 * {@link CoordinateSelection} applies each one to a whole chunk of coordinates with vector minimum
 * and maximum instructions, without a branch on the data.
 *
 * <p>The network for {@code n} wires is the one for the next power of two {@code N}, wires
 * {@code n .. N-1} holding {@code +infinity}: a compare-exchange {@code (i, j)}, {@code i < j}, with
 * {@code j >= n} leaves both wires as they are (the minimum of a value and infinity is the value),
 * so it is left out, and the padding wires never change. Pruning walks the network backwards keeping
 * a compare-exchange only when a later kept one, or a needed output, reads one of its wires; the
 * needed outputs then hold the sorted values of those positions, and (each compare-exchange being a
 * permutation of a coordinate's values) the other wires hold the other values, in some order.
 */
final class SortingNetwork {
    private SortingNetwork() {
    }

    /** The compare-exchanges as pairs {@code (i, j)}, {@code i < j}, flattened, that sort rank positions {@code [lo, hi)}. */
    static int[] selecting(int n, int lo, int hi) {
        boolean[] needed = new boolean[n];
        Arrays.fill(needed, lo, hi, true);
        return pruned(n, needed);
    }

    /** The compare-exchanges that put the right values at every rank position outside {@code [lo, hi)}. */
    static int[] selectingOutside(int n, int lo, int hi) {
        boolean[] needed = new boolean[n];
        Arrays.fill(needed, 0, lo, true);
        Arrays.fill(needed, hi, n, true);
        return pruned(n, needed);
    }

    /** The full network (every output needed). */
    static int[] sorting(int n) {
        boolean[] needed = new boolean[n];
        Arrays.fill(needed, true);
        return pruned(n, needed);
    }

    private static int[] pruned(int n, boolean[] outputs) {
        int[] all = batcher(n);
        boolean[] needed = outputs.clone();
        boolean[] keep = new boolean[all.length / 2];
        int count = 0;
        for (int t = keep.length - 1; t >= 0; t--) {
            int a = all[2 * t];
            int b = all[2 * t + 1];
            if (needed[a] || needed[b]) {
                keep[t] = true;
                needed[a] = true;
                needed[b] = true;
                count++;
            }
        }
        int[] out = new int[2 * count];
        int q = 0;
        for (int t = 0; t < keep.length; t++) {
            if (keep[t]) {
                out[q++] = all[2 * t];
                out[q++] = all[2 * t + 1];
            }
        }
        return out;
    }

    /**
     * Batcher's odd-even merge sort, the iterative form: for {@code p = 1, 2, 4, ...} and
     * {@code k = p, p/2, ..., 1}, compare-exchange {@code (i + j, i + j + k)} for
     * {@code j = k mod p, k mod p + 2k, ...} and {@code 0 <= i < k} whenever both lie in the same
     * block of {@code 2p} wires; pairs reaching a padding wire ({@code >= n}) are left out.
     */
    static int[] batcher(int n) {
        int[] out = new int[16];
        int q = 0;
        for (int p = 1; p < n; p <<= 1) {
            for (int k = p; k >= 1; k >>= 1) {
                for (int j = k % p; j + k < n; j += 2 * k) {
                    for (int i = 0; i < k && i + j + k < n; i++) {
                        if ((i + j) / (2 * p) == (i + j + k) / (2 * p)) {
                            if (q + 2 > out.length) {
                                out = Arrays.copyOf(out, 2 * out.length);
                            }
                            out[q++] = i + j;
                            out[q++] = i + j + k;
                        }
                    }
                }
            }
        }
        return Arrays.copyOf(out, q);
    }
}
