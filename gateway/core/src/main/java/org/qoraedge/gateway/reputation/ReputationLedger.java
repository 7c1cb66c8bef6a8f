package org.qoraedge.gateway.reputation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.qoraedge.fixedpoint.NodeIds;

/**
 * Every node's reputation: a score in parts per million (0 .. 1_000_000, neutral 500_000 for a
 * node never seen), updated once per closed round from what the round measured, in integers only,
 * so two gateways that apply the same rounds hold equal {@link #entries()} to the bit.
 *
 * <h2>One round ({@link #apply})</h2>
 * The round names nodes as accepted (with a measure), misbehaving, absent, or several of these
 * (see {@link RoundEvidence}). Each named node that is not banned is updated independently, in
 * canonical id order, by these steps ({@code N} = 500_000, {@code ONE} = 1_000_000, amounts from
 * {@link ReputationSettings}):
 * <ol>
 * <li><b>Measure.</b> If the round has Krum scores: {@code median} = the lower median (element
 * {@code (n-1)/2} of the sorted scores of the {@code n} accepted nodes). An accepted node is
 * {@link ChangeReason#SELECTED} if selected (even if its score is high), else
 * {@link ChangeReason#FAR_OUTSIDE} if {@code median > 0} and {@code score * ONE > farFactorPpm *
 * median} (exact, 128-bit), else {@link ChangeReason#IN_RANGE}. If the round has deviations from
 * its aggregate instead (the mean and every pipeline): {@code median} = their lower median; an
 * accepted node is {@link ChangeReason#FAR_OUTSIDE} if its deviation is far by the same test, else
 * {@link ChangeReason#NEAR} if the rule used its update and it is among the closer half (rank by
 * (deviation, index) at most {@code (n-1)/2}), else {@link ChangeReason#IN_RANGE}. A round that
 * measured nothing (closed without aggregating) gives {@link ChangeReason#NOT_MEASURED}. An absent
 * node is {@link ChangeReason#ABSENT}. The test is a ratio of measures of the same round, which
 * share one unit, so it does not depend on the model's scale.</li>
 * <li><b>Decay.</b> {@code s1 = N + sign(s0 - N) * floorDiv(|s0 - N| * (ONE - decay), ONE)}.</li>
 * <li><b>Reward and penalties.</b> {@code s2 = s1 + reward} if SELECTED or NEAR, {@code - penalty} if
 * FAR_OUTSIDE, then {@code - misbehaviourPenalty} if the node misbehaved (once per round).</li>
 * <li><b>Clamp.</b> {@code s3 = min(max(s2, 0), ONE)}: the score's defined range.</li>
 * <li><b>Ban.</b> If {@code s3 < banBelow} the node is banned from this round on
 * ({@link ChangeReason#BANNED}).</li>
 * </ol>
 * A banned node is not updated at all (no decay, no counters, no change reported) until the
 * operator lifts the ban with {@link #unban}; there is no automatic unban. Nodes the round does not
 * name are untouched. Rounds must be applied in increasing order; a round applied twice is
 * refused, so replaying a round cannot count it twice.
 *
 * <h2>Thread safety</h2>
 * {@link #apply} and {@link #unban} are serialized on the ledger; they publish a new immutable
 * snapshot through a volatile field. {@link #score}, {@link #isBanned}, {@link #influence},
 * {@link #entries} and {@link #lastRound} read the latest snapshot without locking, from any
 * thread (the round worker asks {@link #isBanned} for every authenticated frame).
 */
public final class ReputationLedger {
    private final ReputationSettings settings;
    private volatile State state;

    private record State(SortedMap<String, NodeReputation> entries, long lastRound) {
    }

    /** An empty ledger: every node neutral, no round applied. */
    public ReputationLedger(ReputationSettings settings) {
        this(settings, new TreeMap<>(CanonicalOrder.IDS), -1);
    }

    private ReputationLedger(ReputationSettings settings, TreeMap<String, NodeReputation> entries, long lastRound) {
        if (settings == null) {
            throw new ReputationException("reputation settings are required");
        }
        this.settings = settings;
        this.state = new State(Collections.unmodifiableSortedMap(entries), lastRound);
    }

