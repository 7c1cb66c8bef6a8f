package org.qoraedge.gateway.round;

/**
 * Observes closed rounds (reputation, persistence, audit and status indicators hook in here).
 * Called on the round worker thread after the round's results are published and before the next
 * round is announced: keep it short, and do not throw (exceptions are logged and swallowed).
 */
@FunctionalInterface
public interface RoundListener {
    void roundClosed(RoundReport report);
}
