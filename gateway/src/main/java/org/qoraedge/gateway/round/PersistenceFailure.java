package org.qoraedge.gateway.round;

import java.io.IOException;
import org.qoraedge.gateway.GatewayException;

/** The state directory cannot be written: the round worker stops (nothing is acknowledged or published past it). */
final class PersistenceFailure extends GatewayException {
    private static final long serialVersionUID = 1L;

    PersistenceFailure(String message, IOException cause) {
        super(message, cause);
    }
}
