package org.qoraedge.gateway.reputation;

import java.util.Locale;

/**
 * Why a node's reputation changed (or was re-examined) in a round. A change of
 * {@link ReputationLedger#apply} carries exactly one of the measures {@link #SELECTED},
 * {@link #NEAR}, {@link #IN_RANGE}, {@link #FAR_OUTSIDE}, {@link #NOT_MEASURED}, {@link #ABSENT}, or none (a node
 * named only as misbehaving), plus {@link #MISBEHAVED} and {@link #BANNED} when they apply; an
 * operator's unban carries {@link #OPERATOR_UNBAN} alone.
 */
public enum ChangeReason {
    /** The node's update was selected by Krum or Multi-Krum: decay, then + reward. */
    SELECTED,
    /**
     * Rules without Krum scores: the update was used by the rule and is among the closer half of the
     * round to its aggregate (rank by (deviation, index) at most the lower median's): decay, then +
     * reward.
     */
    NEAR,
    /** Accepted, neither selected nor near, measure within far-factor x the round's median: decay only. */
    IN_RANGE,
    /** Accepted and measure (Krum score or deviation) above far-factor x the round's median, not selected by Krum: decay, then - penalty. */
    FAR_OUTSIDE,
    /** Accepted in a round that measured nothing (closed without aggregating, or recorded before deviations): decay only. */
    NOT_MEASURED,
    /** Expected, no accepted update: decay only. */
    ABSENT,
    /** An authenticated frame refused for a violation the node answers for: - misbehaviour penalty, once per round. */
    MISBEHAVED,
    /** The score fell below ban-below in this round; the node is banned from now on. */
    BANNED,
    /** The operator lifted the node's ban; the score became unban-to. */
    OPERATOR_UNBAN;

    /** The name used in logs and audit records, for example {@code far-outside}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
