package org.qoraedge.gateway.status;

import org.qoraedge.gateway.GatewayException;

/**
 * A status indicator that cannot be configured or driven: an invalid {@code gpio.*} value (the
 * message names the key, the value and the rule), a Pi4J context without the gpiod providers,
 * or a pin that Pi4J failed to set up or write.
 */
public final class StatusIndicatorException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public StatusIndicatorException(String message) {
        super(message);
    }

    public StatusIndicatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
