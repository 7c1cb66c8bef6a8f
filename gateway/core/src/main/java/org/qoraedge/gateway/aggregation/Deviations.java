package org.qoraedge.gateway.aggregation;

import java.math.BigInteger;
import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * The reputation measure of the rules without Krum scores (docs/REPUTATION.md section 3): how far
 * each update lies from the round's aggregate, exactly, in one unit for the whole round.
 *
 * <p>For update {@code j} with value vector {@code v_j} and the aggregate {@code a}, the deviation
 * is {@code floor(Q(v_j - a) / 4^E)}, saturated at {@code Long.MAX_VALUE}, where {@code Q} is the
 * exact squared Euclidean norm (robust spec section 0) and {@code E} the lower median of the
 * updates' exponents (sorted ascending, element {@code (n - 1) / 2}). {@code Q(v_j - a)} is computed
 * from base spec section 4's identity {@code 4^e_j N_j + 4^e_a N_a - 2 * 2^(e_j + e_a) dot(m_j, m_a)}
 * in integers, so nothing is rounded before the final floor.
 *
 * <p>Why this unit: the ledger compares each deviation with a multiple of the round's lower median,
 * so any common unit gives the same verdicts up to the floor; the unit only has to keep honest
 * deviations well inside a long. A minority of updates cannot move the lower median exponent outside
 * the exponents of the majority, so an attacker cannot shrink the unit until every deviation
 * saturates (a unit taken from the smallest exponent would let one update do that). With {@code E}
 * an honest exponent, {@code Q / 4^E} of an honest update is at most about {@code d * 2^32}.
 */
public final class Deviations {
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private Deviations() {
    }

    /** Coordinates read per tile: the aggregate's tile and one update's stay in L1. */
    static final int TILE = 4096;

    /** Reads update {@code k}'s mantissas a tile at a time (from the heap, or from outside it). */
    @FunctionalInterface
    public interface Updates {
        /** Copies {@code len} mantissas of update {@code k}, from coordinate {@code from}, into {@code dst} at {@code off}. */
        void read(int k, int from, short[] dst, int off, int len);
    }

    /**
     * The deviation of each block from {@code aggregate}, by index.
     *
     * @param blocks the round's updates in canonical order, at least one, all of the aggregate's
     *     dimension
     * @throws IllegalArgumentException when there is no block or a dimension differs (a caller's bug:
     *     the round's blocks and its aggregate always share one)
     */
    public static long[] of(Bfp16Block[] blocks, Bfp16Block aggregate) {
        int d = aggregate.dimension();
        int[] exponents = new int[blocks.length];
        for (int j = 0; j < blocks.length; j++) {
            if (blocks[j].dimension() != d) {
                throw new IllegalArgumentException("block " + j + " has dimension " + blocks[j].dimension() + ", the aggregate " + d);
            }
            exponents[j] = blocks[j].exponent();
        }
        return of(exponents, (k, from, dst, off, len) -> blocks[k].copyMantissas(from, dst, off, len), aggregate);
    }

    /**
     * The deviation of each update from {@code aggregate}, by index, the updates read a tile at a
     * time: update {@code k} has exponent {@code exponents[k]} and the aggregate's dimension. The same
     * values as {@link #of(Bfp16Block[], Bfp16Block)}; memory {@code O(tile)} besides the result.
     *
     * @throws IllegalArgumentException when there is no update
     */
    public static long[] of(int[] exponents, Updates updates, Bfp16Block aggregate) {
        int n = exponents.length;
        if (n == 0) {
            throw new IllegalArgumentException("no blocks to measure");
        }
        int[] sorted = exponents.clone();
        Arrays.sort(sorted);
        int unit = sorted[(n - 1) / 2];
        int d = aggregate.dimension();
        int tile = Math.min(TILE, d);
        short[] a = new short[tile];
        short[] m = new short[tile];
        long normA = 0;
        for (int from = 0; from < d; from += tile) {
            int len = Math.min(tile, d - from);
            aggregate.copyMantissas(from, a, 0, len);
            for (int i = 0; i < len; i++) {
                normA += (long) a[i] * a[i];
            }
        }
        long[] norms = new long[n];
        long[] dots = new long[n];
        for (int from = 0; from < d; from += tile) {
            int len = Math.min(tile, d - from);
            aggregate.copyMantissas(from, a, 0, len);
            for (int k = 0; k < n; k++) {
                updates.read(k, from, m, 0, len);
                long norm = 0;
                long dot = 0;
                for (int i = 0; i < len; i++) {
                    norm += (long) m[i] * m[i];
                    dot += (long) m[i] * a[i];
                }
                norms[k] += norm;
                dots[k] += dot;
            }
        }
        long[] out = new long[n];
        for (int k = 0; k < n; k++) {
            out[k] = measure(norms[k], exponents[k], normA, aggregate.exponent(), dots[k], unit);
        }
        return out;
    }

    /**
     * {@code floor((4^e N + 4^ea Na - 2^(e + ea + 1) dot) / 4^unit)}, saturated: every term is shifted
     * to the smallest power of two among them, so the sum is an exact non-negative integer.
     */
    static long measure(long norm, int e, long normA, int ea, long dot, int unit) {
        int base = 2 * Math.min(Math.min(e, ea), unit);
        BigInteger x = BigInteger.valueOf(norm).shiftLeft(2 * e - base)
                .add(BigInteger.valueOf(normA).shiftLeft(2 * ea - base))
                .subtract(BigInteger.valueOf(dot).shiftLeft(e + ea + 1 - base))
                .shiftRight(2 * unit - base);
        return x.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : x.longValueExact();
    }
}
