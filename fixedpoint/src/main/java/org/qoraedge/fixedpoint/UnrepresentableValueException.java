package org.qoraedge.fixedpoint;

/**
 * Exact values to encode by spec section 2 have no block: their largest magnitude is above
 * {@code 2^128}, which would need an exponent above 113 (no mean of blocks comes near it, but the sum
 * of two blocks of large exponent, {@link ModelUpdate#add}, can), or their common denominator is not
 * positive, so the numerators name no values at all.
 */
public final class UnrepresentableValueException extends FixedPointException {
    private static final long serialVersionUID = 1L;

    public UnrepresentableValueException(String message) {
        super(message);
    }
}
