package org.qoraedge.fixedpoint;

/**
 * A node id is empty, is not valid Unicode (a lone surrogate has no UTF-8 form), holds a control
 * character, or is a duplicate of another id of the same round (equal UTF-8 bytes).
 */
public final class InvalidNodeIdException extends FixedPointException {
    private static final long serialVersionUID = 1L;

    public InvalidNodeIdException(String message) {
        super(message);
    }
}
