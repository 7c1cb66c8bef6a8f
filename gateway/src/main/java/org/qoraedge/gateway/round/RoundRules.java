package org.qoraedge.gateway.round;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.RoundClose;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.protocol.ByzantineFraction;
import org.qoraedge.gateway.protocol.Cohort;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.reputation.ChangeReason;
import org.qoraedge.gateway.reputation.ReputationChange;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.tinylog.Logger;

/** What a round applies and records besides verification and aggregation: the f that applies, its report, its audit record and its log line. */
final class RoundRules {
    private RoundRules() {
    }

    /**
     * The round's aggregation settings: the configured ones, with {@code f} lowered by the number of
     * registered nodes the reputation ledger has banned when {@code bansLowerF} is on (docs/REPUTATION.md,
     * "Bans and f"): a banned node cannot take part, so it no longer counts among the Byzantine nodes
     * the rule must outvote. Bans change only at round close, so the value holds for the whole round.
     */
    static AggregationSettings effective(CoordinatorSettings settings, ReputationLedger ledger, long round,
            Announcement.CohortDraw draw) {
        AggregationSettings a = settings.aggregation();
        if (draw != null && settings.cohort().byzantineFraction() != null) {
            // f is the declared fraction of the cohort drawn: banned nodes are not in it (docs/PROTOCOL.md section 6.2).
            return settings.cohort().aggregationFor(draw.members().size(), a);
        }
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
     * The cohort of {@code round} (docs/PROTOCOL.md section 6.2), or null when the gateway asks every
     * expected node: drawn from the expected nodes that are not banned now, at the round's start
     * (bans change only at a round's close, so a restart inside the round draws the same cohort).
     */
    static Announcement.CohortDraw drawCohort(CoordinatorSettings settings, long round, String modelDigest,
            Predicate<String> banned) {
        CohortSettings c = settings.cohort();
        if (c == null) {
            return null;
        }
        List<String> eligible = new ArrayList<>();
        for (String id : settings.expected()) {
            if (!banned.test(id)) {
                eligible.add(id);
            }
        }
        List<String> members = eligible.isEmpty() ? List.of() : Cohort.select(modelDigest, round, eligible, c.size());
        // settings.expected() is sorted by String order, which is the UTF-8 byte order of valid ids (none reaches U+FDD0).
        return new Announcement.CohortDraw(List.copyOf(eligible), members);
    }

    /** The verifier's cohort test of a round: null when it asks every node. */
    static Predicate<String> cohortTest(Announcement.CohortDraw draw) {
        if (draw == null) {
            return null;
        }
        Set<String> members = Set.copyOf(draw.members());
        return members::contains;
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

    /** The audit record of round {@code r}, closed with {@code outcome} (docs/AUDIT.md). */
    static AuditRecord auditRecord(CoordinatorSettings settings, ReputationLedger ledger, boolean framesKept, OpenRound r,
            RoundClose.Outcome outcome, RoundReport report, RoundReputation.Step rep, long droppedNow, Bfp16Block reference) {
        List<AuditRecord.ReputationChange> changes = new ArrayList<>();
        for (ReputationChange c : rep.changes()) {
            changes.add(AuditRecord.ReputationChange.of(c));
        }
        return AuditRecord.builder()
                .gateway(settings.fleet(), settings.gatewayId(), settings.gatewayPublicKey())
                .round(r.round)
                .config(AuditRecord.Config.of(r.aggregation, settings.dimension(), settings.modelId(),
                        ledger == null ? "" : ledger.settings().toCanonicalString(), r.expected, cohortRecord(settings, r))
                        .withBuffered(settings.buffered() == null ? null : new AuditRecord.BufferedInputs(
                                settings.buffered().bufferSize(), settings.buffered().maxStaleness(),
                                settings.buffered().serverStepShift()))
                        .withCentralNoise(settings.centralNoise() == null ? null
                                : new AuditRecord.CentralNoiseInputs(settings.centralNoise().sigma2()))
                        .withMaxNonZero(settings.maxNonZero() < settings.dimension() ? settings.maxNonZero() : 0))
                .modelBefore(r.modelBefore)
                .frames(r.frames, r.framesOmitted, framesKept)
                .outcome(outcome, report.modelDigest())
                .referenceDigest(r.aggregation.usesReference() ? RoundClose.referenceDigest(reference, settings.dimension()) : "")
                .reputation(changes)
                .operator(rep.operator())
                .timing(new AuditRecord.Timing(r.openedAtMillis, System.currentTimeMillis(), report.closeNanos() / 1000,
                        report.deadlineReached(), r.restarts, droppedNow - r.droppedAtOpen))
                .build();
    }

    /** The record's {@code config.cohort}: null when the round asked every expected node. */
    private static AuditRecord.CohortInputs cohortRecord(CoordinatorSettings settings, OpenRound r) {
        if (r.draw == null) {
            return null;
        }
        CohortSettings c = settings.cohort();
        ByzantineFraction fraction = c.byzantineFraction();
        return new AuditRecord.CohortInputs(c.size(), r.draw.eligible(), fraction == null ? "" : fraction.toString(),
                fraction == null ? -1 : fraction.of(r.draw.members().size()));
    }

    /** Node ids listed per reason in the evidence line; the rest are counted. */
    private static final int EVIDENCE_IDS = 5;

    /**
     * The round's evidence of an attack in words, {@code ""} for none: frames refused for a reason
     * that is evidence ({@link RejectReason#evidenceOfAttack}), by reason with their count and node
     * ids, then the nodes the ledger penalised as misbehaving and the nodes it banned. Late,
     * duplicate and banned nodes' frames, absent nodes, decay and an update far from the round
     * (which an honest node with unusual data can send) are not evidence.
     */
    static String attackEvidence(RoundReport report, List<ReputationChange> changes) {
        Map<RejectReason, List<String>> nodes = new TreeMap<>();
        for (Map.Entry<String, Map<RejectReason, Long>> e : report.rejectedByNode().entrySet()) {
            for (RejectReason reason : e.getValue().keySet()) {
                if (reason.evidenceOfAttack()) {
                    nodes.computeIfAbsent(reason, k -> new ArrayList<>()).add(e.getKey());
                }
            }
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<RejectReason, Long> e : new TreeMap<>(report.rejected()).entrySet()) {
            if (e.getKey().evidenceOfAttack()) {
                List<String> ids = nodes.getOrDefault(e.getKey(), List.of());
                parts.add(e.getKey().wireName() + ": " + e.getValue() + (e.getValue() == 1 ? " frame" : " frames")
                        + (ids.isEmpty() ? "" : " (" + listed(ids) + ")"));
            }
        }
        List<String> misbehaved = new ArrayList<>();
        List<String> banned = new ArrayList<>();
        for (ReputationChange c : changes) {
            if (c.reasons().contains(ChangeReason.MISBEHAVED)) {
                misbehaved.add(c.node());
            }
            if (c.banned()) {
                banned.add(c.node() + " (" + c.reasonsText() + ")");
            }
        }
        if (!misbehaved.isEmpty()) {
            parts.add("misbehaved: " + listed(misbehaved));
        }
        if (!banned.isEmpty()) {
            parts.add("banned: " + listed(banned));
        }
        return String.join("; ", parts);
    }

    private static String listed(List<String> ids) {
        return ids.size() <= EVIDENCE_IDS ? String.join(", ", ids)
                : String.join(", ", ids.subList(0, EVIDENCE_IDS)) + " and " + (ids.size() - EVIDENCE_IDS) + " more";
    }

    /** Logs the round's outcome: one INFO line when it aggregated, one WARN line when it failed closed. */
    static void log(RoundReport report, OpenRound r, int expected, long droppedNow, long refusedNow) {
        long refused = refusedNow - r.refusedAtOpen;
        String dropped = (droppedNow - r.droppedAtOpen) + (refused == 0 ? "" : ", refused before decoding " + refused);
        if (report.aggregated()) {
            Logger.info("round {} aggregated: {} of {} expected, rejected {}, dropped {}, close {} ms, selected [{}], model {}",
                    report.round(), report.acceptedIds().size(), expected, report.rejectedSummary(), dropped,
                    String.format(Locale.ROOT, "%.1f", report.closeNanos() / 1e6),
                    String.join(",", report.result().selectedIds()), report.modelDigest().substring(0, 16));
        } else {
            Logger.warn("round {} failed closed: {}; {} of {} expected, rejected {}, dropped {}, model unchanged {}", report.round(),
                    report.failure(), report.acceptedIds().size(), expected, report.rejectedSummary(), dropped,
                    report.modelDigest().substring(0, 16));
        }
    }
}
