package org.qoraedge.gateway.round;

import java.io.IOException;

/** The state directory cannot be written: the round worker stops (nothing is acknowledged or published past it). */
final class PersistenceFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PersistenceFailure(String message, IOException cause) {
        super(message, cause);
    }
}
