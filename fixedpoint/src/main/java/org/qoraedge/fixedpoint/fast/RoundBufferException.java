package org.qoraedge.fixedpoint.fast;

import org.qoraedge.fixedpoint.FixedPointException;

/**
 * A {@link RoundBuffer} refused a request: a block beyond its capacity, or a close whose order does
 * not name distinct slots of blocks that were added. The message names the offending value and the
 * limit it broke.
 */
public final class RoundBufferException extends FixedPointException {
    private static final long serialVersionUID = 1L;

    public RoundBufferException(String message) {
        super(message);
    }
}
