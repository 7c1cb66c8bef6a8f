package org.qoraedge.gateway.aggregation;

import java.util.ArrayList;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.SelectionResult;

/**
 * What aggregating one round gave: the round's node ids in canonical order (spec section 5), the
 * Krum scores and ranking (empty for MEAN), the selection as canonical indices, and the aggregate
 * block (the aggregated update, not yet added to the global model), with their digests
 * ({@link SelectionResult}). Immutable; arrays copied out.
 */
public final class AggregationResult implements SelectionResult {
    private final String[] canonicalIds;
    private final long[] scores;
    private final int[] ranking;
    private final int[] selected;
    private final int referenceExponent;
    private final Bfp16Block aggregate;
    private final List<int[]> kept;
    private final long[] deviations;
    private final long[] weights;

    public AggregationResult(String[] canonicalIds, long[] scores, int[] ranking, int[] selected, int referenceExponent,
            Bfp16Block aggregate) {
        this(canonicalIds, scores, ranking, selected, referenceExponent, aggregate, List.of(), new long[0], new long[0]);
    }

    /**
     * A result with what a pipeline's norm screens kept.
     *
     * @param kept for each {@code norm-screen} of the pipeline, in order, the canonical indices it
     *     kept, ascending (robust spec section 7); empty for the other rules
     * @param deviations for the rules without Krum scores, each update's {@link Deviations deviation}
     *     from the aggregate by canonical index; empty for Krum and Multi-Krum
     * @param weights the weight of each update by canonical index in a reputation-weighted round;
     *     empty otherwise
     */
    public AggregationResult(String[] canonicalIds, long[] scores, int[] ranking, int[] selected, int referenceExponent,
            Bfp16Block aggregate, List<int[]> kept, long[] deviations, long[] weights) {
        if (deviations.length != 0 && deviations.length != canonicalIds.length) {
            throw new IllegalArgumentException(deviations.length + " deviations for " + canonicalIds.length + " updates");
        }
        if (weights.length != 0 && weights.length != canonicalIds.length) {
            throw new IllegalArgumentException(weights.length + " weights for " + canonicalIds.length + " updates");
        }
        this.deviations = deviations.clone();
        this.weights = weights.clone();
        List<int[]> k = new ArrayList<>(kept.size());
        for (int[] x : kept) {
            k.add(x.clone());
        }
        this.kept = List.copyOf(k);
        this.canonicalIds = canonicalIds.clone();
        this.scores = scores.clone();
        this.ranking = ranking.clone();
        this.selected = selected.clone();
        this.referenceExponent = referenceExponent;
        this.aggregate = aggregate;
    }

    /** Node ids in canonical order: index k is block k of the round. */
    public String[] canonicalIds() {
        return canonicalIds.clone();
    }

    /** Krum scores by canonical index; empty for MEAN. */
    @Override
    public long[] scores() {
        return scores.clone();
    }

    /** Canonical indices by (score, index); empty for MEAN. */
    @Override
    public int[] ranking() {
        return ranking.clone();
    }

    /** Selected canonical indices in rank order (every index, in order, for MEAN). */
    @Override
    public int[] selected() {
        return selected.clone();
    }

    /** Node ids of the selection, in rank order. */
    public String[] selectedIds() {
        String[] out = new String[selected.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = canonicalIds[selected[i]];
        }
        return out;
    }

    /** COMMON's reference exponent; 0 for PAIRWISE and MEAN. */
    public int referenceExponent() {
        return referenceExponent;
    }

    /** For each norm screen of a pipeline, the canonical indices it kept (copies); empty for the other rules. */
    public List<int[]> kept() {
        List<int[]> out = new ArrayList<>(kept.size());
        for (int[] x : kept) {
            out.add(x.clone());
        }
        return out;
    }

    /**
     * Each update's {@link Deviations deviation} from the aggregate, by canonical index: the
     * reputation measure of the rules without Krum scores (the mean and every pipeline); empty for
     * Krum and Multi-Krum, whose measure is their scores.
     */
    public long[] deviations() {
        return deviations.clone();
    }

    /** The weight of each update by canonical index in a reputation-weighted round; empty otherwise. */
    public long[] weights() {
        return weights.clone();
    }

    /** The aggregated update. */
    @Override
    public Bfp16Block aggregate() {
        return aggregate;
    }
}
