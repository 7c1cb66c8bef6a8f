package org.qoraedge.fixedpoint;

/** A weighted mean got a weight below 1, or a weight count that differs from the block count. */
public final class InvalidWeightException extends FixedPointException {
    private static final long serialVersionUID = 1L;

    public InvalidWeightException(String message) {
        super(message);
    }
}
