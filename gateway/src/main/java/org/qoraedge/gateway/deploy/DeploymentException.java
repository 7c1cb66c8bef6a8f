package org.qoraedge.gateway.deploy;

import org.qoraedge.gateway.GatewayException;

/** A broker deployment that cannot be written as asked; the message names the offending value and the rule it breaks. */
public final class DeploymentException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public DeploymentException(String message) {
        super(message);
    }
}
