package org.qoraedge.gateway.status;

import java.util.Objects;

/**
 * Shows the gateway's state to a person standing next to it: which phase the round is in, whether
 * a node was rejected or penalised this round (attack suspected), and whether the gateway is in
 * error. Implementations only report transitions; calling a method again with the same value
 * does nothing.
 *
 * <p>Thread safety: every method may be called from any thread (the gateway calls them from its
 * round worker; a button fires on a Pi4J thread). Calls after {@link #close()} are ignored, so a
 * late call racing with shutdown does not fail.
 */
public interface StatusIndicator extends AutoCloseable {
    /** The round phase; exactly one phase LED is lit. */
    enum Phase {
        /** Between rounds (the initial phase). */
        IDLE,
        /** A round is open and updates are being collected. */
        COLLECTING,
        /** The round is closed and the aggregate is being computed. */
        AGGREGATING
    }

    /** What a press of the status button asks the gateway to do ({@code gpio.button.action}). */
    enum ButtonAction {
        /** Close the current round now, as if its deadline had passed ({@code close-round}). */
        CLOSE_ROUND("close-round"),
        /** Log the gateway's status ({@code status-dump}). */
        STATUS_DUMP("status-dump");

        private final String configName;

        ButtonAction(String configName) {
            this.configName = configName;
        }

        /** The value of {@code gpio.button.action} that selects this action. */
        public String configName() {
            return configName;
        }
    }

    /** An indicator that shows nothing and never fires its button (for tests and embedding). */
    StatusIndicator NONE = new StatusIndicator() {
        @Override
        public void phase(Phase phase) {
            Objects.requireNonNull(phase, "phase");
        }

        @Override
        public void attackSuspected(boolean suspected) {
        }

        @Override
        public void error(boolean error) {
        }

        @Override
        public void onButton(Runnable action) {
            Objects.requireNonNull(action, "action");
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return "StatusIndicator.NONE";
        }
    };

    /** Lights the LED of {@code phase} and turns the other two phase LEDs off. */
    void phase(Phase phase);

    /**
     * Attack suspected: this round holds evidence of an attack (a frame refused as forged, malformed or
     * replayed, a node penalised for what it sent, a ban), not a slow, absent or far but honest node. Its LED is lit
     * while true; the buzzer (if any) beeps once when it turns true. The gateway clears it when a
     * new round starts.
     */
    void attackSuspected(boolean suspected);

    /**
     * The round's evidence of an attack, in words ({@code "bad-signature: 6 frames (node-01,
     * node-02); banned: node-07"}), or {@code ""} for none: {@link #attackSuspected} with whether
     * there is any. An indicator that can show text (the log) says which.
     */
    default void attackEvidence(String evidence) {
        attackSuspected(!evidence.isEmpty());
    }

    /** The gateway is in error (e.g. broker unreachable): its LED is lit while true; the buzzer (if any) beeps three times when it turns true. */
    void error(boolean error);

    /**
     * Registers what a (debounced) press of the button does, replacing the previous action; an
     * indicator without a button never runs it. The action runs on the button's event thread
     * (Pi4J's), once per press: it must not block or do work there, only hand the request to the
     * gateway's own queue. An exception it throws is logged and swallowed.
     */
    void onButton(Runnable action);

    /** Turns every output off and releases the hardware. Idempotent. */
    @Override
    void close();
}
