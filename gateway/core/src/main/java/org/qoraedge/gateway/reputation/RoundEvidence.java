package org.qoraedge.gateway.reputation;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.gateway.aggregation.AggregationResult;
import org.qoraedge.gateway.protocol.RejectReason;

/**
 * What one closed round measured about its nodes: the input of {@link ReputationLedger#apply}.
 * Immutable; arrays and collections are copied in and out, and the sets are held in canonical
 * order, so the iteration order of the caller's sets never matters.
 *
 * <ul>
 * <li>{@code acceptedIds}: the nodes with an accepted update, in canonical order (strictly
 * increasing by unsigned UTF-8 bytes; the caller sorts them, as {@link AggregationResult} does).
 * May be empty.</li>
 * <li>{@code krumScores}: the Krum scores by canonical index, each {@code >= 0} (saturated at
 * {@code Long.MAX_VALUE}), or an empty array when nothing was measured (the MEAN aggregator, or a
 * round that closed without aggregating).</li>
 * <li>{@code deviations}: for the rules without Krum scores (the mean and every pipeline), each
 * update's deviation from the round's aggregate by canonical index ({@code >= 0}; see
 * {@link org.qoraedge.gateway.aggregation.Deviations}), or an empty array. At most one of
 * {@code krumScores} and {@code deviations} is given.</li>
 * <li>{@code selected}: the canonical indices the rule selected (Krum, Multi-Krum) or used (the
 * others: every update its norm screens kept), each in range, no duplicate, any order. Ignored when
 * neither scores nor deviations are given.</li>
 * <li>{@code misbehaved}: nodes that sent this round at least one authenticated frame (signature
 * valid) refused for a violation the node is answerable for; see {@link #countsAsMisbehaviour}.
 * Never nodes whose frame failed the signature check: anyone can write any node id on a frame. May
 * overlap with {@code acceptedIds} and {@code absent}.</li>
 * <li>{@code absent}: expected nodes without an accepted update this round. Disjoint from
 * {@code acceptedIds}.</li>
 * </ul>
 *
 * <p>Every id must be a valid node id ({@link NodeIds#utf8}). Anything else is refused with a
 * {@link ReputationException}.
 */
public final class RoundEvidence {
    private final long round;
    private final String[] acceptedIds;
    private final long[] krumScores;
    private final long[] deviations;
    private final int[] selected;
    private final SortedSet<String> misbehaved;
    private final SortedSet<String> absent;

    /**
     * @param round the round number, {@code >= 0}
     * @throws ReputationException for inconsistent lengths, an index out of range or repeated, a
     *         negative score, ids out of canonical order or repeated, an invalid id, an absent node
     *         that also has an accepted update
     */
    public RoundEvidence(long round, List<String> acceptedIds, long[] krumScores, int[] selected, Collection<String> misbehaved,
            Collection<String> absent) {
        this(round, acceptedIds, krumScores, new long[0], selected, misbehaved, absent);
    }

    /**
     * Evidence with either Krum scores or deviations (the other empty).
     *
     * @param round the round number, {@code >= 0}
     * @throws ReputationException as the other constructor, and when both measures are given
     */
    public RoundEvidence(long round, List<String> acceptedIds, long[] krumScores, long[] deviations, int[] selected,
            Collection<String> misbehaved, Collection<String> absent) {
        if (round < 0) {
            throw new ReputationException("round must be >= 0, got " + round);
        }
        this.round = round;
        this.acceptedIds = acceptedIds.toArray(new String[0]);
        int n = this.acceptedIds.length;
        for (int k = 0; k < n; k++) {
            CanonicalOrder.valid(this.acceptedIds[k], "round " + round + ": accepted node at index " + k);
            if (k > 0 && CanonicalOrder.compare(this.acceptedIds[k - 1], this.acceptedIds[k]) >= 0) {
                throw new ReputationException("round " + round + ": accepted node ids are not in canonical order (strictly"
                        + " increasing UTF-8 bytes): " + NodeIds.escape(this.acceptedIds[k - 1]) + " at index " + (k - 1)
                        + ", then " + NodeIds.escape(this.acceptedIds[k]) + " at index " + k);
            }
        }
        this.krumScores = krumScores.clone();
        if (this.krumScores.length != 0 && this.krumScores.length != n) {
            throw new ReputationException("round " + round + " has " + this.krumScores.length + " Krum scores for " + n
                    + " accepted nodes; expected " + n + " or none");
        }
        for (int k = 0; k < this.krumScores.length; k++) {
            if (this.krumScores[k] < 0) {
                throw new ReputationException("round " + round + ": Krum score of " + NodeIds.escape(this.acceptedIds[k])
                        + " (index " + k + ") is negative: " + this.krumScores[k]);
            }
        }
        this.deviations = deviations.clone();
        if (this.deviations.length != 0 && (this.deviations.length != n || this.krumScores.length != 0)) {
            throw new ReputationException("round " + round + " has " + this.deviations.length + " deviations for " + n
                    + " accepted nodes and " + this.krumScores.length + " Krum scores; expected " + n
                    + " deviations and no scores, or no deviations");
        }
        for (int k = 0; k < this.deviations.length; k++) {
            if (this.deviations[k] < 0) {
                throw new ReputationException("round " + round + ": deviation of " + NodeIds.escape(this.acceptedIds[k])
                        + " (index " + k + ") is negative: " + this.deviations[k]);
            }
        }
        this.selected = selected.clone();
        boolean[] seen = new boolean[n];
        for (int index : this.selected) {
            if (index < 0 || index >= n) {
                throw new ReputationException("round " + round + ": selected index " + index + " is outside [0, " + n + ")");
            }
            if (seen[index]) {
                throw new ReputationException("round " + round + ": selected index " + index + " appears twice");
            }
            seen[index] = true;
        }
        this.misbehaved = canonicalSet(round, misbehaved, "misbehaving node");
        this.absent = canonicalSet(round, absent, "absent node");
        for (String id : this.absent) {
            if (Arrays.binarySearch(this.acceptedIds, id, CanonicalOrder.IDS) >= 0) {
                throw new ReputationException("round " + round + ": node " + NodeIds.escape(id)
                        + " is both absent and accepted");
            }
        }
    }

