package org.qoraedge.gateway.aggregation;

import java.util.function.ToLongFunction;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Holds one round's accepted updates and aggregates them at close. This is the seam where an
 * incremental implementation (distances computed as blocks arrive, closed with a canonical-order
 * permutation) replaces the reference one without touching the coordinator.
 *
 * <p>Contract: {@link #close} must give the same result, bit for bit, whatever order
 * {@link #add} was called in; ids are distinct (the coordinator refuses second updates) and every
 * block has the round's dimension. Used by one thread (the round worker).
 */
public interface RoundBuffer {
    /** Adds an accepted update, in arrival order. */
    void add(String nodeId, Bfp16Block block);

    /** Updates added so far. */
    int size();

    /**
     * Does now the work {@link #add} may defer to process updates together (the incremental buffer
     * reads the updates already there once per batch of new ones, not once per update, and adds a
     * batch by itself when it is full). {@link #close} does it first. Results never depend on when,
     * or whether, it is called.
     */
    default void flush() {
    }

    /**
     * Orders the updates canonically and aggregates them.
     *
     * @throws org.qoraedge.fixedpoint.FixedPointException when the rule refuses the round (quorum,
     *     selection size); the coordinator fails the round closed with that message
     */
    AggregationResult close();

    /**
     * Closes the round with centered clipping's reference block (the previous round's aggregate,
     * null for the zero block). Only pipelines use it; the others ignore it.
     */
    default AggregationResult close(Bfp16Block reference) {
        return close();
    }

    /**
     * Closes the round with centered clipping's reference and one weight per update (a pipeline whose
     * aggregator averages; docs/REPUTATION.md section 7).
     *
     * @param weights the weight of each node id, {@code >= 1}; null for an unweighted round
     * @throws IllegalStateException when weights are given to a buffer that cannot weight (a caller's
     *     bug: the configuration refuses weighting for such rules at start)
     */
    default AggregationResult close(Bfp16Block reference, ToLongFunction<String> weights) {
        if (weights != null) {
            throw new IllegalStateException("this round buffer does not weight its updates");
        }
        return close(reference);
    }
}
