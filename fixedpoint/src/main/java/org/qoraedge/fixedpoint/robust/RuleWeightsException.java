package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.FixedPointException;

/**
 * A pipeline was given weights, but its aggregator does not average its inputs and so has nothing
 * to weight: {@code krum} picks one block, {@code median} and {@code trimmed-mean} pick values
 * coordinate by coordinate. Weights apply to {@code mean}, {@code multi-krum} and
 * {@code centered-clip} only ({@link Pipeline#acceptsWeights()}, {@link PipelineSpec#acceptsWeights()}).
 * Refused before any block is read.
 */
public final class RuleWeightsException extends FixedPointException {
    private static final long serialVersionUID = 1L;
    private final String rule;

    /**
     * @param rule the aggregator with its parameters, as {@link Step#toString()} or
     *     {@link PipelineSpec#canonical()} writes it, such as {@code median(f=6)}
     */
    public RuleWeightsException(String rule) {
        super("weights apply to averaging aggregators (mean, multi-krum, centered-clip), not " + rule);
        this.rule = rule;
    }

    /** The aggregator refused, with its parameters. */
    public String rule() {
        return rule;
    }
}
