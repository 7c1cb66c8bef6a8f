package org.qoraedge.gateway.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.reputation.ReputationChange;
import org.qoraedge.gateway.reputation.ReputationException;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.reputation.RoundEvidence;

/**
 * Recomputes every node's reputation from a log's records alone, from its first record on, and
 * compares each round's changes with the ones recorded: two gateways (or an auditor) folding the
 * same rounds hold the same scores to the bit. Each round is folded as the gateway does it: the
 * operator's ban lifts of the round first, then the round's evidence (canonical order, Krum
 * scores or deviations, selection, the nodes whose authenticated frames broke the protocol, the expected nodes
 * that sent nothing). No I/O, no logging.
 */
public final class ReputationReplay {
    private ReputationReplay() {
    }

    /**
     * The outcome: rounds folded and compared, and the first difference (null when none).
     *
     * @param roundsChecked records whose changes were compared
     * @param mismatch the first difference, naming round, node and values; null when all matched
     * @param stoppedAt why folding stopped early ("" when it went to the end)
     */
    public record Result(int roundsChecked, String mismatch, String stoppedAt) {
        public boolean matches() {
            return mismatch == null;
        }
    }

    /**
     * Folds {@code records}, which must start with a log's first record ({@code prev} = genesis:
     * a ledger can only be recomputed from its beginning).
     */
    public static Result check(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return new Result(0, null, "");
        }
        if (!records.get(0).prev().equals(AuditRecord.GENESIS)) {
            return new Result(0, null, "the records do not start at the log's first record");
        }
        ReputationLedger ledger = null;
        String settingsText = null;
        int checked = 0;
        for (AuditRecord r : records) {
            String text = r.config().reputationSettings();
            if (text.isEmpty()) {
                // A buffer's weights are staleness weights (docs/PROTOCOL.md section 6.3), which Replay recomputes.
                if (!r.reputation().isEmpty() || (r.weights().length != 0 && r.config().buffered() == null)) {
                    return new Result(checked, "round " + r.round() + ": reputation changes or weights recorded without"
                            + " reputation settings", "");
                }
                ledger = null;
                settingsText = null;
                checked++;
                continue;
            }
            if (r.framesOmitted() > 0) {
                return new Result(checked, null, "round " + r.round() + " lists only part of its frames (" + r.framesOmitted()
                        + " omitted), so its misbehaving nodes are not all known");
            }
            try {
                if (!text.equals(settingsText)) {
                    ReputationSettings s = ReputationSettings.parse(text);
                    ledger = ledger == null ? new ReputationLedger(s) : ReputationLedger.restore(s, ledger.entries(), ledger.lastRound());
                    settingsText = text;
                }
                String weights = checkWeights(r, ledger); // the gateway weighted the round before the operator's ban lifts
                if (weights != null) {
                    return new Result(checked, weights, "");
                }
                String eligible = checkEligible(r, ledger); // the cohort was drawn at the round's start, before its close
                if (eligible != null) {
                    return new Result(checked, eligible, "");
                }
                for (AuditRecord.OperatorAction a : r.operator()) {
                    if (a.action().equals("unban")) {
                        ledger.unban(a.node(), r.round());
                    } else if (a.action().equals("unban-refused")) {
                        try {
                            ledger.unban(a.node(), r.round());
                            return new Result(checked, "round " + r.round() + ": the gateway refused to unban " + a.node()
                                    + " but the recomputed ledger allows it", "");
                        } catch (ReputationException expected) {
                            // refused here too
                        }
                    }
                }
                List<ReputationChange> changes = ledger.apply(evidence(r));
                String diff = compare(r, changes);
                if (diff != null) {
                    return new Result(checked, diff, "");
                }
            } catch (ReputationException e) {
                return new Result(checked, "round " + r.round() + ": the recorded round cannot be folded: " + e.getMessage(), "");
            }
            checked++;
        }
        return new Result(checked, null, "");
    }

    /**
     * A weighted round's weights must be each accepted node's {@link ReputationLedger#weight} before
     * the round (docs/REPUTATION.md section 7); an aggregated round with weighting on must have them and
     * one with it off must not. Null when they agree.
     */
    private static String checkWeights(AuditRecord r, ReputationLedger ledger) {
        long[] w = r.weights();
        boolean weighting = ledger.settings().weighting();
        if (!r.aggregated() || !weighting) {
            return w.length == 0 ? null : "round " + r.round() + ": weights recorded but the round "
                    + (r.aggregated() ? "was not reputation-weighted" : "failed");
        }
        List<String> order = r.canonicalOrder();
        if (w.length != order.size()) {
            return "round " + r.round() + ": " + w.length + " weights recorded for " + order.size() + " accepted updates";
        }
        for (int k = 0; k < w.length; k++) {
            long expected = ledger.weight(order.get(k));
            if (w[k] != expected) {
                return "round " + r.round() + ": weight of " + order.get(k) + " recorded " + w[k] + ", the ledger gives " + expected;
            }
        }
        return null;
    }

    /**
     * A cohort round's eligible nodes (docs/PROTOCOL.md section 6.2) must not include a node the
     * ledger had banned at the round's start: the record names the eligible set because the
     * operator's own ban list is not in the log, but the ledger's bans are, and they are checked
     * here. Null when none is.
     */
    private static String checkEligible(AuditRecord r, ReputationLedger ledger) {
        if (r.config().cohort() == null) {
            return null;
        }
        for (String id : r.config().cohort().eligible()) {
            if (ledger.isBanned(id)) {
                return "round " + r.round() + ": node " + id + " is eligible for the cohort, but the recomputed ledger had"
                        + " banned it at the round's start";
            }
        }
        return null;
    }

    private static RoundEvidence evidence(AuditRecord r) {
        Map<String, List<RejectReason>> refusals = new TreeMap<>();
        for (AuditRecord.FrameEntry f : r.frames()) {
            RejectReason reason = f.accepted() ? null : RejectReason.fromWireName(f.status());
            if (reason != null) {
                refusals.computeIfAbsent(f.node(), k -> new ArrayList<>()).add(reason);
            }
        }
        // A failed round's record has no scores or selection: it measured nothing, as the gateway treats it.
        return new RoundEvidence(r.round(), r.canonicalOrder(), r.scores(), r.deviations(), r.selected(),
                RoundEvidence.misbehaving(refusals), RoundEvidence.absent(r.config().expected(), r.canonicalOrder()));
    }

    private static String compare(AuditRecord r, List<ReputationChange> changes) {
        List<AuditRecord.ReputationChange> recomputed = new ArrayList<>();
        for (ReputationChange c : changes) {
            recomputed.add(AuditRecord.ReputationChange.of(c));
        }
        List<AuditRecord.ReputationChange> recorded = r.reputation();
        for (int i = 0; i < Math.max(recorded.size(), recomputed.size()); i++) {
            AuditRecord.ReputationChange a = i < recorded.size() ? recorded.get(i) : null;
            AuditRecord.ReputationChange b = i < recomputed.size() ? recomputed.get(i) : null;
            if (!Objects.equals(a, b)) {
                return "round " + r.round() + ": reputation change " + (i + 1) + " recorded " + (a == null ? "(none)" : a)
                        + ", recomputed " + (b == null ? "(none)" : b)
                        + " (" + recorded.size() + " recorded, " + recomputed.size() + " recomputed)";
            }
        }
        return null;
    }
}
