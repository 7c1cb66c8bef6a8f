package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.FixedPointException;

/**
 * Weights given to a pipeline whose aggregator does not average (Krum, the median, the trimmed
 * mean): only {@code mean}, {@code multi-krum} and {@code centered-clip} take weights.
 */
public final class UnweightedAggregatorException extends FixedPointException {
    private static final long serialVersionUID = 1L;

    public UnweightedAggregatorException(Step aggregator) {
        super("weights apply to averaging aggregators (mean, multi-krum, centered-clip), not " + aggregator);
    }
}
