package org.qoraedge.gateway.round;

import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.RoundClose;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.tinylog.Logger;

/** Two rules of a round that are neither verification nor aggregation: the f that applies, and what the round reports. */
final class RoundRules {
    private RoundRules() {
    }

    /**
     * The round's aggregation settings: the configured ones, with {@code f} lowered by the number of
     * registered nodes the reputation ledger has banned when {@code bansLowerF} is on (docs/REPUTATION.md,
     * "Bans and f"): a banned node cannot take part, so it no longer counts among the Byzantine nodes
     * the rule must outvote. Bans change only at round close, so the value holds for the whole round.
     */
    static AggregationSettings effective(CoordinatorSettings settings, ReputationLedger ledger, long round) {
        AggregationSettings a = settings.aggregation();
        if (!settings.bansLowerF() || a.f() == 0 || ledger == null) {
            return a;
        }
        int bannedCount = 0;
        for (String id : settings.registry().keySet()) {
            if (ledger.isBanned(id)) { // reputation bans only: the operator's ban list may hold nodes that are merely retired
                bannedCount++;
            }
        }
        if (bannedCount == 0) {
            return a;
        }
        int f = Math.max(0, a.f() - bannedCount);
        Logger.info("round {}: f = {} (configured {}, lowered by {} banned node{})", round, f, a.f(), bannedCount,
                bannedCount == 1 ? "" : "s");
        return new AggregationSettings(a.kind(), a.metric(), f, a.m(), a.minUpdates());
    }

    /**
     * What round {@code r} did, for listeners and the log. Its close time counts from the last
     * accepted update's arrival (from the deadline when the deadline closed the round after it, or
     * when nothing was accepted) to {@code closedAt}, the end of aggregation.
     */
    static RoundReport report(OpenRound r, RoundClose.Outcome outcome, String modelDigest, long closedAt) {
        long from = r.lastAcceptNanos == 0 ? r.deadlineNanos : r.lastAcceptNanos;
        if (r.deadlineReached) {
            from = Math.max(from, r.deadlineNanos);
        }
        return new RoundReport(r.round, outcome.aggregated(), outcome.aggregated() ? null : outcome.failure(),
                outcome.acceptedIds(), outcome.result(), modelDigest, r.rejections.byReason(), r.rejections.byNode(),
                Math.max(0, closedAt - from), closedAt - r.startNanos, r.deadlineReached);
    }
}