    /**
     * The evidence of an aggregated round: ids, Krum scores or deviations, and selection from the
     * aggregation result.
     */
    public static RoundEvidence of(long round, AggregationResult result, Collection<String> misbehaved, Collection<String> absent) {
        return new RoundEvidence(round, Arrays.asList(result.canonicalIds()), result.scores(), result.deviations(),
                result.selected(), misbehaved, absent);
    }

    /**
     * The nodes that misbehaved in a round: those with at least one refusal that
     * {@linkplain #countsAsMisbehaviour counts}. The gateway and a replay of its audit record both
     * derive the evidence's misbehaving set here, so the two cannot differ.
     *
     * @param refusalsByNode each node's refusal reasons in the round (repeats allowed)
     */
    public static SortedSet<String> misbehaving(Map<String, ? extends Collection<RejectReason>> refusalsByNode) {
        SortedSet<String> out = new TreeSet<>();
        for (Map.Entry<String, ? extends Collection<RejectReason>> e : refusalsByNode.entrySet()) {
            for (RejectReason r : e.getValue()) {
                if (countsAsMisbehaviour(r)) {
                    out.add(e.getKey());
                    break;
                }
            }
        }
        return out;
    }

    /** The expected nodes without an accepted update in the round. */
    public static SortedSet<String> absent(Collection<String> expected, Collection<String> acceptedIds) {
        SortedSet<String> out = new TreeSet<>(expected);
        out.removeAll(new HashSet<>(acceptedIds));
        return out;
    }

    /**
     * Whether an authenticated frame refused for {@code reason} costs its node reputation. Only
     * violations that need the node's key <em>now</em>: {@code WRONG_DIMENSION}, {@code WRONG_MODEL},
     * {@code INVALID_BLOCK} and {@code TOO_DENSE} (they come after the round and sequence checks, so the frame was
     * freshly signed for this round). Not {@code WRONG_ROUND} or {@code REPLAYED_SEQUENCE}: anyone
     * who captured one of the node's frames can publish it again. Not {@code DUPLICATE_UPDATE}: an
     * honest node that retries a publish it could not confirm sends one, and its first update
     * already counts. Not the reasons before the signature check (anyone can forge them) nor
     * {@code BANNED}.
     */
    public static boolean countsAsMisbehaviour(RejectReason reason) {
        switch (reason) {
            case WRONG_DIMENSION:
            case WRONG_MODEL:
            case INVALID_BLOCK:
            case TOO_DENSE:
                return true;
            default:
                return false;
        }
    }

    /** The round number. */
    public long round() {
        return round;
    }

    /** The accepted node ids in canonical order. */
    public List<String> acceptedIds() {
        return List.of(acceptedIds);
    }

    /** The Krum scores by canonical index, or an empty array when nothing was measured. */
    public long[] krumScores() {
        return krumScores.clone();
    }

    /** The deviations by canonical index, or an empty array when the round has none. */
    public long[] deviations() {
        return deviations.clone();
    }

    /** Whether the round measured its nodes: Krum scores or deviations. */
    public boolean measured() {
        return krumScores.length != 0 || deviations.length != 0;
    }

    /** Whether the round's measure is deviations from the aggregate (not Krum scores). */
    boolean byDeviation() {
        return deviations.length != 0;
    }

    long deviation(int k) {
        return deviations[k];
    }

    /** The selected canonical indices, as given. */
    public int[] selected() {
        return selected.clone();
    }

    /** The misbehaving nodes, in canonical order. */
    public SortedSet<String> misbehaved() {
        return Collections.unmodifiableSortedSet(misbehaved);
    }

    /** The absent nodes, in canonical order. */
    public SortedSet<String> absent() {
        return Collections.unmodifiableSortedSet(absent);
    }

    int size() {
        return acceptedIds.length;
    }

    String acceptedId(int k) {
        return acceptedIds[k];
    }

    long score(int k) {
        return krumScores[k];
    }

    boolean[] selectedMask() {
        boolean[] mask = new boolean[acceptedIds.length];
        for (int index : selected) {
            mask[index] = true;
        }
        return mask;
    }

    private static SortedSet<String> canonicalSet(long round, Collection<String> ids, String what) {
        TreeSet<String> out = new TreeSet<>(CanonicalOrder.IDS);
        for (String id : ids) {
            CanonicalOrder.valid(id, "round " + round + ": " + what);
            out.add(id);
        }
        return out;
    }

    @Override
    public String toString() {
        return "RoundEvidence[round=" + round + ", accepted=" + Arrays.toString(acceptedIds) + ", scores="
                + Arrays.toString(krumScores) + ", deviations=" + Arrays.toString(deviations) + ", selected="
                + Arrays.toString(selected) + ", misbehaved=" + misbehaved + ", absent=" + absent + "]";
    }
}
