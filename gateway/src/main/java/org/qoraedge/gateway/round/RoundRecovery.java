package org.qoraedge.gateway.round;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.reputation.ReputationException;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.state.GatewayState;
import org.qoraedge.gateway.state.StateException;
import org.qoraedge.gateway.state.StateStore;
import org.tinylog.Logger;

/**
 * Where a gateway with a state directory starts: the state it committed last (checked against the
 * configuration), with the audit log made to agree with it (docs/STATE.md, "Recovery").
 */
final class RoundRecovery {
    private RoundRecovery() {
    }

    /**
     * The gateway's state at the start of {@link #round}.
     *
     * @param round the round to collect
     * @param model the global model
     * @param sequences each node's last accepted sequence
     * @param roundsAggregated rounds that produced a model so far
     * @param roundsFailed rounds that failed closed so far
     * @param auditHead SHA-256 of the last audit line ({@link AuditRecord#GENESIS} when none)
     * @param republish an audit line the log lacked and got back, to publish again (null when none)
     * @param ledger the reputation ledger as restored (null without reputation)
     * @param reference centered clipping's reference (the previous round's aggregate), null for none
     */
    record Resumed(long round, Bfp16Block model, Map<String, Long> sequences, long roundsAggregated, long roundsFailed,
            String auditHead, String republish, ReputationLedger ledger, Bfp16Block reference) {
    }

    /**
     * Loads the state of {@code store}, or returns null for a new directory.
     *
     * @param ledger the configured ledger (its settings apply to the restored scores), or null
     * @throws StateException when the state belongs to another fleet or model, or cannot be used
     */
    static Resumed resume(StateStore store, CoordinatorSettings settings, ReputationLedger ledger) throws IOException {
        GatewayState st = store.load();
        if (st == null) {
            return null;
        }
        if (!st.fleet().equals(settings.fleet())) {
            throw new StateException(store.stateFile() + " belongs to fleet " + st.fleet() + ", this gateway serves " + settings.fleet());
        }
        if (!st.modelId().equals(settings.modelId()) || st.model().dimension() != settings.dimension()) {
            throw new StateException(store.stateFile() + " holds model " + st.modelId() + " of dimension " + st.model().dimension()
                    + "; the config says " + settings.modelId() + " of dimension " + settings.dimension()
                    + " (a new model needs a new state directory)");
        }
        AuditLog.Recovery audit = AuditLog.recover(store.auditLog(), store.stateFile(), st.lastAuditLine());
        if (audit.tornBytes() > 0) {
            Logger.warn("{}: cut off a torn last line of {} bytes (a write the gateway did not finish; the state"
                    + " carries the record, appended again)", store.auditLog(), audit.tornBytes());
        }
        ReputationLedger restored = null;
        if (ledger != null) {
            try {
                restored = ReputationLedger.restore(ledger.settings(), st.reputation(), st.round() - 1);
            } catch (ReputationException e) {
                throw new StateException(store.stateFile() + ": reputation cannot be restored: " + e.getMessage(), e);
            }
        }
        warnIfKeysChanged(st.registry(), settings.registryText());
        return new Resumed(st.round(), st.model(), st.sequences(), st.roundsAggregated(), st.roundsFailed(),
                st.lastAuditLine() == null ? AuditRecord.GENESIS : AuditLog.hash(st.lastAuditLine()), audit.appendedLine(),
                restored, st.reference());
    }

    private static void warnIfKeysChanged(Map<String, String> before, Map<String, String> now) {
        if (before.isEmpty() || before.equals(now)) {
            return;
        }
        Set<String> added = new TreeSet<>(now.keySet());
        added.removeAll(before.keySet());
        Set<String> removed = new TreeSet<>(before.keySet());
        removed.removeAll(now.keySet());
        Logger.warn("the key file differs from the registry in the state: added {}, removed {}, others changed or kept;"
                + " the key file applies from now on", added, removed);
    }
}
