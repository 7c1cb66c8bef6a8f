package org.qoraedge.fixedpoint;

import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * An immutable BFP-16 block (spec section 1): one shared exponent {@code e} in [-126, 113] and
 * {@code d >= 1} signed mantissas in [-32767, 32767]. Coordinate {@code i} has the exact value
 * {@code m[i] * 2^e}.
 *
 * <p>The mantissa array is never exposed: factories copy on the way in and accessors copy on the
 * way out. Instances are safe to share between threads.
 */
public final class Bfp16Block {
    /** Smallest legal shared exponent. */
    public static final int MIN_EXPONENT = -126;
    /** Largest legal shared exponent. */
    public static final int MAX_EXPONENT = 113;
    /** Largest legal mantissa magnitude; -32768 is refused so that negation is always exact. */
    public static final int MAX_MANTISSA = 32767;

    private final int exponent;
    private final short[] mantissas;

    private Bfp16Block(int exponent, short[] mantissas) {
        this.exponent = exponent;
        this.mantissas = mantissas;
    }

    /**
     * Builds a block from outside data (a frame, a file), validating it per spec section 1.
     *
     * @throws InvalidBlockException if {@code mantissas} is empty, {@code exponent} is outside
     *     [-126, 113], or a mantissa is -32768
     */
    public static Bfp16Block of(int exponent, short[] mantissas) {
        if (mantissas.length == 0) {
            throw new InvalidBlockException("block has no mantissas (d = 0); a block needs d >= 1");
        }
        checkExponent(exponent);
        short[] copy = mantissas.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == Short.MIN_VALUE) {
                throw new InvalidBlockException("block mantissa " + i + " is -32768; mantissas must lie in [-32767, 32767]");
            }
        }
        return new Bfp16Block(exponent, copy);
    }

    /**
     * Builds a block from {@code int} mantissas, validating each is in [-32767, 32767].
     *
     * @throws InvalidBlockException as {@link #of(int, short[])}, or for a mantissa outside the 16-bit range
     */
    public static Bfp16Block of(int exponent, int[] mantissas) {
        if (mantissas.length == 0) {
            throw new InvalidBlockException("block has no mantissas (d = 0); a block needs d >= 1");
        }
        checkExponent(exponent);
        short[] m = new short[mantissas.length];
        for (int i = 0; i < m.length; i++) {
            int v = mantissas[i];
            if (v < -MAX_MANTISSA || v > MAX_MANTISSA) {
                throw new InvalidBlockException("block mantissa " + i + " is " + v + "; mantissas must lie in [-32767, 32767]");
            }
            m[i] = (short) v;
        }
        return new Bfp16Block(exponent, m);
    }

    /** Trusted construction from an array this package owns and has already validated. */
    static Bfp16Block wrapValidated(int exponent, short[] ownedMantissas) {
        return new Bfp16Block(exponent, ownedMantissas);
    }

    private static void checkExponent(int exponent) {
        if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
            throw new InvalidBlockException("block exponent " + exponent + " is outside [-126, 113]");
        }
    }

    /** The shared exponent, in [-126, 113]. */
    public int exponent() {
        return exponent;
    }

    /** The number of coordinates, {@code d >= 1}. */
    public int dimension() {
        return mantissas.length;
    }

    /** Mantissa {@code i}, in [-32767, 32767]. */
    public short mantissa(int i) {
        return mantissas[i];
    }

    /** A copy of the mantissas. */
    public short[] mantissas() {
        return mantissas.clone();
    }

    /**
     * Copies {@code length} mantissas starting at coordinate {@code from} into {@code dst} at
     * {@code dstOffset}; the allocation-free way for hot loops to read a chunk of the block.
     */
    public void copyMantissas(int from, short[] dst, int dstOffset, int length) {
        System.arraycopy(mantissas, from, dst, dstOffset, length);
    }

    /**
     * Puts {@code length} mantissas starting at coordinate {@code from} into {@code dst} (in its byte
     * order): how {@link BlockBytes} writes them in bulk without copying them first.
     */
    void putMantissas(int from, int length, ShortBuffer dst) {
        dst.put(mantissas, from, length);
    }

    /** The number of non-zero mantissas: the coordinates the block moves. */
    public int nonZeroCount() {
        int n = 0;
        for (short m : mantissas) {
            if (m != 0) {
                n++;
            }
        }
        return n;
    }

    /** True when every mantissa is zero (the block's value is the zero vector, whatever its exponent). */
    public boolean isZero() {
        for (short m : mantissas) {
            if (m != 0) {
                return false;
            }
        }
        return true;
    }

    /** Checks that every block has the same dimension; refuses an empty array or unequal lengths. */
    public static int commonDimension(Bfp16Block[] blocks) {
        if (blocks.length == 0) {
            throw new EmptyInputException("no blocks given");
        }
        int d = blocks[0].dimension();
        for (int j = 1; j < blocks.length; j++) {
            if (blocks[j].dimension() != d) {
                throw new InvalidBlockException("block " + j + " has " + blocks[j].dimension()
                        + " coordinates, block 0 has " + d + "; blocks of one operation must have equal length");
            }
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bfp16Block && ((Bfp16Block) o).exponent == exponent
                && Arrays.equals(((Bfp16Block) o).mantissas, mantissas);
    }

    @Override
    public int hashCode() {
        return 31 * exponent + Arrays.hashCode(mantissas);
    }

    @Override
    public String toString() {
        int shown = Math.min(mantissas.length, 8);
        StringBuilder sb = new StringBuilder("Bfp16Block{e=").append(exponent).append(", d=").append(mantissas.length).append(", m=[");
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(mantissas[i]);
        }
        return sb.append(mantissas.length > shown ? ", ...]}" : "]}").toString();
    }
}
