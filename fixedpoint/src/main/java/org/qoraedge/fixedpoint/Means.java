package org.qoraedge.fixedpoint;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Exact (weighted) means of blocks, encoded per spec section 6: the exact rational
 * {@code sum_j w_j * m_j,i * 2^e_j / sum_j w_j}, then section 2. This is the straightforward
 * reference: one exact big integer per coordinate.
 */
public final class Means {
    private Means() {
    }

    /** The exact unweighted mean of {@code blocks} (every weight 1). */
    public static Bfp16Block mean(Bfp16Block[] blocks) {
        long[] ones = new long[blocks.length];
        Arrays.fill(ones, 1L);
        return weightedMean(blocks, ones);
    }

    /**
     * Refuses weights that a weighted mean of {@code n} blocks does not take (spec section 6): a
     * count other than {@code n}, then, in index order, the first weight below 1. Every weighted rule
     * checks its weights this way, with these messages.
     *
     * @throws InvalidWeightException naming the count, or the first bad weight's index and value
     */
    public static void checkWeights(long[] weights, int n) {
        if (weights.length != n) {
            throw new InvalidWeightException(weights.length + " weights given for " + n + " blocks");
        }
        for (int j = 0; j < n; j++) {
            if (weights[j] < 1) {
                throw new InvalidWeightException("weight " + j + " is " + weights[j] + "; weights must be >= 1");
            }
        }
    }

    /**
     * The exact weighted mean of {@code blocks}.
     *
     * @param weights one integer weight {@code >= 1} per block; their sum may exceed 2^63 - 1
     * @throws EmptyInputException if there are no blocks
     * @throws InvalidBlockException if the blocks have unequal lengths
     * @throws InvalidWeightException if a weight is below 1 or the counts differ
     */
    public static Bfp16Block weightedMean(Bfp16Block[] blocks, long[] weights) {
        int d = Bfp16Block.commonDimension(blocks);
        checkWeights(weights, blocks.length);
        BigInteger total = BigInteger.ZERO;
        int minExponent = Integer.MAX_VALUE;
        for (int j = 0; j < blocks.length; j++) {
            total = total.add(BigInteger.valueOf(weights[j]));
            minExponent = Math.min(minExponent, blocks[j].exponent());
        }
        // Scale every block to the lowest exponent so each coordinate's numerator is an integer.
        BigInteger[] scaledWeights = new BigInteger[blocks.length];
        for (int j = 0; j < blocks.length; j++) {
            scaledWeights[j] = BigInteger.valueOf(weights[j]).shiftLeft(blocks[j].exponent() - minExponent);
        }
        BigInteger[] numerators = new BigInteger[d];
        for (int i = 0; i < d; i++) {
            BigInteger sum = BigInteger.ZERO;
            for (int j = 0; j < blocks.length; j++) {
                int m = blocks[j].mantissa(i);
                if (m != 0) {
                    sum = sum.add(scaledWeights[j].multiply(BigInteger.valueOf(m)));
                }
            }
            numerators[i] = sum;
        }
        return Bfp16.encodeExact(numerators, minExponent, total);
    }
}
