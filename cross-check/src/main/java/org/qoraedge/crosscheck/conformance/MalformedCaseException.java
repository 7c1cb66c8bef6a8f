package org.qoraedge.crosscheck.conformance;

/** A vector case that does not follow the format: a missing field, a wrong type, an unknown kind. */
public final class MalformedCaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedCaseException(String message) {
        super(message);
    }
}
