package org.qoraedge.fixedpoint;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * An independent, slow, obviously exact oracle for the spec: plain BigDecimal arithmetic on the
 * decoded values, no bit tricks. Tests compare the production code against it.
 */
public final class Oracle {
    private Oracle() {
    }

    public static BigDecimal pow2(int k) {
        return k >= 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(k)) : BigDecimal.ONE.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-k)));
    }

    /** Spec section 2 on exact values (each value a BigDecimal, exact for floats and dyadic rationals). */
    public static int[] encode(BigDecimal[] x, int[] exponentOut) {
        BigDecimal max = BigDecimal.ZERO;
        for (BigDecimal v : x) {
            max = max.max(v.abs());
        }
        int[] m = new int[x.length];
        if (max.signum() == 0) {
            exponentOut[0] = 0;
            return m;
        }
        int c = -300;
        while (!(pow2(c - 1).compareTo(max) < 0 && max.compareTo(pow2(c)) <= 0)) {
            c++;
        }
        int e = Math.max(c - 15, -126);
        exponentOut[0] = e;
        for (int i = 0; i < x.length; i++) {
            // HALF_UP in BigDecimal is round half away from zero
            BigInteger r = x[i].multiply(pow2(-e)).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
            m[i] = r.max(BigInteger.valueOf(-32767)).min(BigInteger.valueOf(32767)).intValueExact();
        }
        return m;
    }

    public static BigDecimal value(Bfp16Block b, int i) {
        return new BigDecimal(b.mantissa(i)).multiply(pow2(b.exponent()));
    }

    /** Exact squared Euclidean distance of the decoded values. */
    public static BigDecimal squaredDistance(Bfp16Block a, Bfp16Block b) {
        BigDecimal s = BigDecimal.ZERO;
        for (int i = 0; i < a.dimension(); i++) {
            BigDecimal diff = value(a, i).subtract(value(b, i));
            s = s.add(diff.multiply(diff));
        }
        return s;
    }

    static final BigDecimal MAX = new BigDecimal(Long.MAX_VALUE);

    public static long saturate(BigDecimal v) {
        return v.compareTo(MAX) >= 0 ? Long.MAX_VALUE : v.longValueExact();
    }

    /** Section 4: sat(rha(||va - vb||^2 / 4^eRef)). */
    public static long common(Bfp16Block a, Bfp16Block b, int eRef) {
        return saturate(squaredDistance(a, b).multiply(pow2(-2 * eRef)).setScale(0, RoundingMode.HALF_UP));
    }

    /** Section 3. */
    public static long pairwise(Bfp16Block a, Bfp16Block b) {
        int delta = a.exponent() - b.exponent();
        if (Math.abs(delta) > 15) {
            return Long.MAX_VALUE;
        }
        return saturate(squaredDistance(a, b).multiply(pow2(-2 * Math.min(a.exponent(), b.exponent()))));
    }

    /**
     * The exact sum {@code a + b}, coordinate by coordinate, encoded by spec section 2: BigInteger
     * numerators in units of the smaller exponent, then {@link Bfp16#encodeExact}. The straightforward
     * reference that {@link ModelUpdate#add} and every replayed model digest are checked against.
     */
    public static Bfp16Block exactSum(Bfp16Block a, Bfp16Block b) {
        int min = Math.min(a.exponent(), b.exponent());
        BigInteger[] num = new BigInteger[a.dimension()];
        for (int i = 0; i < num.length; i++) {
            num[i] = BigInteger.valueOf(a.mantissa(i)).shiftLeft(a.exponent() - min)
                    .add(BigInteger.valueOf(b.mantissa(i)).shiftLeft(b.exponent() - min));
        }
        return Bfp16.encodeExact(num, min, BigInteger.ONE);
    }
}
