package org.qoraedge.gateway.status;

import java.util.Objects;
import org.tinylog.Logger;

/**
 * The status indicator without hardware: logs each transition (phase changes at debug, attack
 * suspected and error at warn when they turn on, info when they clear) and nothing on repeats.
 * It has no button, so {@link #onButton(Runnable)} only records nothing. Thread-safe.
 */
public final class LoggingStatusIndicator implements StatusIndicator {
    private final Object lock = new Object();
    private Phase phase = Phase.IDLE;
    private boolean attack;
    private boolean error;
    private boolean closed;

    @Override
    public void phase(Phase p) {
        Objects.requireNonNull(p, "phase");
        synchronized (lock) {
            if (closed || p == phase) {
                return;
            }
            Logger.debug("status: phase {} -> {}", phase, p);
            phase = p;
        }
    }

    @Override
    public void attackEvidence(String evidence) {
        synchronized (lock) {
            if (closed || evidence.isEmpty() == !attack) {
                if (!closed && !evidence.isEmpty()) {
                    Logger.warn("status: attack suspected still: {}", evidence);
                }
                return;
            }
            attack = !evidence.isEmpty();
            if (attack) {
                Logger.warn("status: attack suspected: {}", evidence);
            } else {
                Logger.info("status: attack suspected cleared (no evidence of an attack in the round)");
            }
        }
    }

    @Override
    public void attackSuspected(boolean suspected) {
        synchronized (lock) {
            if (closed || suspected == attack) {
                return;
            }
            attack = suspected;
            if (suspected) {
                Logger.warn("status: attack suspected (a node was rejected or penalised this round)");
            } else {
                Logger.info("status: attack suspected cleared");
            }
        }
    }

    @Override
    public void error(boolean on) {
        synchronized (lock) {
            if (closed || on == error) {
                return;
            }
            error = on;
            if (on) {
                Logger.warn("status: error");
            } else {
                Logger.info("status: error cleared");
            }
        }
    }

    @Override
    public void onButton(Runnable action) {
        Objects.requireNonNull(action, "action");
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "LoggingStatusIndicator";
    }
}
