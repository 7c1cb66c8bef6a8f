package org.qoraedge.gateway.round;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import org.qoraedge.gateway.aggregation.RoundClose;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.reputation.ReputationChange;
import org.qoraedge.gateway.reputation.ReputationException;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.reputation.RoundEvidence;
import org.qoraedge.gateway.state.StateStore;
import org.tinylog.Logger;

/**
 * The reputation step of a round's close (docs/REPUTATION.md): first the bans the operator lifted
 * (files in the state directory's control folder), then the round's evidence applied to the
 * ledger.
 */
final class RoundReputation {
    private RoundReputation() {
    }

    /**
     * What the step changed.
     *
     * @param changes the ledger's changes, sorted by node id
     * @param operator the operator actions applied or refused, in order
     * @param unbans the operator requests handled, to mark done once the round is committed
     */
    record Step(List<ReputationChange> changes, List<AuditRecord.OperatorAction> operator,
            List<StateStore.UnbanRequest> unbans) {
        static final Step NONE = new Step(List.of(), List.of(), List.of());

        /** Logs the changes: a ban as a warning, the rest at debug. */
        void log() {
            for (ReputationChange c : changes) {
                if (c.banned()) {
                    Logger.warn("node {} banned: {}", c.node(), c.describe());
                } else {
                    Logger.debug("reputation {}", c.describe());
                }
            }
        }

    }

    /** Applies the step to {@code ledger} (null: no reputation, nothing changes). */
    static Step apply(ReputationLedger ledger, StateStore store, long round, RejectionTally rejections,
            RoundClose.Outcome outcome, Collection<String> expected, Collection<String> accepted) {
        if (ledger == null) {
            return Step.NONE;
        }
        List<AuditRecord.OperatorAction> operator = new ArrayList<>();
        List<StateStore.UnbanRequest> unbans = unban(ledger, store, round, operator);
        SortedSet<String> misbehaved = RoundEvidence.misbehaving(rejections.reasonsByNode());
        SortedSet<String> absent = RoundEvidence.absent(expected, accepted);
        // A failed round measured nothing: accepted nodes are neither rewarded nor penalised.
        RoundEvidence evidence = outcome.result() != null ? RoundEvidence.of(round, outcome.result(), misbehaved, absent)
                : new RoundEvidence(round, outcome.acceptedIds(), new long[0], new int[0], misbehaved, absent);
        return new Step(ledger.apply(evidence), operator, unbans);
    }

    private static List<StateStore.UnbanRequest> unban(ReputationLedger ledger, StateStore store, long round,
            List<AuditRecord.OperatorAction> operator) {
        if (store == null) {
            return List.of();
        }
        List<StateStore.UnbanRequest> requests;
        try {
            requests = store.unbanRequests();
        } catch (IOException e) {
            Logger.warn("cannot read operator requests in {}: {}", store.dir(), e.getMessage());
            return List.of();
        }
        for (StateStore.UnbanRequest u : requests) {
            try {
                ReputationChange c = ledger.unban(u.node(), round);
                operator.add(new AuditRecord.OperatorAction("unban", u.node(), u.reason()));
                Logger.info("operator lifted the ban of {}: {}", u.node(), c.describe());
            } catch (ReputationException e) {
                Logger.warn("operator request to unban {} refused: {}", u.node(), e.getMessage());
                operator.add(new AuditRecord.OperatorAction("unban-refused", u.node(), e.getMessage()));
            }
        }
        return requests;
    }
}
