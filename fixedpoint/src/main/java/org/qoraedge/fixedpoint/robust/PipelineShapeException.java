package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.FixedPointException;

/**
 * A pipeline is not well formed (robust spec section 7): no step, no aggregator last, or an
 * aggregator before the last step. Refused when the pipeline is built, before any block is read.
 */
public final class PipelineShapeException extends FixedPointException {
    private static final long serialVersionUID = 1L;
    private final int position;
    private final int steps;

    public PipelineShapeException(String message, int position, int steps) {
        super(message);
        this.position = position;
        this.steps = steps;
    }

    /** The offending step's position (0-based), or -1 when the pipeline is empty. */
    public int position() {
        return position;
    }

    /** The number of steps given. */
    public int steps() {
        return steps;
    }
}
