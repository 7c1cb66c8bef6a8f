package org.qoraedge.gateway.aggregation;

import java.util.List;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.fixedpoint.NodeIds;

/**
 * The rule that closes a round (docs/PROTOCOL.md, "Closing a round"): below the quorum the round
 * fails closed; otherwise the buffer aggregates its updates in canonical order and the aggregate is
 * added, exactly, to the model the round trained. The gateway closes its rounds with it and
 * {@code cross-check replay} recomputes them with it, so the two cannot drift apart.
 *
 * <p>What the rule refuses ({@link FixedPointException}: a selection the rule cannot make, a sum
 * beyond any block) is a failed round with its reason. Anything else thrown is a bug: it propagates,
 * so that the caller reports it with its stack trace instead of recording a quiet failure.
 */
public final class RoundClose {
    private RoundClose() {
    }

    /**
     * How a round closed.
     *
     * @param acceptedIds the accepted node ids in canonical order (for a failed round too)
     * @param result the aggregation, or null when the round failed
     * @param modelAfter the model after the round: the model before plus the aggregate, the model
     *     before when the round failed, null when no model before was given
     * @param failure why the round failed closed, "" when it aggregated
     * @param noisedAggregate the rule's aggregate with the round's central noise (docs/PRIVACY.md),
     *     the block the model moved by; null when the round had no noise or failed
     */
    public record Outcome(List<String> acceptedIds, AggregationResult result, Bfp16Block modelAfter, String failure,
            Bfp16Block noisedAggregate) {
        public Outcome {
            acceptedIds = List.copyOf(acceptedIds);
        }

        /** An outcome without central noise. */
        public Outcome(List<String> acceptedIds, AggregationResult result, Bfp16Block modelAfter, String failure) {
            this(acceptedIds, result, modelAfter, failure, null);
        }

        /**
         * Centered clipping's reference for the next round: the block the model moved by before any
         * server step, that is the noised aggregate when the round had central noise (so that no
         * un-noised aggregate reaches a later round's published model), else the rule's aggregate;
         * null when the round failed.
         */
        public Bfp16Block nextReference() {
            return result == null ? null : noisedAggregate != null ? noisedAggregate : result.aggregate();
        }

        /** True when the round produced a new model. */
        public boolean aggregated() {
            return failure.isEmpty();
        }
    }

    /**
     * Closes a round.
     *
     * @param settings the round's aggregation settings (its quorum, rule and parameters)
     * @param buffer the round's accepted updates
     * @param acceptedIds the ids added to {@code buffer}, in any order
     * @param modelBefore the global model the round trained, or null when it is not known (a replay
     *     without a usable model frame: the aggregate is still computed)
     */
    public static Outcome close(AggregationSettings settings, RoundBuffer buffer, List<String> acceptedIds,
            Bfp16Block modelBefore) {
        return close(settings, buffer, acceptedIds, modelBefore, null);
    }

    /**
     * {@link #close(AggregationSettings, RoundBuffer, List, Bfp16Block)} with centered clipping's
     * reference block: the previous round's aggregate, null for the zero block (robust spec section 6).
     */
    public static Outcome close(AggregationSettings settings, RoundBuffer buffer, List<String> acceptedIds,
            Bfp16Block modelBefore, Bfp16Block reference) {
        return close(settings, buffer, acceptedIds, modelBefore, reference, null);
    }

    /**
     * {@link #close(AggregationSettings, RoundBuffer, List, Bfp16Block, Bfp16Block)} with reputation
     * weights (docs/REPUTATION.md section 7): the weight of each accepted node, null for an unweighted
     * round. A weight the rule refuses (below 1) fails the round closed with the rule's message.
     */
    public static Outcome close(AggregationSettings settings, RoundBuffer buffer, List<String> acceptedIds,
            Bfp16Block modelBefore, Bfp16Block reference, ToLongFunction<String> weights) {
        return close(settings, buffer, acceptedIds, modelBefore, reference, weights, 0);
    }

    /**
     * {@link #close(AggregationSettings, RoundBuffer, List, Bfp16Block, Bfp16Block, ToLongFunction)}
     * with a server step of {@code 2^-stepShift} (buffered mode's {@code round.serverStepShift},
     * docs/PROTOCOL.md section 6.3): the model after is the model before plus the aggregate with its
     * exponent lowered by {@code stepShift}, the same mantissas, so the step is exact. The result's
     * aggregate stays the rule's (centered clipping's next reference, the record's digest). A step
     * that would take the aggregate's exponent below {@link Bfp16Block#MIN_EXPONENT} fails the round
     * closed (the model unchanged) rather than round it.
     */
    public static Outcome close(AggregationSettings settings, RoundBuffer buffer, List<String> acceptedIds,
            Bfp16Block modelBefore, Bfp16Block reference, ToLongFunction<String> weights, int stepShift) {
        return close(settings, buffer, acceptedIds, modelBefore, reference, weights, stepShift, null);
    }

