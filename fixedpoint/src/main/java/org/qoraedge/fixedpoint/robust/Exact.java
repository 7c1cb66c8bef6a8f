package org.qoraedge.fixedpoint.robust;

import java.math.BigInteger;
import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Exact values of blocks as big integers in one unit {@code 2^scale}: coordinate {@code i} of a
 * block {@code (e, m)} is {@code m_i * 2^(e - scale)} units, an integer whenever
 * {@code scale <= e}. Slow and obvious on purpose: this is the reference.
 */
final class Exact {
    private Exact() {
    }

    /** The lowest exponent among {@code blocks}, the unit in which every value is an integer. */
    static int minExponent(Bfp16Block[] blocks) {
        int min = Integer.MAX_VALUE;
        for (Bfp16Block b : blocks) {
            min = Math.min(min, b.exponent());
        }
        return min;
    }

    /** The block's values in units of {@code 2^scale}; {@code scale <= b.exponent()}. */
    static BigInteger[] values(Bfp16Block b, int scale) {
        int shift = b.exponent() - scale;
        BigInteger[] v = new BigInteger[b.dimension()];
        for (int i = 0; i < v.length; i++) {
            v[i] = BigInteger.valueOf(b.mantissa(i)).shiftLeft(shift);
        }
        return v;
    }

    /** Every block's values in units of {@code 2^scale}. */
    static BigInteger[][] values(Bfp16Block[] blocks, int scale) {
        BigInteger[][] v = new BigInteger[blocks.length][];
        for (int j = 0; j < blocks.length; j++) {
            v[j] = values(blocks[j], scale);
        }
        return v;
    }

    /** {@code ||x||^2} in units of {@code 4^scale} when {@code x} is in units of {@code 2^scale}. */
    static BigInteger squaredNorm(BigInteger[] x) {
        BigInteger s = BigInteger.ZERO;
        for (BigInteger v : x) {
            s = s.add(v.multiply(v));
        }
        return s;
    }

    /** {@code ||a - b||^2} in units of {@code 4^scale}. */
    static BigInteger squaredDistance(BigInteger[] a, BigInteger[] b) {
        BigInteger s = BigInteger.ZERO;
        for (int i = 0; i < a.length; i++) {
            BigInteger diff = a[i].subtract(b[i]);
            s = s.add(diff.multiply(diff));
        }
        return s;
    }

    /** Indices {@code 0 .. keys.length-1} sorted by (key, index) ascending. */
    static int[] rankByKeyThenIndex(BigInteger[] keys) {
        Integer[] idx = new Integer[keys.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        // Arrays.sort on objects is stable, and the index breaks ties explicitly anyway.
        Arrays.sort(idx, (a, b) -> {
            int c = keys[a].compareTo(keys[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
