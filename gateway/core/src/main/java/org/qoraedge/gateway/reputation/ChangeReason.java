package org.qoraedge.gateway.reputation;

import java.util.Locale;

/**
 * Why a node's reputation changed (or was re-examined) in a round. A change of
 * {@link ReputationLedger#apply} carries exactly one of the measures {@link #SELECTED},
 * {@link #IN_RANGE}, {@link #FAR_OUTSIDE}, {@link #NOT_MEASURED}, {@link #ABSENT}, or none (a node
 * named only as misbehaving), plus {@link #MISBEHAVED} and {@link #BANNED} when they apply; an
 * operator's unban carries {@link #OPERATOR_UNBAN} alone.
 */
public enum ChangeReason {
    /** The node's update was selected by Krum or Multi-Krum: decay, then + reward. */
    SELECTED,
    /** Accepted, not selected, Krum score within far-factor x the round's median: decay only. */
    IN_RANGE,
    /** Accepted, not selected, Krum score above far-factor x the round's median: decay, then - penalty. */
    FAR_OUTSIDE,
    /** Accepted in a round without Krum scores (MEAN, or closed without aggregating): decay only. */
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