    /**
     * {@link #close(AggregationSettings, RoundBuffer, List, Bfp16Block, Bfp16Block, ToLongFunction, int)}
     * with central noise (docs/PRIVACY.md, "Central DP"): {@code noise} maps the rule's aggregate to
     * the noised block, which is what the server step scales and the model adds, and what
     * {@link Outcome#nextReference()} gives; null for no noise. Noise that cannot be represented (an
     * exponent above 113) fails the round closed, the model unchanged.
     */
    public static Outcome close(AggregationSettings settings, RoundBuffer buffer, List<String> acceptedIds,
            Bfp16Block modelBefore, Bfp16Block reference, ToLongFunction<String> weights, int stepShift,
            UnaryOperator<Bfp16Block> noise) {
        if (stepShift < 0 || stepShift > BufferedSettings.MAX_SERVER_STEP_SHIFT) {
            throw new IllegalArgumentException("server step shift " + stepShift + " outside 0.." + BufferedSettings.MAX_SERVER_STEP_SHIFT);
        }
        List<String> canonical;
        try {
            canonical = canonical(acceptedIds);
        } catch (FixedPointException e) {
            return new Outcome(List.of(), null, modelBefore, "accepted ids refused: " + e.getMessage());
        }
        int n = buffer.size();
        if (n < settings.quorum()) {
            return new Outcome(canonical, null, modelBefore, belowQuorum(settings, n));
        }
        try {
            AggregationResult result = buffer.close(reference, weights);
            Bfp16Block noised = null;
            if (noise != null) {
                try {
                    noised = noise.apply(result.aggregate());
                } catch (FixedPointException e) {
                    return new Outcome(canonical, null, modelBefore, "central noise refused: " + e.getMessage());
                }
            }
            Bfp16Block step = noised != null ? noised : result.aggregate();
            if (stepShift > 0) {
                if (step.exponent() - stepShift < Bfp16Block.MIN_EXPONENT) {
                    return new Outcome(canonical, null, modelBefore, "aggregation refused: the server step 2^-" + stepShift
                            + " takes the aggregate's exponent " + step.exponent() + " below " + Bfp16Block.MIN_EXPONENT);
                }
                step = Bfp16Block.of(step.exponent() - stepShift, step.mantissas());
            }
            Bfp16Block after = modelBefore == null ? null : ModelUpdate.add(modelBefore, step);
            return new Outcome(List.of(result.canonicalIds()), result, after, "", noised);
        } catch (FixedPointException e) {
            return new Outcome(canonical, null, modelBefore, "aggregation refused: " + e.getMessage());
        }
    }

    /**
     * A round that failed closed for a reason outside the rule (the caller's own failure, such as
     * an internal error): the model unchanged.
     *
     * @throws FixedPointException when an accepted id is not a valid node id
     */
    public static Outcome failed(List<String> acceptedIds, Bfp16Block modelBefore, String failure) {
        return new Outcome(canonical(acceptedIds), null, modelBefore, failure);
    }

    /**
     * The digest of centered clipping's reference (robust spec section 8): of {@code reference},
     * or of the zero block of {@code dimension} ({@code e = 0}) when there is none.
     */
    public static String referenceDigest(Bfp16Block reference, int dimension) {
        return Digests.block(reference != null ? reference : ModelUpdate.zeros(dimension));
    }

    /** The failure of a round with {@code n} accepted updates, fewer than the quorum. */
    static String belowQuorum(AggregationSettings a, int n) {
        String rule = a.pipeline() != null ? a.ruleName() : a.ruleName() + " with f = " + a.f() + (a.m() > 0 ? ", m = " + a.m() : "");
        return "below quorum: " + n + " accepted update" + (n == 1 ? "" : "s") + ", " + rule + " needs " + a.quorum();
    }

    private static List<String> canonical(List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        String[] a = ids.toArray(new String[0]);
        int[] order = NodeIds.canonicalOrder(a);
        String[] out = new String[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = a[order[k]];
        }
        return List.of(out);
    }
}
