package org.qoraedge.fixedpoint.privacy;

import java.math.BigInteger;

/**
 * An exact sampler of the discrete Gaussian {@code N_Z(0, sigma^2)}: integer {@code x} with
 * probability proportional to {@code exp(-x^2 / (2 sigma^2))}, for a rational variance
 * {@code sigma^2 = p / q}. It follows Canonne, Kamath and Steinke, "The Discrete Gaussian for
 * Differential Privacy" (NeurIPS 2020, arXiv:2004.00010): Algorithm 1 for {@code Bernoulli(exp(-gamma))}
 * with rational {@code gamma} (the series method: no exponential is ever evaluated), Algorithm 2 for
 * the discrete Laplace with scale {@code t} (here {@code s = 1}), and Algorithm 3, discrete Laplace
 * with {@code t = floor(sigma) + 1} and rejection. Every step is integer arithmetic on
 * {@link BigInteger}s and uniform integers from {@link NoiseBits}; nothing is rounded, so the
 * samples have exactly the discrete Gaussian distribution (given uniform bits) and the same seed
 * gives the same samples on every platform.
 *
 * <p>The order in which bits are consumed is part of the replay contract: each sample runs
 * Algorithm 3's loop, each discrete Laplace draw runs Algorithm 2's loop, and each
 * {@code Bernoulli(n/d)} is one {@link NoiseBits#uniform(BigInteger) uniform(d)} compared with
 * {@code n}. The running time is random (expected constant per sample), not the result.
 *
 * <p>Instances are immutable and safe to share; the {@link NoiseBits} passed in is not.
 */
public final class DiscreteGaussian {
    /** Largest accepted variance, {@code 2^64} (a standard deviation of {@code 2^32} units). */
    public static final BigInteger MAX_VARIANCE = BigInteger.ONE.shiftLeft(64);

    private static final BigInteger TWO = BigInteger.TWO;

    private final BigInteger p; // sigma^2 = p / q, both positive
    private final BigInteger q;
    private final long t; // floor(sigma) + 1, the discrete Laplace scale of Algorithm 3
    private final BigInteger qt; // q * t
    private final BigInteger gammaDenominator; // 2 p q t^2

    private DiscreteGaussian(BigInteger p, BigInteger q) {
        this.p = p;
        this.q = q;
        // floor(sqrt(p / q)) = floor(sqrt(floor(p / q))): an exact integer square root
        this.t = p.divide(q).sqrt().longValueExact() + 1;
        BigInteger bt = BigInteger.valueOf(t);
        this.qt = q.multiply(bt);
        this.gammaDenominator = TWO.multiply(p).multiply(q).multiply(bt).multiply(bt);
    }

    /**
     * The discrete Gaussian of variance parameter {@code sigma^2 = numerator / denominator}.
     *
     * @throws InvalidPrivacyParameterException if the denominator is not positive, {@code sigma^2}
     *     is not positive, or {@code sigma^2} is above {@link #MAX_VARIANCE}
     */
    public static DiscreteGaussian of(BigInteger numerator, BigInteger denominator) {
        if (denominator.signum() <= 0) {
            throw new InvalidPrivacyParameterException("sigma^2 denominator is " + denominator + "; it must be positive");
        }
        if (numerator.signum() <= 0) {
            throw new InvalidPrivacyParameterException("sigma^2 is " + numerator + "/" + denominator + "; it must be positive");
        }
        if (numerator.compareTo(MAX_VARIANCE.multiply(denominator)) > 0) {
            throw new InvalidPrivacyParameterException("sigma^2 is " + numerator + "/" + denominator
                    + "; it must be at most 2^64 = " + MAX_VARIANCE);
        }
        return new DiscreteGaussian(numerator, denominator);
    }

    /** As {@link #of(BigInteger, BigInteger)}, for {@code long} numerator and denominator. */
    public static DiscreteGaussian of(long numerator, long denominator) {
        return of(BigInteger.valueOf(numerator), BigInteger.valueOf(denominator));
    }

    /** The numerator of {@code sigma^2} as given. */
    public BigInteger varianceNumerator() {
        return p;
    }

    /** The denominator of {@code sigma^2} as given. */
    public BigInteger varianceDenominator() {
        return q;
    }

    /** One sample of {@code N_Z(0, sigma^2)} (Algorithm 3). */
    public long sample(NoiseBits bits) {
        while (true) {
            long y = discreteLaplace(t, bits);
            // gamma = (|y| - sigma^2 / t)^2 / (2 sigma^2) = (|y| q t - p)^2 / (2 p q t^2)
            BigInteger diff = BigInteger.valueOf(Math.abs(y)).multiply(qt).subtract(p);
            if (bernoulliExpMinus(diff.multiply(diff), gammaDenominator, bits)) {
                return y;
            }
        }
    }

    /**
     * Fills {@code out} with independent samples, {@code out[0]} first.
     */
    public void sample(NoiseBits bits, long[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = sample(bits);
        }
    }

    /**
     * Algorithm 2 with {@code s = 1}: the discrete Laplace, {@code P(y)} proportional to
     * {@code exp(-|y| / t)}, for a scale {@code t >= 1}.
     */
    static long discreteLaplace(long t, NoiseBits bits) {
        BigInteger bt = BigInteger.valueOf(t);
        while (true) {
            long u = bits.uniform(t);
            if (!bernoulliExpMinus(BigInteger.valueOf(u), bt, bits)) {
                continue;
            }
            long v = 0;
            while (bernoulliExpMinus(BigInteger.ONE, BigInteger.ONE, bits)) {
                v++;
            }
            long x = u + t * v; // t <= 2^32 + 1 and v is geometric: far from overflow
            boolean negative = bits.uniform(2) == 1;
            if (negative && x == 0) {
                continue; // reject -0 so that 0 is not counted twice
            }
            return negative ? -x : x;
        }
    }

    /**
     * Algorithm 1: true with probability exactly {@code exp(-n / d)}, for {@code n >= 0} and {@code d >= 1}.
     * For {@code gamma = n / d > 1}, {@code floor(gamma)} independent {@code Bernoulli(exp(-1))} must all
     * succeed, then one {@code Bernoulli(exp(-(gamma - floor(gamma))))}; each stops at the first failure.
     */
    static boolean bernoulliExpMinus(BigInteger n, BigInteger d, NoiseBits bits) {
        if (n.compareTo(d) <= 0) {
            return bernoulliExpMinusAtMostOne(n, d, bits);
        }
        BigInteger[] qr = n.divideAndRemainder(d);
        for (BigInteger k = BigInteger.ZERO; k.compareTo(qr[0]) < 0; k = k.add(BigInteger.ONE)) {
            if (!bernoulliExpMinusAtMostOne(BigInteger.ONE, BigInteger.ONE, bits)) {
                return false;
            }
        }
        return bernoulliExpMinusAtMostOne(qr[1], d, bits);
    }

    /**
     * The series method for {@code gamma = n / d} in [0, 1]: draw {@code A_k ~ Bernoulli(gamma / k)} for
     * {@code k = 1, 2, ...} until the first {@code A_k = 0}; the result is true when that {@code k} is odd.
     * {@code P(k = K) = gamma^(K-1) / (K-1)! - gamma^K / K!}, so {@code P(odd) = exp(-gamma)} exactly.
     */
    private static boolean bernoulliExpMinusAtMostOne(BigInteger n, BigInteger d, NoiseBits bits) {
        long k = 1;
        // A_k = [uniform(d k) < n]
        while (bits.uniform(d.multiply(BigInteger.valueOf(k))).compareTo(n) < 0) {
            k++;
        }
        return (k & 1) == 1;
    }
}
