package org.qoraedge.fixedpoint.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiscreteGaussianTest {
    private static final MathContext MC = new MathContext(40);
    private static final int SAMPLES = 200_000;

    /** The same 16 samples as reference.py's "gaussian(9/4) x16", from the round seed it prints. */
    @Test
    void samplesMatchTheIndependentReference() {
        NoiseBits bits = new NoiseBits(HexFormat.of().parseHex("df6556c7de2b339110a17db8e262f82a372976c0c6500b93c7b659c18f44379e"));
        long[] got = new long[16];
        DiscreteGaussian.of(9, 4).sample(bits, got);
        assertArrayEquals(new long[] {1, 0, 0, -1, 3, 2, 1, -2, 0, -2, -2, 1, -1, 0, -1, 1}, got);
    }

    /**
     * Chi-square of 200,000 samples against the exact pmf. The threshold {@code df + 12 sqrt(2 df) + 20}
     * is above the chi-square quantile at {@code 1e-9} for every df used here (47.9 at df 4, 71.6 at
     * df 14), while a variance 10% off gives a statistic near 1000 (computed from the two pmfs).
     */
    @ParameterizedTest(name = "sigma^2 = {0}/{1}")
    @CsvSource({"1, 2", "1, 1", "4, 1", "9, 4"})
    void matchesTheExactDistributionAndAVarianceTenPercentOffDoesNot(long p, long q) {
        Map<Long, BigDecimal> pmf = exactPmf(p, q);
        ChiSquare right = chiSquare(pmf, draw(p, q, 1));
        assertTrue(right.statistic < right.threshold(), "sigma^2 = " + p + "/" + q + ": " + right);
        // The same test must catch a sampler whose variance is 10% too large or too small.
        ChiSquare tooWide = chiSquare(pmf, draw(11 * p, 10 * q, 2));
        assertTrue(tooWide.statistic > right.threshold(), "sigma^2 * 1.1 passed for " + p + "/" + q + ": " + tooWide);
        ChiSquare tooNarrow = chiSquare(pmf, draw(9 * p, 10 * q, 3));
        assertTrue(tooNarrow.statistic > right.threshold(), "sigma^2 * 0.9 passed for " + p + "/" + q + ": " + tooNarrow);
    }

    @Test
    void largeVarianceHasTheRightSpread() {
        // sigma^2 = 10^6: mean 0 and variance within 5 standard errors of 10^6 over 20,000 samples
        // (the discrete Gaussian's variance is within 1e-100 of sigma^2 at this scale).
        NoiseBits bits = new NoiseBits(NoiseBitsTest.seed(4));
        DiscreteGaussian g = DiscreteGaussian.of(1_000_000, 1);
        int n = 20_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            long x = g.sample(bits);
            sum += x;
            sumSq += (double) x * x;
        }
        double mean = sum / n;
        double variance = sumSq / n - mean * mean;
        assertTrue(Math.abs(mean) < 5 * 1000 / Math.sqrt(n), "mean " + mean);
        // standard error of the sample variance of a Gaussian: sigma^2 sqrt(2 / n)
        assertTrue(Math.abs(variance - 1e6) < 5 * 1e6 * Math.sqrt(2.0 / n), "variance " + variance);
    }

    @ParameterizedTest(name = "gamma = {0}/{1}")
    @CsvSource({"0, 1", "1, 2", "1, 1", "3, 2", "5, 2", "1, 3"})
    void bernoulliExpMinusHasProbabilityExpMinusGamma(long n, long d) {
        double expected = Math.exp(-(double) n / d);
        long hits = bernoulliHits(n, d, 7);
        double sd = Math.sqrt(SAMPLES * expected * (1 - expected));
        // 6 standard deviations; gamma = 0 must succeed every time
        assertTrue(Math.abs(hits - SAMPLES * expected) <= 6 * sd, hits + " successes, expected " + SAMPLES * expected);
    }

    @Test
    void bernoulliExpMinusTestSeparatesCloseGammas() {
        // The tolerance above would not accept gamma = 0.55 for gamma = 0.5: the test can fail.
        long hits = bernoulliHits(11, 20, 7);
        double expected = Math.exp(-0.5);
        double sd = Math.sqrt(SAMPLES * expected * (1 - expected));
        assertTrue(Math.abs(hits - SAMPLES * expected) > 6 * sd, hits + " successes");
    }

    @Test
    void discreteLaplaceIsSymmetricWithRatioExpMinusOneOverT() {
        // P(y) proportional to exp(-|y| / t): P(0) = (1 - r) / (1 + r), r = exp(-1/t)
        NoiseBits bits = new NoiseBits(NoiseBitsTest.seed(5));
        long t = 3;
        int n = 100_000;
        int zeros = 0;
        int positives = 0;
        for (int i = 0; i < n; i++) {
            long y = DiscreteGaussian.discreteLaplace(t, bits);
            zeros += y == 0 ? 1 : 0;
            positives += y > 0 ? 1 : 0;
        }
        double r = Math.exp(-1.0 / t);
        double p0 = (1 - r) / (1 + r);
        assertTrue(Math.abs(zeros - n * p0) < 6 * Math.sqrt(n * p0 * (1 - p0)), zeros + " zeros");
        double pPos = (1 - p0) / 2;
        assertTrue(Math.abs(positives - n * pPos) < 6 * Math.sqrt(n * pPos * (1 - pPos)), positives + " positives");
    }

    @Test
    void sameSeedSameSamples() {
        long[] a = new long[100];
        long[] b = new long[100];
        DiscreteGaussian.of(7, 3).sample(new NoiseBits(NoiseBitsTest.seed(1)), a);
        DiscreteGaussian.of(7, 3).sample(new NoiseBits(NoiseBitsTest.seed(1)), b);
        assertArrayEquals(a, b);
    }

    @Test
    void refusesANonPositiveVariance() {
        assertEquals("sigma^2 is 0/1; it must be positive",
                assertThrows(InvalidPrivacyParameterException.class, () -> DiscreteGaussian.of(0, 1)).getMessage());
        assertEquals("sigma^2 is -4/1; it must be positive",
                assertThrows(InvalidPrivacyParameterException.class, () -> DiscreteGaussian.of(-4, 1)).getMessage());
        assertEquals("sigma^2 denominator is 0; it must be positive",
                assertThrows(InvalidPrivacyParameterException.class, () -> DiscreteGaussian.of(1, 0)).getMessage());
        assertEquals("sigma^2 denominator is -2; it must be positive",
                assertThrows(InvalidPrivacyParameterException.class, () -> DiscreteGaussian.of(1, -2)).getMessage());
    }

    @Test
    void refusesAVarianceAbove2To64() {
        BigInteger limit = BigInteger.ONE.shiftLeft(64);
        DiscreteGaussian.of(limit, BigInteger.ONE); // the limit itself is accepted
        DiscreteGaussian.of(limit.multiply(BigInteger.valueOf(3)).subtract(BigInteger.ONE), BigInteger.valueOf(3));
        assertEquals("sigma^2 is 55340232221128654849/3; it must be at most 2^64 = 18446744073709551616",
                assertThrows(InvalidPrivacyParameterException.class, () -> DiscreteGaussian.of(
                        limit.multiply(BigInteger.valueOf(3)).add(BigInteger.ONE), BigInteger.valueOf(3))).getMessage());
        InvalidPrivacyParameterException e = assertThrows(InvalidPrivacyParameterException.class,
                () -> DiscreteGaussian.of(limit.add(BigInteger.ONE), BigInteger.ONE));
        assertEquals("sigma^2 is 18446744073709551617/1; it must be at most 2^64 = 18446744073709551616", e.getMessage());
    }

    private static long bernoulliHits(long n, long d, int seed) {
        NoiseBits bits = new NoiseBits(NoiseBitsTest.seed(seed));
        BigInteger bn = BigInteger.valueOf(n);
        BigInteger bd = BigInteger.valueOf(d);
        long hits = 0;
        for (int i = 0; i < SAMPLES; i++) {
            hits += DiscreteGaussian.bernoulliExpMinus(bn, bd, bits) ? 1 : 0;
        }
        return hits;
    }

    private static Map<Long, Integer> draw(long p, long q, int seed) {
        NoiseBits bits = new NoiseBits(NoiseBitsTest.seed(seed));
        DiscreteGaussian g = DiscreteGaussian.of(p, q);
        Map<Long, Integer> counts = new TreeMap<>();
        for (int i = 0; i < SAMPLES; i++) {
            counts.merge(g.sample(bits), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * The exact pmf to 40 digits: {@code exp(-x^2 q / (2 p))} by its Taylor series in BigDecimal,
     * normalized over {@code |x| <= 40 sigma + 10}; the mass beyond is below {@code exp(-800)}.
     */
    static Map<Long, BigDecimal> exactPmf(long p, long q) {
        long bound = 40 * (BigInteger.valueOf(p / q).sqrt().longValueExact() + 1) + 10;
        Map<Long, BigDecimal> w = new TreeMap<>();
        BigDecimal total = BigDecimal.ZERO;
        for (long x = -bound; x <= bound; x++) {
            BigDecimal a = BigDecimal.valueOf(x * x * q).divide(BigDecimal.valueOf(2 * p), MC);
            BigDecimal v = BigDecimal.ONE.divide(exp(a), MC);
            w.put(x, v);
            total = total.add(v, MC);
        }
        Map<Long, BigDecimal> pmf = new TreeMap<>();
        for (Map.Entry<Long, BigDecimal> e : w.entrySet()) {
            pmf.put(e.getKey(), e.getValue().divide(total, MC));
        }
        return pmf;
    }

    /** exp(a) for a >= 0: exp(a / 2^k)^(2^k) with the series on a value below 1. */
    private static BigDecimal exp(BigDecimal a) {
        int k = 0;
        BigDecimal r = a;
        while (r.compareTo(BigDecimal.ONE) > 0) {
            r = r.divide(BigDecimal.valueOf(2), MC);
            k++;
        }
        MathContext wide = new MathContext(60);
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        for (int i = 1; i < 60; i++) {
            term = term.multiply(r, wide).divide(BigDecimal.valueOf(i), wide);
            sum = sum.add(term, wide);
        }
        for (int i = 0; i < k; i++) {
            sum = sum.multiply(sum, wide);
        }
        return sum;
    }

    private record ChiSquare(double statistic, int bins) {
        double threshold() {
            int df = bins - 1;
            return df + 12 * Math.sqrt(2.0 * df) + 20;
        }
    }

    /** Bins: every value with expected count >= 20, and the two tails pooled. */
    private static ChiSquare chiSquare(Map<Long, BigDecimal> pmf, Map<Long, Integer> counts) {
        double stat = 0;
        int bins = 0;
        double lowTailExpected = 0;
        double highTailExpected = 0;
        long lowTailObserved = 0;
        long highTailObserved = 0;
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (Map.Entry<Long, BigDecimal> e : pmf.entrySet()) {
            double expected = e.getValue().doubleValue() * SAMPLES;
            if (expected >= 20) {
                lowest = Math.min(lowest, e.getKey());
                highest = Math.max(highest, e.getKey());
            }
        }
        for (Map.Entry<Long, BigDecimal> e : pmf.entrySet()) {
            long x = e.getKey();
            double expected = e.getValue().doubleValue() * SAMPLES;
            int observed = counts.getOrDefault(x, 0);
            if (x < lowest) {
                lowTailExpected += expected;
                lowTailObserved += observed;
            } else if (x > highest) {
                highTailExpected += expected;
                highTailObserved += observed;
            } else {
                stat += (observed - expected) * (observed - expected) / expected;
                bins++;
            }
        }
        // samples outside the pmf's range count in the tails (their expected mass is below exp(-800))
        for (Map.Entry<Long, Integer> c : counts.entrySet()) {
            if (!pmf.containsKey(c.getKey())) {
                if (c.getKey() < 0) {
                    lowTailObserved += c.getValue();
                } else {
                    highTailObserved += c.getValue();
                }
            }
        }
        stat += (lowTailObserved - lowTailExpected) * (lowTailObserved - lowTailExpected) / lowTailExpected;
        stat += (highTailObserved - highTailExpected) * (highTailObserved - highTailExpected) / highTailExpected;
        return new ChiSquare(stat, bins + 2);
    }
}
