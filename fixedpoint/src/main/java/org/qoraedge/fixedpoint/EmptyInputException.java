package org.qoraedge.fixedpoint;

/** An operation was given nothing to work on: a zero-length vector, or no blocks. */
public final class EmptyInputException extends FixedPointException {
    private static final long serialVersionUID = 1L;

    public EmptyInputException(String message) {
        super(message);
    }
}
