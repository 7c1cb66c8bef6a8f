package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.FixedPointException;

/**
 * A robust rule was given fewer blocks than its quorum allows (robust spec sections 1 to 6):
 * {@code median(f)}, {@code nnm(f)} and {@code centered-clip(f, L)} need {@code n >= 2f + 1},
 * {@code trimmed-mean(b)} needs {@code n >= 2b + 1}, {@code norm-screen(l, h)} needs
 * {@code n >= l + h + 1}. In a pipeline, {@code n} is what the step itself received.
 */
public final class RuleQuorumException extends FixedPointException {
    private static final long serialVersionUID = 1L;
    private final String rule;
    private final int n;
    private final long required;

    /**
     * @param rule the rule with its parameters, as {@link Step#toString()} writes it
     * @param condition the quorum as the spec writes it, such as {@code "2f + 1"}
     * @param required the value of {@code condition} for the rule's parameters
     * @param n the number of blocks given
     */
    public RuleQuorumException(String rule, String condition, long required, int n) {
        super(rule + " needs n >= " + condition + " = " + required + " blocks, got n = " + n);
        this.rule = rule;
        this.n = n;
        this.required = required;
    }

    /** The rule and its parameters, such as {@code median(f=2)}. */
    public String rule() {
        return rule;
    }

    /** The number of blocks given. */
    public int n() {
        return n;
    }

    /** The smallest number of blocks the rule accepts with its parameters. */
    public long required() {
        return required;
    }
}
