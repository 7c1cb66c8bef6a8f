package org.qoraedge.gateway.reputation;

import org.qoraedge.gateway.GatewayException;

/**
 * Root of the reputation refusals: round evidence that is inconsistent, a round applied out of
 * order, an operator action that does not apply (lifting the ban of a node that is not banned), a
 * restored state that breaks an invariant. Unchecked; the message names the offending value and
 * the rule it broke.
 */
public class ReputationException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public ReputationException(String message) {
        super(message);
    }

    public ReputationException(String message, Throwable cause) {
        super(message, cause);
    }
}
