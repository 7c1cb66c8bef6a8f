package org.qoraedge.gateway.ops;

/** An invalid {@code http.*} or {@code health.*} key, or an HTTP endpoint that cannot be set up as configured. */
public final class OpsSettingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OpsSettingsException(String message) {
        super(message);
    }

    public OpsSettingsException(String message, Throwable cause) {
        super(message, cause);
    }
}
