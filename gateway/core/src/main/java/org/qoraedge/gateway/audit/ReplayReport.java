package org.qoraedge.gateway.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * What replaying one round gave: every comparison, in the order {@link Replay} makes them
 * (journal, model frame, accepted frames, configuration, outcome, results). Immutable.
 *
 * @param round the record's round
 * @param recordedOutcome the record's outcome ({@code aggregated} or {@code failed})
 * @param replayedOutcome {@code aggregated}, {@code failed}, or {@code not replayed} when the
 *     configuration could not be read
 * @param replayedFailure why the recomputation refused the round ("" when it aggregated)
 * @param checks the comparisons
 * @param replayedAggregate the next round's centered-clipping reference as the recomputation gave
 *     it: the rule's aggregate, or with central noise the noised aggregate; null when the round did
 *     not aggregate or its noise could not be recomputed
 * @param noiseUnknown true when the round's aggregate got central noise and the replay had no
 *     secret: {@code modelAfter} was not checked and the next round's reference is unknown
 */
public record ReplayReport(long round, String recordedOutcome, String replayedOutcome, String replayedFailure,
        List<ReplayCheck> checks, Bfp16Block replayedAggregate, boolean noiseUnknown) {

    public ReplayReport {
        checks = List.copyOf(checks);
    }

    /** A report of a round whose aggregate, if any, is known. */
    public ReplayReport(long round, String recordedOutcome, String replayedOutcome, String replayedFailure,
            List<ReplayCheck> checks, Bfp16Block replayedAggregate) {
        this(round, recordedOutcome, replayedOutcome, replayedFailure, checks, replayedAggregate, false);
    }

    /** A report without an aggregate (the round was not recomputed, or did not aggregate). */
    public ReplayReport(long round, String recordedOutcome, String replayedOutcome, String replayedFailure,
            List<ReplayCheck> checks) {
        this(round, recordedOutcome, replayedOutcome, replayedFailure, checks, null);
    }

    /** True when no comparison found a difference (fields not checked do not count against it). */
    public boolean matches() {
        return checks.stream().noneMatch(ReplayCheck::mismatch);
    }

    /** The first comparison that found a difference, if any. */
    public Optional<ReplayCheck> firstMismatch() {
        return checks.stream().filter(ReplayCheck::mismatch).findFirst();
    }

    /** Every comparison that found a difference. */
    public List<ReplayCheck> mismatches() {
        List<ReplayCheck> out = new ArrayList<>();
        for (ReplayCheck c : checks) {
            if (c.mismatch()) {
                out.add(c);
            }
        }
        return out;
    }

    /** The comparison of {@code field}, if it was made. */
    public Optional<ReplayCheck> check(String field) {
        return checks.stream().filter(c -> c.field().equals(field)).findFirst();
    }

    /** One line per comparison ({@link ReplayCheck#line()}). */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (ReplayCheck c : checks) {
            out.add(c.line());
        }
        return out;
    }

    /**
     * One line: {@code round 12: match (15 fields)} or {@code round 12: MISMATCH in scores (2 fields
     * differ, first: scores)}.
     */
    public String summary() {
        List<ReplayCheck> bad = mismatches();
        long compared = checks.stream().filter(c -> c.status() != ReplayCheck.Status.NOT_CHECKED).count();
        if (bad.isEmpty()) {
            return "round " + round + ": match (" + compared + " fields compared)";
        }
        return "round " + round + ": MISMATCH in " + bad.get(0).field() + " (" + bad.size() + " of " + compared
                + " fields differ)";
    }
}
