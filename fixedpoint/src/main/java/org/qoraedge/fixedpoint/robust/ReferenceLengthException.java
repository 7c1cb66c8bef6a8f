package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.FixedPointException;

/** Centered clipping's reference block does not have the round's length {@code d} (robust spec section 6). */
public final class ReferenceLengthException extends FixedPointException {
    private static final long serialVersionUID = 1L;
    private final int referenceLength;
    private final int dimension;

    public ReferenceLengthException(int referenceLength, int dimension) {
        super("centered-clip reference block has " + referenceLength + " coordinates, the round's blocks have " + dimension);
        this.referenceLength = referenceLength;
        this.dimension = dimension;
    }

    /** The reference block's number of coordinates. */
    public int referenceLength() {
        return referenceLength;
    }

    /** The round's number of coordinates, {@code d}. */
    public int dimension() {
        return dimension;
    }
}
