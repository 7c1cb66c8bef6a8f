package org.qoraedge.gateway.daemon;

import org.qoraedge.gateway.GatewayException;

/** A command line the gateway's commands refuse: a missing option, a key that is not one, a file that must not be overwritten. */
public final class UsageException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
