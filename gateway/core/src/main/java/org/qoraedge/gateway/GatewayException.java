package org.qoraedge.gateway;

/**
 * Root of every exception the gateway throws on purpose: a frame, key file, state directory,
 * audit record, configuration or deployment it refuses, each subclass naming what is wrong. A
 * caller that catches this catches every refusal and nothing else: JDK exceptions such as
 * {@link IllegalArgumentException} from the gateway mean a bug (a broken precondition), not a
 * refusal of input.
 */
public abstract class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected GatewayException(String message) {
        super(message);
    }

    protected GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