    /**
     * A ledger re-loaded from saved state ({@link #entries()} and {@link #lastRound()} of an
     * earlier ledger). The entries' order and map type do not matter.
     *
     * @param lastRound the last round applied, or -1 if none
     * @throws ReputationException for an invalid node id, a null entry, a last round below -1, or a
     *         ban dated after the last round (the entries themselves are validated by
     *         {@link NodeReputation}'s constructor)
     */
    public static ReputationLedger restore(ReputationSettings settings, Map<String, NodeReputation> entries, long lastRound) {
        if (lastRound < -1) {
            throw new ReputationException("last round must be >= -1 (-1: none applied), got " + lastRound);
        }
        TreeMap<String, NodeReputation> m = new TreeMap<>(CanonicalOrder.IDS);
        for (Map.Entry<String, NodeReputation> e : entries.entrySet()) {
            String id = CanonicalOrder.valid(e.getKey(), "restored node");
            NodeReputation r = e.getValue();
            if (r == null) {
                throw new ReputationException("restored node " + NodeIds.escape(id) + " has no entry");
            }
            if (r.banned() && r.bannedSinceRound() > lastRound) {
                throw new ReputationException("restored node " + NodeIds.escape(id) + " was banned in round "
                        + r.bannedSinceRound() + ", after the last applied round " + lastRound);
            }
            m.put(id, r);
        }
        return new ReputationLedger(settings, m, lastRound);
    }

    /** The settings this ledger applies. */
    public ReputationSettings settings() {
        return settings;
    }

    /** The last round applied, or -1 if none. */
    public long lastRound() {
        return state.lastRound;
    }

    /** The node's score in ppm; 500_000 (neutral) for a node never seen. */
    public int score(String node) {
        return entry(node).score();
    }

    /** Whether the node is banned: its frames are to be refused. Lock-free; any thread. */
    public boolean isBanned(String node) {
        return entry(node).banned();
    }

    /**
     * The node's weight for a reputation-weighted aggregation, ppm:
     * {@code min(floor(score^3 / 10^12), influenceCap)} (rep^3, rounded down to the ppm, capped so
     * that no node dominates). 0 for a banned node. A node never seen has 125_000. Scores below
     * 0.01 give 0; a weighted mean that needs weights {@code >= 1} must exclude such nodes.
     */
    public int influence(String node) {
        NodeReputation r = entry(node);
        return r.banned() ? 0 : ScoreMath.influence(r.score(), settings.influenceCapPpm());
    }

    /**
     * The node's weight in a reputation-weighted round (docs/REPUTATION.md section 7):
     * {@code max(influence, 1)}, an integer {@code >= 1} as the exact weighted means need (base spec
     * section 6), at most the influence cap in ppm. A node whose influence rounds to 0 (score below
     * 0.01) keeps the smallest weight, 1 ppm, rather than leaving the round: the rule's quorum and
     * {@code f} stay those of the updates accepted.
     */
    public long weight(String node) {
        return Math.max(1, influence(node));
    }

    /** Every node seen, in canonical id order: an immutable snapshot. */
    public SortedMap<String, NodeReputation> entries() {
        return state.entries;
    }

