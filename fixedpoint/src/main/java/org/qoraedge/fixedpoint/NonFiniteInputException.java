package org.qoraedge.fixedpoint;

/** Encode input holds a NaN or an infinity (spec section 2, step 1). Carries the first offending index. */
public final class NonFiniteInputException extends FixedPointException {
    private static final long serialVersionUID = 1L;
    private final int index;
    private final int rawBits;

    public NonFiniteInputException(int index, int rawBits) {
        super(String.format("input coordinate %d is not finite (float32 bits %08x)", index, rawBits));
        this.index = index;
        this.rawBits = rawBits;
    }

    /** The first index holding a NaN or an infinity. */
    public int index() {
        return index;
    }

    /** Its raw IEEE-754 bit pattern. */
    public int rawBits() {
        return rawBits;
    }
}
