package org.qoraedge.gateway.state;

import org.qoraedge.gateway.GatewayException;

/** A state file or round journal that cannot be read as what it claims to be (corrupt, another version, another fleet). */
public class StateException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public StateException(String message) {
        super(message);
    }

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
