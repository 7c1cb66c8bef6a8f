package org.qoraedge.gateway.audit;

import org.qoraedge.gateway.GatewayException;

/** An audit record or log that is malformed, out of chain, or whose signature does not verify. */
public class AuditException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public AuditException(String message) {
        super(message);
    }

    public AuditException(String message, Throwable cause) {
        super(message, cause);
    }
}
