package org.qoraedge.gateway.deploy;

/** A broker deployment that cannot be written as asked; the message names the offending value and the rule it breaks. */
public final class DeploymentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeploymentException(String message) {
        super(message);
    }
}
