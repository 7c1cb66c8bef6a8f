package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.FixedPointException;

/**
 * A pipeline line that does not follow {@link PipelineSpec}'s grammar: an unknown rule, a missing
 * parenthesis, the wrong number or kind of arguments. The message names the problem and where it
 * is in the line.
 */
public final class PipelineSyntaxException extends FixedPointException {
    private static final long serialVersionUID = 1L;
    private final int position;

    public PipelineSyntaxException(String message, int position) {
        super(message);
        this.position = position;
    }

    /** Where in the line the problem starts (0-based). */
    public int position() {
        return position;
    }
}
