package org.qoraedge.gateway.protocol;

import org.qoraedge.gateway.GatewayException;

/**
 * Root of the gateway's protocol refusals: a frame, a key file or a text message that does not
 * follow docs/PROTOCOL.md. Unchecked; the message names the offending value and the limit.
 */
public class ProtocolException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