    /**
     * Applies one closed round (see the class description for the exact steps).
     *
     * @return one change per named node that is not banned (also when the score stays the same),
     *         in canonical id order
     * @throws ReputationException if the round is not above {@link #lastRound()}; the ledger is
     *         then unchanged
     */
    public synchronized List<ReputationChange> apply(RoundEvidence evidence) {
        State st = state;
        long round = evidence.round();
        if (round <= st.lastRound) {
            throw new ReputationException("round " + round + " is not after the last applied round " + st.lastRound
                    + "; rounds are applied once, in increasing order");
        }
        TreeMap<String, ChangeReason> measure = new TreeMap<>(CanonicalOrder.IDS);
        if (evidence.byDeviation()) {
            long[] deviations = evidence.deviations();
            long median = ScoreMath.lowerMedian(deviations);
            boolean[] near = ScoreMath.closerHalf(deviations);
            boolean[] used = evidence.selectedMask();
            for (int k = 0; k < evidence.size(); k++) {
                ChangeReason m;
                if (ScoreMath.isFar(deviations[k], median, settings.farFactorPpm())) {
                    m = ChangeReason.FAR_OUTSIDE;
                } else if (near[k] && used[k]) {
                    m = ChangeReason.NEAR;
                } else {
                    m = ChangeReason.IN_RANGE;
                }
                measure.put(evidence.acceptedId(k), m);
            }
        } else if (evidence.measured()) {
            long median = ScoreMath.lowerMedian(evidence.krumScores());
            boolean[] selected = evidence.selectedMask();
            for (int k = 0; k < evidence.size(); k++) {
                ChangeReason m;
                if (selected[k]) {
                    m = ChangeReason.SELECTED;
                } else if (ScoreMath.isFar(evidence.score(k), median, settings.farFactorPpm())) {
                    m = ChangeReason.FAR_OUTSIDE;
                } else {
                    m = ChangeReason.IN_RANGE;
                }
                measure.put(evidence.acceptedId(k), m);
            }
        } else {
            for (int k = 0; k < evidence.size(); k++) {
                measure.put(evidence.acceptedId(k), ChangeReason.NOT_MEASURED);
            }
        }
        for (String id : evidence.absent()) {
            measure.put(id, ChangeReason.ABSENT);
        }
        TreeSet<String> named = new TreeSet<>(CanonicalOrder.IDS);
        named.addAll(measure.keySet());
        named.addAll(evidence.misbehaved());

        TreeMap<String, NodeReputation> next = new TreeMap<>(st.entries);
        List<ReputationChange> changes = new ArrayList<>(named.size());
        for (String node : named) {
            NodeReputation cur = next.getOrDefault(node, NodeReputation.NEW);
            if (cur.banned()) {
                continue;
            }
            ChangeReason m = measure.get(node);
            boolean misbehaved = evidence.misbehaved().contains(node);
            EnumSet<ChangeReason> reasons = EnumSet.noneOf(ChangeReason.class);
            long s = ScoreMath.decay(cur.score(), settings.decayPpm());
            if (m != null) {
                reasons.add(m);
            }
            if (m == ChangeReason.SELECTED || m == ChangeReason.NEAR) {
                s += settings.rewardPpm();
            } else if (m == ChangeReason.FAR_OUTSIDE) {
                s -= settings.penaltyPpm();
            }
            if (misbehaved) {
                reasons.add(ChangeReason.MISBEHAVED);
                s -= settings.misbehaviourPenaltyPpm();
            }
            int after = ScoreMath.clamp(s);
            boolean ban = after < settings.banBelowPpm();
            if (ban) {
                reasons.add(ChangeReason.BANNED);
            }
            next.put(node, new NodeReputation(after, ban, ban ? round : -1, cur.roundsSeen() + 1,
                    cur.timesSelected() + (m == ChangeReason.SELECTED || m == ChangeReason.NEAR ? 1 : 0),
                    cur.timesFar() + (m == ChangeReason.FAR_OUTSIDE ? 1 : 0),
                    cur.timesMisbehaved() + (misbehaved ? 1 : 0)));
            changes.add(new ReputationChange(node, round, cur.score(), after, reasons));
        }
        state = new State(Collections.unmodifiableSortedMap(next), round);
        return List.copyOf(changes);
    }

    /**
     * The operator lifts a node's ban: its score becomes {@code unban-to}, its counters stay.
     *
     * @param round the round to record the action under, {@code >= 0} and not before the ban
     * @throws ReputationException if the node is not banned (naming it), or for a round before the
     *         ban
     */
    public synchronized ReputationChange unban(String node, long round) {
        State st = state;
        NodeReputation cur = st.entries.get(CanonicalOrder.valid(node, "node to unban"));
        if (cur == null || !cur.banned()) {
            throw new ReputationException("node " + NodeIds.escape(node) + " is not banned"
                    + (cur == null ? " (the ledger has never seen it)" : " (score " + Ppm.format(cur.score()) + ")"));
        }
        if (round < cur.bannedSinceRound()) {
            throw new ReputationException("unban of node " + NodeIds.escape(node) + " in round " + round
                    + " precedes its ban in round " + cur.bannedSinceRound());
        }
        TreeMap<String, NodeReputation> next = new TreeMap<>(st.entries);
        next.put(node, new NodeReputation(settings.unbanToPpm(), false, -1, cur.roundsSeen(), cur.timesSelected(),
                cur.timesFar(), cur.timesMisbehaved()));
        state = new State(Collections.unmodifiableSortedMap(next), st.lastRound);
        return new ReputationChange(node, round, cur.score(), settings.unbanToPpm(), EnumSet.of(ChangeReason.OPERATOR_UNBAN));
    }

    private NodeReputation entry(String node) {
        NodeReputation r = state.entries.get(node);
        return r == null ? NodeReputation.NEW : r;
    }
}
