package org.qoraedge.gateway.round;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.status.StatusIndicator;

/**
 * The live services the round coordinator works with, beside its {@link CoordinatorSettings}:
 * each may change state or the world while the gateway runs. Immutable holder; start from
 * {@link #none()} and add what the gateway has.
 *
 * @param store the state directory, or null to keep everything in memory (nothing survives a restart)
 * @param reputation the reputation ledger as configured (restored from the state on start), or
 *     null for none (no reputation, no automatic bans)
 * @param indicator the status indicator (LEDs), never null
 * @param banList the operator's ban list, never null
 * @param listeners observers of closed rounds, in the order they are called
 */
public record RoundServices(StateStore store, ReputationLedger reputation, StatusIndicator indicator, BanList banList,
        List<RoundListener> listeners) {

    public RoundServices {
        Objects.requireNonNull(indicator, "indicator");
        Objects.requireNonNull(banList, "ban list");
        listeners = List.copyOf(listeners);
    }

    /** No state directory, no reputation, no indicator, nobody banned, no listeners. */
    public static RoundServices none() {
        return new RoundServices(null, null, StatusIndicator.NONE, BanList.NONE, List.of());
    }

    public RoundServices store(StateStore v) {
        return new RoundServices(v, reputation, indicator, banList, listeners);
    }

    public RoundServices reputation(ReputationLedger v) {
        return new RoundServices(store, v, indicator, banList, listeners);
    }

    public RoundServices indicator(StatusIndicator v) {
        return new RoundServices(store, reputation, v, banList, listeners);
    }

    public RoundServices banList(BanList v) {
        return new RoundServices(store, reputation, indicator, v, listeners);
    }

    /** These services with {@code v} added after the listeners already there. */
    public RoundServices listener(RoundListener v) {
        List<RoundListener> l = new ArrayList<>(listeners);
        l.add(Objects.requireNonNull(v, "listener"));
        return new RoundServices(store, reputation, indicator, banList, l);
    }
}
