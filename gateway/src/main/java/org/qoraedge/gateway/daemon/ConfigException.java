package org.qoraedge.gateway.daemon;

import org.qoraedge.gateway.GatewayException;

/** A gateway configuration that cannot be used; the message names the key, the value and the rule. */
public final class ConfigException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
