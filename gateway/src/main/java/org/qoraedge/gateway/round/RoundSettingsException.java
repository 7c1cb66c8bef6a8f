package org.qoraedge.gateway.round;

import org.qoraedge.gateway.GatewayException;

/** Round settings no gateway can run with: an empty key registry, a quorum the registered nodes can never meet, a deadline of zero. */
public final class RoundSettingsException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public RoundSettingsException(String message) {
        super(message);
    }
}
