package org.qoraedge.fixedpoint.fast;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on JDK 17's Vector API ({@code jdk.incubator.vector}), at the platform's preferred width
 * (512 bits with AVX-512, 256 with AVX2, 128 with SSE or NEON). Exact for the reasons given in
 * {@link Kernels}: the products and sums of integer-valued doubles stay below 2^46 in every lane, so
 * neither the multiply, nor the add, nor the order of the final lane reduction ever rounds.
 *
 * <p>This class is compiled separately (fixedpoint's pom, execution {@code compile-vector}) and only
 * loaded by {@link Kernels} through reflection once the module is known to be present.
 *
 * <p>{@link #tile4x4} is the register tile: per step it loads 8 vectors (4 rows of each side) and
 * does 16 multiply-adds into 16 accumulators (24 of the 32 vector registers of AVX-512 or NEON), so
 * each loaded chunk of a block feeds four pairs at once.
 */
final class VectorKernels extends Kernels {
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int L = DS.length();
    /** Shorts are loaded at least 4 at a time (the narrowest short species is 64 bits). */
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * Math.max(L, 4)));
    private static final int SL = SS.length();
    private static final int PARTS = SL / L;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;

    VectorKernels() {
        if (L < 2) {
            throw new UnsupportedOperationException("preferred double vector has " + L + " lane(s)");
        }
    }

    @Override
    String name() {
        return "vector (DoubleVector " + DS.vectorBitSize() + " bits, " + L + " lanes)";
    }

    @Override
    boolean isVector() {
        return true;
    }

    /** A multiple of the double lanes and of the short lanes (4 shorts at least), so short rows load whole. */
    @Override
    int align() {
        return SL;
    }

    @Override
    void widen(short[] src, int srcOff, int len, int padded, double[] dst, int off) {
        int i = 0;
        for (; i <= len - SL; i += SL) {
            ShortVector s = ShortVector.fromArray(SS, src, srcOff + i);
            for (int p = 0; p < PARTS; p++) {
                ((DoubleVector) s.convertShape(VectorOperators.S2D, DS, p)).intoArray(dst, off + i + p * L);
            }
        }
        for (; i < len; i++) {
            dst[off + i] = src[srcOff + i];
        }
        for (; i < padded; i++) {
            dst[off + i] = 0.0;
        }
    }

    @Override
    void tile4x4(double[] buf, int a, int b, int stride, int len, long[] acc, int accOff) {
        int a0 = a;
        int a1 = a0 + stride;
        int a2 = a1 + stride;
        int a3 = a2 + stride;
        int b0 = b;
        int b1 = b0 + stride;
        int b2 = b1 + stride;
        int b3 = b2 + stride;
        DoubleVector z = DoubleVector.zero(DS);
        DoubleVector c00 = z;
        DoubleVector c01 = z;
        DoubleVector c02 = z;
        DoubleVector c03 = z;
        DoubleVector c10 = z;
        DoubleVector c11 = z;
        DoubleVector c12 = z;
        DoubleVector c13 = z;
        DoubleVector c20 = z;
        DoubleVector c21 = z;
        DoubleVector c22 = z;
        DoubleVector c23 = z;
        DoubleVector c30 = z;
        DoubleVector c31 = z;
        DoubleVector c32 = z;
        DoubleVector c33 = z;
        for (int i = 0; i < len; i += L) {
            DoubleVector x0 = DoubleVector.fromArray(DS, buf, a0 + i);
            DoubleVector x1 = DoubleVector.fromArray(DS, buf, a1 + i);
            DoubleVector x2 = DoubleVector.fromArray(DS, buf, a2 + i);
            DoubleVector x3 = DoubleVector.fromArray(DS, buf, a3 + i);
            DoubleVector y = DoubleVector.fromArray(DS, buf, b0 + i);
            c00 = c00.add(x0.mul(y));
            c10 = c10.add(x1.mul(y));
            c20 = c20.add(x2.mul(y));
            c30 = c30.add(x3.mul(y));
            y = DoubleVector.fromArray(DS, buf, b1 + i);
            c01 = c01.add(x0.mul(y));
            c11 = c11.add(x1.mul(y));
            c21 = c21.add(x2.mul(y));
            c31 = c31.add(x3.mul(y));
            y = DoubleVector.fromArray(DS, buf, b2 + i);
            c02 = c02.add(x0.mul(y));
            c12 = c12.add(x1.mul(y));
            c22 = c22.add(x2.mul(y));
            c32 = c32.add(x3.mul(y));
            y = DoubleVector.fromArray(DS, buf, b3 + i);
            c03 = c03.add(x0.mul(y));
            c13 = c13.add(x1.mul(y));
            c23 = c23.add(x2.mul(y));
            c33 = c33.add(x3.mul(y));
        }
        acc[accOff] += (long) c00.reduceLanes(VectorOperators.ADD);
        acc[accOff + 1] += (long) c01.reduceLanes(VectorOperators.ADD);
        acc[accOff + 2] += (long) c02.reduceLanes(VectorOperators.ADD);
        acc[accOff + 3] += (long) c03.reduceLanes(VectorOperators.ADD);
        acc[accOff + 4] += (long) c10.reduceLanes(VectorOperators.ADD);
        acc[accOff + 5] += (long) c11.reduceLanes(VectorOperators.ADD);
        acc[accOff + 6] += (long) c12.reduceLanes(VectorOperators.ADD);
        acc[accOff + 7] += (long) c13.reduceLanes(VectorOperators.ADD);
        acc[accOff + 8] += (long) c20.reduceLanes(VectorOperators.ADD);
        acc[accOff + 9] += (long) c21.reduceLanes(VectorOperators.ADD);
        acc[accOff + 10] += (long) c22.reduceLanes(VectorOperators.ADD);
        acc[accOff + 11] += (long) c23.reduceLanes(VectorOperators.ADD);
        acc[accOff + 12] += (long) c30.reduceLanes(VectorOperators.ADD);
        acc[accOff + 13] += (long) c31.reduceLanes(VectorOperators.ADD);
        acc[accOff + 14] += (long) c32.reduceLanes(VectorOperators.ADD);
        acc[accOff + 15] += (long) c33.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void row1x4(double[] x, int xOff, double[] ys, int y, int stride, int len, long[] acc, int accOff) {
        int y0 = y;
        int y1 = y0 + stride;
        int y2 = y1 + stride;
        int y3 = y2 + stride;
        DoubleVector z = DoubleVector.zero(DS);
        DoubleVector s0 = z;
        DoubleVector s1 = z;
        DoubleVector s2 = z;
        DoubleVector s3 = z;
        for (int i = 0; i < len; i += L) {
            DoubleVector v = DoubleVector.fromArray(DS, x, xOff + i);
            s0 = s0.add(v.mul(DoubleVector.fromArray(DS, ys, y0 + i)));
            s1 = s1.add(v.mul(DoubleVector.fromArray(DS, ys, y1 + i)));
            s2 = s2.add(v.mul(DoubleVector.fromArray(DS, ys, y2 + i)));
            s3 = s3.add(v.mul(DoubleVector.fromArray(DS, ys, y3 + i)));
        }
        acc[accOff] += (long) s0.reduceLanes(VectorOperators.ADD);
        acc[accOff + 1] += (long) s1.reduceLanes(VectorOperators.ADD);
        acc[accOff + 2] += (long) s2.reduceLanes(VectorOperators.ADD);
        acc[accOff + 3] += (long) s3.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void row1x4(double[] x, int xOff, short[] ys, int y, int stride, int len, long[] acc, int accOff) {
        int y0 = y;
        int y1 = y0 + stride;
        int y2 = y1 + stride;
        int y3 = y2 + stride;
        DoubleVector z = DoubleVector.zero(DS);
        DoubleVector s0 = z;
        DoubleVector s1 = z;
        DoubleVector s2 = z;
        DoubleVector s3 = z;
        for (int i = 0; i < len; i += SL) {
            ShortVector r0 = ShortVector.fromArray(SS, ys, y0 + i);
            ShortVector r1 = ShortVector.fromArray(SS, ys, y1 + i);
            ShortVector r2 = ShortVector.fromArray(SS, ys, y2 + i);
            ShortVector r3 = ShortVector.fromArray(SS, ys, y3 + i);
            for (int p = 0; p < PARTS; p++) {
                DoubleVector v = DoubleVector.fromArray(DS, x, xOff + i + p * L);
                s0 = s0.add(v.mul((DoubleVector) r0.convertShape(VectorOperators.S2D, DS, p)));
                s1 = s1.add(v.mul((DoubleVector) r1.convertShape(VectorOperators.S2D, DS, p)));
                s2 = s2.add(v.mul((DoubleVector) r2.convertShape(VectorOperators.S2D, DS, p)));
                s3 = s3.add(v.mul((DoubleVector) r3.convertShape(VectorOperators.S2D, DS, p)));
            }
        }
        acc[accOff] += (long) s0.reduceLanes(VectorOperators.ADD);
        acc[accOff + 1] += (long) s1.reduceLanes(VectorOperators.ADD);
        acc[accOff + 2] += (long) s2.reduceLanes(VectorOperators.ADD);
        acc[accOff + 3] += (long) s3.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void scaleAdd(double[] sums, int off, short[] m, int len, double w) {
        DoubleVector wv = DoubleVector.broadcast(DS, w);
        int i = 0;
        for (; i <= len - SL; i += SL) {
            ShortVector s = ShortVector.fromArray(SS, m, i);
            for (int p = 0; p < PARTS; p++) {
                int o = off + i + p * L;
                DoubleVector v = (DoubleVector) s.convertShape(VectorOperators.S2D, DS, p);
                DoubleVector.fromArray(DS, sums, o).add(v.mul(wv)).intoArray(sums, o);
            }
        }
        for (; i < len; i++) {
            sums[off + i] += w * m[i];
        }
    }

    /** {@code len} is a multiple of {@link Kernels#INT_BLOCK} (64), hence of the int lanes (at most 16). */
    @Override
    void minMax(int[] keys, int a, int b, int len) {
        for (int i = 0; i < len; i += IS.length()) {
            IntVector x = IntVector.fromArray(IS, keys, a + i);
            IntVector y = IntVector.fromArray(IS, keys, b + i);
            x.min(y).intoArray(keys, a + i);
            x.max(y).intoArray(keys, b + i);
        }
    }

    @Override
    long sumOfSquares(short[] m, int len) {
        DoubleVector s0 = DoubleVector.zero(DS);
        DoubleVector s1 = DoubleVector.zero(DS);
        int i = 0;
        for (; i <= len - 2 * SL; i += 2 * SL) {
            ShortVector a = ShortVector.fromArray(SS, m, i);
            ShortVector b = ShortVector.fromArray(SS, m, i + SL);
            for (int p = 0; p < PARTS; p++) {
                DoubleVector x = (DoubleVector) a.convertShape(VectorOperators.S2D, DS, p);
                DoubleVector y = (DoubleVector) b.convertShape(VectorOperators.S2D, DS, p);
                s0 = s0.add(x.mul(x));
                s1 = s1.add(y.mul(y));
            }
        }
        long sum = (long) s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            int a = m[i];
            sum += a * a;
        }
        return sum;
    }

    /**
     * Row by row into {@code dst} (which stays in L1): no vector is carried around a loop, so C2
     * never has to box one across a loop's back edge, whatever it compiles first (an on-stack
     * replacement included).
     */
    @Override
    double sumRows(double[] rows, int[] offsets, int count, int from, double[] dst, int dstOff, int len) {
        DoubleVector z = DoubleVector.zero(DS);
        for (int i = 0; i < len; i += L) {
            (from >= 0 ? DoubleVector.fromArray(DS, rows, from + i) : z).intoArray(dst, dstOff + i);
        }
        for (int q = 0; q < count; q++) {
            int o = offsets[q];
            for (int i = 0; i < len; i += L) {
                DoubleVector r = DoubleVector.fromArray(DS, rows, o + i);
                DoubleVector t = DoubleVector.fromArray(DS, dst, dstOff + i);
                (from >= 0 ? t.sub(r) : t.add(r)).intoArray(dst, dstOff + i);
            }
        }
        double max = 0;
        for (int i = 0; i < len; i += L) {
            max = Math.max(max, DoubleVector.fromArray(DS, dst, dstOff + i).abs().reduceLanes(VectorOperators.MAX));
        }
        return max;
    }
}
