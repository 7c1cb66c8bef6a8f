package org.qoraedge.fixedpoint;

/**
 * Root of every refusal the deterministic core makes. Unchecked: a refusal means the caller passed
 * input that the spec ({@code docs/SPEC.md}, {@code docs/spec/ROBUST.md}) says must be refused; the message names what is wrong
 * and the limit it broke.
 */
public abstract class FixedPointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected FixedPointException(String message) {
        super(message);
    }
}
