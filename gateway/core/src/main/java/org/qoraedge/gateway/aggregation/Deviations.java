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

    /**
     * The deviation of each block from {@code aggregate}, by index.
     *
     * @param blocks the round's updates in canonical order, at least one, all of the aggregate's
     *     dimension
     * @throws IllegalArgumentException when there is no block or a dimension differs (a caller's bug:
     *     the round's blocks and its aggregate always share one)
     */
    public static long[] of(Bfp16Block[] blocks, Bfp16Block aggregate) {
        if (blocks.length == 0) {
            throw new IllegalArgumentException("no blocks to measure");
        }
        int d = aggregate.dimension();
        int[] exponents = new int[blocks.length];
        for (int j = 0; j < blocks.length; j++) {
            if (blocks[j].dimension() != d) {
                throw new IllegalArgumentException("block " + j + " has dimension " + blocks[j].dimension() + ", the aggregate " + d);
            }
            exponents[j] = blocks[j].exponent();
        }
        Arrays.sort(exponents);
        int unit = exponents[(exponents.length - 1) / 2];
        short[] a = aggregate.mantissas();
        long normA = 0;
        for (short x : a) {
            normA += (long) x * x;
        }
        long[] out = new long[blocks.length];
        short[] m = new short[d];
        for (int j = 0; j < blocks.length; j++) {
            blocks[j].copyMantissas(0, m, 0, d);
            long norm = 0;
            long dot = 0;
            for (int i = 0; i < d; i++) {
                norm += (long) m[i] * m[i];
                dot += (long) m[i] * a[i];
            }
            out[j] = measure(norm, blocks[j].exponent(), normA, aggregate.exponent(), dot, unit);
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
