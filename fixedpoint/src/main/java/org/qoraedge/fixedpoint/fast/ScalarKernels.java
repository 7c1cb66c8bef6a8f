package org.qoraedge.fixedpoint.fast;

import java.util.Arrays;

/**
 * Plain-Java kernels for every JVM (armhf, or no {@code jdk.incubator.vector}). Exact for the reasons
 * given in {@link Kernels}: integer-valued doubles, every partial sum below 2^46. The 4x4 tile is
 * computed as two 2x4 passes (8 accumulators and 6 values fit the 16 registers of x86_64 and the 32
 * double registers of ARM VFP), so each loaded value feeds 4 or 2 multiply-adds.
 */
final class ScalarKernels extends Kernels {
    @Override
    String name() {
        return "scalar";
    }

    @Override
    boolean isVector() {
        return false;
    }

    @Override
    int align() {
        return 1;
    }

    @Override
    void widen(short[] src, int srcOff, int len, int padded, double[] dst, int off) {
        for (int i = 0; i < len; i++) {
            dst[off + i] = src[srcOff + i];
        }
        for (int i = len; i < padded; i++) {
            dst[off + i] = 0.0;
        }
    }

    @Override
    void tile4x4(double[] buf, int a, int b, int stride, int len, long[] acc, int accOff) {
        tile2x4(buf, a, b, stride, len, acc, accOff);
        tile2x4(buf, a + 2 * stride, b, stride, len, acc, accOff + 8);
    }

    private static void tile2x4(double[] buf, int a, int b, int stride, int len, long[] acc, int accOff) {
        int a0 = a;
        int a1 = a + stride;
        int b0 = b;
        int b1 = b + stride;
        int b2 = b1 + stride;
        int b3 = b2 + stride;
        double s00 = 0;
        double s01 = 0;
        double s02 = 0;
        double s03 = 0;
        double s10 = 0;
        double s11 = 0;
        double s12 = 0;
        double s13 = 0;
        for (int i = 0; i < len; i++) {
            double x0 = buf[a0 + i];
            double x1 = buf[a1 + i];
            double y = buf[b0 + i];
            s00 += x0 * y;
            s10 += x1 * y;
            y = buf[b1 + i];
            s01 += x0 * y;
            s11 += x1 * y;
            y = buf[b2 + i];
            s02 += x0 * y;
            s12 += x1 * y;
            y = buf[b3 + i];
            s03 += x0 * y;
            s13 += x1 * y;
        }
        acc[accOff] += (long) s00;
        acc[accOff + 1] += (long) s01;
        acc[accOff + 2] += (long) s02;
        acc[accOff + 3] += (long) s03;
        acc[accOff + 4] += (long) s10;
        acc[accOff + 5] += (long) s11;
        acc[accOff + 6] += (long) s12;
        acc[accOff + 7] += (long) s13;
    }

    @Override
    void row1x4(double[] x, int xOff, double[] ys, int y, int stride, int len, long[] acc, int accOff) {
        int y0 = y;
        int y1 = y + stride;
        int y2 = y1 + stride;
        int y3 = y2 + stride;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int i = 0; i < len; i++) {
            double v = x[xOff + i];
            s0 += v * ys[y0 + i];
            s1 += v * ys[y1 + i];
            s2 += v * ys[y2 + i];
            s3 += v * ys[y3 + i];
        }
        acc[accOff] += (long) s0;
        acc[accOff + 1] += (long) s1;
        acc[accOff + 2] += (long) s2;
        acc[accOff + 3] += (long) s3;
    }

    @Override
    void row1x4(double[] x, int xOff, short[] ys, int y, int stride, int len, long[] acc, int accOff) {
        int y0 = y;
        int y1 = y + stride;
        int y2 = y1 + stride;
        int y3 = y2 + stride;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int i = 0; i < len; i++) {
            double v = x[xOff + i];
            s0 += v * ys[y0 + i];
            s1 += v * ys[y1 + i];
            s2 += v * ys[y2 + i];
            s3 += v * ys[y3 + i];
        }
        acc[accOff] += (long) s0;
        acc[accOff + 1] += (long) s1;
        acc[accOff + 2] += (long) s2;
        acc[accOff + 3] += (long) s3;
    }

    @Override
    void scaleAdd(double[] sums, int off, short[] m, int len, double w) {
        for (int i = 0; i < len; i++) {
            sums[off + i] += w * m[i];
        }
    }

    @Override
    void minMax(int[] keys, int a, int b, int len) {
        for (int i = 0; i < len; i++) {
            int x = keys[a + i];
            int y = keys[b + i];
            keys[a + i] = Math.min(x, y);
            keys[b + i] = Math.max(x, y);
        }
    }

    /** In {@code long}; two squares are added in {@code int} first ({@code 2 * 32767^2 < 2^31 - 1}). */
    @Override
    long sumOfSquares(short[] m, int len) {
        long s0 = 0;
        long s1 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            int a0 = m[i];
            int a1 = m[i + 1];
            int a2 = m[i + 2];
            int a3 = m[i + 3];
            s0 += a0 * a0 + a1 * a1;
            s1 += a2 * a2 + a3 * a3;
        }
        for (; i < len; i++) {
            int a = m[i];
            s0 += a * a;
        }
        return s0 + s1;
    }

    @Override
    double sumRows(double[] rows, int[] offsets, int count, int from, double[] dst, int dstOff, int len) {
        Arrays.fill(dst, dstOff, dstOff + len, 0.0);
        for (int q = 0; q < count; q++) {
            int o = offsets[q];
            for (int i = 0; i < len; i++) {
                dst[dstOff + i] += rows[o + i];
            }
        }
        double max = 0;
        for (int i = 0; i < len; i++) {
            if (from >= 0) {
                dst[dstOff + i] = rows[from + i] - dst[dstOff + i];
            }
            max = Math.max(max, Math.abs(dst[dstOff + i]));
        }
        return max;
    }
}
