package org.qoraedge.fixedpoint.robust;

import java.math.BigInteger;
import java.util.Objects;

/**
 * An exact dyadic rational {@code numerator * 2^exponent}, kept in lowest terms (an odd numerator,
 * or zero with exponent 0). Used for the exact diagnostics of centered clipping (its thresholds).
 * Immutable.
 */
public final class Dyadic implements Comparable<Dyadic> {
    private final BigInteger numerator;
    private final int exponent;

    private Dyadic(BigInteger numerator, int exponent) {
        this.numerator = numerator;
        this.exponent = exponent;
    }

    /** The value {@code numerator * 2^exponent}, reduced. */
    public static Dyadic of(BigInteger numerator, int exponent) {
        if (numerator.signum() == 0) {
            return new Dyadic(BigInteger.ZERO, 0);
        }
        int zeros = numerator.getLowestSetBit();
        return new Dyadic(numerator.shiftRight(zeros), exponent + zeros);
    }

    /** The odd numerator (zero for zero). */
    public BigInteger numerator() {
        return numerator;
    }

    /** The power of two: the value is {@code numerator() * 2^exponent()}. */
    public int exponent() {
        return exponent;
    }

    /** The value as {@code "num/den"} in lowest terms, the slash always written ({@code "9/1"}). */
    public String toFraction() {
        if (exponent >= 0) {
            return numerator.shiftLeft(exponent) + "/1";
        }
        return numerator + "/" + BigInteger.ONE.shiftLeft(-exponent);
    }

    @Override
    public int compareTo(Dyadic o) {
        int common = Math.min(exponent, o.exponent);
        return numerator.shiftLeft(exponent - common).compareTo(o.numerator.shiftLeft(o.exponent - common));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dyadic && ((Dyadic) o).exponent == exponent && ((Dyadic) o).numerator.equals(numerator);
    }

    @Override
    public int hashCode() {
        return Objects.hash(numerator, exponent);
    }

    @Override
    public String toString() {
        return toFraction();
    }
}
