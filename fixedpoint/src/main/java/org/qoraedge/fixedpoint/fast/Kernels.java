package org.qoraedge.fixedpoint.fast;

import java.util.Locale;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * The inner loops of the fast path, in two implementations: {@link ScalarKernels} (plain Java, every
 * JVM) and {@code VectorKernels} (JDK 17's {@code jdk.incubator.vector}, compiled from
 * {@code src/main/vector} and only ever loaded by name, after checking that the module is in the
 * boot layer, so a JVM started without {@code --add-modules jdk.incubator.vector} never links it).
 *
 * <h2>Why integer-valued doubles are exact here</h2>
 * Mantissas are integers with {@code |m| <= 32767 < 2^15}, converted to {@code double} exactly. A
 * product of two has {@code |m_a * m_b| <= 32767^2 < 2^30}: an integer of at most 30 bits, so the
 * IEEE-754 product (53-bit significand) is exact. A kernel call sums at most {@link #MAX_CHUNK}
 * {@code = 2^16} such products per accumulator (in each SIMD lane, fewer), so every partial sum, in
 * whatever order the lanes and accumulators are added, is an integer of magnitude below
 * {@code 2^16 * 2^30 = 2^46 < 2^53}; every integer of magnitude up to {@code 2^53} is a double, so
 * each addition's exact result is representable and the rounded result equals it. Hence every
 * kernel result is the exact integer dot product of its chunk, which is converted to {@code long}
 * (exact) and added to a {@code long} accumulator; a full dot product has magnitude at most
 * {@code d * (2^30 - 1) < 2^63} for {@code d < 2^33}. No fused multiply-add is needed (nor used):
 * the separate multiply and add are each exact, so the kernels are exact on CPUs without FMA too.
 * This is exact integer linear algebra on floating-point units, as FFLAS-FFPACK does it.
 *
 * <p>{@link #scaleAdd} uses the same argument with a caller-guaranteed bound: the caller passes a
 * weight {@code w} with {@code |w * m| < 2^53} and guarantees that every running sum stays below
 * {@code 2^53} in magnitude (see {@link FastMeans}).
 */
abstract class Kernels {
    /** Largest number of coordinates a kernel call may sum (see the class comment: keeps sums below 2^46). */
    static final int MAX_CHUNK = 1 << 16;

    private static final String VECTOR_CLASS = "org.qoraedge.fixedpoint.fast.VectorKernels";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** {@code -Dqora.vector=false} forces the scalar kernels; {@code true} skips the architecture check. */
    static final String PROPERTY = "qora.vector";

    private static final Kernels SCALAR = new ScalarKernels();
    private static final String[] VECTOR_WHY = new String[1];
    private static final Kernels VECTOR = loadVector(VECTOR_WHY);
    private static final Kernels SELECTED;
    private static final String SELECTION;

    static {
        String p = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        if (p.equals("false")) {
            SELECTED = SCALAR;
            SELECTION = SCALAR.name() + " (forced by -D" + PROPERTY + "=false)";
        } else if (VECTOR != null) {
            SELECTED = VECTOR;
            SELECTION = VECTOR.name();
        } else {
            SELECTED = SCALAR;
            SELECTION = SCALAR.name() + " (" + VECTOR_WHY[0] + ")";
        }
    }

    /** The kernels the public entry points use. */
    static Kernels selected() {
        return SELECTED;
    }

    /** What {@link #selected()} is and why, for reports. */
    static String selection() {
        return SELECTION;
    }

    static Kernels scalar() {
        return SCALAR;
    }

    /** The vector kernels, or null when this JVM cannot run them (whatever {@code qora.vector} says). */
    static Kernels vectorOrNull() {
        return VECTOR;
    }

    private static Kernels loadVector(String[] why) {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            why[0] = VECTOR_MODULE + " not present; start the JVM with --add-modules " + VECTOR_MODULE;
            return null;
        }
        String arch = System.getProperty("os.arch", "");
        boolean known = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64");
        if (!known && !"true".equalsIgnoreCase(System.getProperty(PROPERTY, "auto").trim())) {
            // Elsewhere (arm, ppc64le, s390x, riscv64) JDK 17's C2 does not compile the Vector API
            // to SIMD code, and its Java fallback is far slower than the scalar kernels.
            why[0] = "the Vector API is not known to be compiled to SIMD code on os.arch=" + arch
                    + "; -D" + PROPERTY + "=true tries it anyway";
            return null;
        }
        try {
            Class<?> c = Class.forName(VECTOR_CLASS);
            return (Kernels) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            why[0] = "vector kernels unavailable: " + e;
            return null;
        }
    }

    /** A short description for reports, e.g. {@code "vector (DoubleVector 512 bits, 8 lanes)"}. */
    abstract String name();

    abstract boolean isVector();

    /** Chunks are padded with zeros to a multiple of this many coordinates. */
    abstract int align();

    /** {@code len} rounded up to a multiple of {@link #align()}. */
    final int padded(int len) {
        int a = align();
        return (len + a - 1) / a * a;
    }

    /**
     * Writes mantissas {@code [from, from + len)} of {@code b} as doubles to
     * {@code dst[off .. off + len)} and zeros to {@code dst[off + len .. off + padded)}.
     *
     * @param scratch at least {@code len} shorts, overwritten
     */
    final void load(Bfp16Block b, int from, int len, int padded, short[] scratch, double[] dst, int off) {
        b.copyMantissas(from, scratch, 0, len);
        widen(scratch, 0, len, padded, dst, off);
    }

    /**
     * Writes {@code src[srcOff .. srcOff + len)} as doubles to {@code dst[off .. off + len)} and zeros
     * to {@code dst[off + len .. off + padded)}.
     */
    abstract void widen(short[] src, int srcOff, int len, int padded, double[] dst, int off);

    /**
     * The 16 dot products of rows {@code a, a + stride, a + 2 stride, a + 3 stride} with rows
     * {@code b, ..., b + 3 stride} of {@code buf} over {@code len <= MAX_CHUNK} coordinates ({@code len}
     * a multiple of {@link #align()}): {@code acc[accOff + 4 i + j] += dot(row a_i, row b_j)}.
     */
    abstract void tile4x4(double[] buf, int a, int b, int stride, int len, long[] acc, int accOff);

    /**
     * The 4 dot products of {@code x[xOff ..]} with rows {@code y, y + stride, y + 2 stride,
     * y + 3 stride} of {@code ys} over {@code len <= MAX_CHUNK} coordinates ({@code len} a multiple of
     * {@link #align()}): {@code acc[accOff + j] += dot(x, row j)}.
     */
    abstract void row1x4(double[] x, int xOff, double[] ys, int y, int stride, int len, long[] acc, int accOff);

    /**
     * As {@link #row1x4}, the 4 rows given as mantissas ({@code short}), converted in registers: what
     * {@link RoundBuffer#add} uses, so that the blocks already added are read once per add and never
     * written back as doubles.
     */
    abstract void row1x4(double[] x, int xOff, short[] ys, int y, int stride, int len, long[] acc, int accOff);

    /**
     * {@code sums[off + i] += w * m[i]} for {@code i < len}, exactly: the caller guarantees
     * {@code w} is an integer with {@code |w| * 32767 < 2^53} and every running sum stays below
     * {@code 2^53} in magnitude.
     */
    abstract void scaleAdd(double[] sums, int off, short[] m, int len, double w);

    /** Lengths given to {@link #minMax} are multiples of this (a multiple of every int vector width). */
    static final int INT_BLOCK = 64;

    /**
     * One compare-exchange of a sorting network, applied to {@code len} coordinates at once (a
     * multiple of {@link #INT_BLOCK}): {@code keys[a + i], keys[b + i]} become their minimum and
     * maximum. Integer comparisons only: exact on every CPU.
     */
    abstract void minMax(int[] keys, int a, int b, int len);

    /**
     * {@code sum_i m[i]^2} for {@code i < len <= MAX_CHUNK}, exactly (each square below {@code 2^30},
     * every partial sum below {@code 2^46}: see the class comment).
     */
    abstract long sumOfSquares(short[] m, int len);

    /**
     * {@code dst[dstOff + i] = sum_q rows[offsets[q] + i]} for {@code q < count} and {@code i < len}
     * ({@code len} a multiple of {@link #align()}; {@code count = 0} writes zeros), or, when
     * {@code from >= 0}, {@code rows[from + i]} less that sum ({@code dst} may be {@code rows} when the
     * ranges do not overlap); exactly: the caller guarantees
     * integer values whose partial sums (and the difference), in any order, stay below {@code 2^53}
     * in magnitude.
     *
     * @return the largest {@code |dst[dstOff + i]|}, {@code i < len}
     */
    abstract double sumRows(double[] rows, int[] offsets, int count, int from, double[] dst, int dstOff, int len);
}
