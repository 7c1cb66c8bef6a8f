package org.qoraedge.fixedpoint;

/**
 * A block, or a set of blocks, breaks spec section 1: empty, exponent outside [-126, 113], a
 * mantissa of -32768, or blocks of unequal length in one operation; or bytes read as a block
 * ({@link BlockBytes}) are not one: shorter than the header, or a length other than {@code 8 + 2d}.
 */
public final class InvalidBlockException extends FixedPointException {
    private static final long serialVersionUID = 1L;

    public InvalidBlockException(String message) {
        super(message);
    }
}
