package org.qoraedge.gateway.client.privacy;

import org.qoraedge.gateway.GatewayException;

/**
 * A local privacy parameter is refused: a clipping norm or noise multiplier that is not finite and
 * positive, a delta outside (0, 1), a round count below 1, or an update with a non-finite
 * coordinate. The message carries the value and the limit.
 */
public final class LocalPrivacyException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public LocalPrivacyException(String message) {
        super(message);
    }
}
