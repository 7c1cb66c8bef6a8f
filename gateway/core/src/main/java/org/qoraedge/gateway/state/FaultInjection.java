package org.qoraedge.gateway.state;

/**
 * Crash points for the kill/restart tests: with the system property
 * {@code qora.faultInjection=<point>@<round>} the gateway halts the JVM (as {@code kill -9} would:
 * no shutdown hooks, no flushing) when it reaches that point in that round. Without the property
 * every check is a read of a {@code static final} field, which the JIT folds away.
 */
public final class FaultInjection {
    private static final String SPEC = System.getProperty("qora.faultInjection", "");
    private static final boolean ENABLED = !SPEC.isEmpty();

    /** The points. */
    public enum Point {
        /** The round's third update was journaled (not yet forced or acknowledged). */
        AFTER_JOURNAL_APPEND,
        /** The round is closing: aggregation is about to run. */
        DURING_AGGREGATION,
        /** The round is aggregated, nothing of it written yet. */
        BEFORE_COMMIT,
        /** The new state file's temp copy is written and forced, not yet renamed over the old one. */
        MID_STATE_WRITE,
        /** The new state file is in place, its audit line not yet appended to the log. */
        AFTER_STATE_WRITE,
        /** The audit line is appended; the audit line, the new model and the next announcement are not yet published. */
        AFTER_AUDIT_APPEND
    }

    private FaultInjection() {
    }

    /** Halts the JVM with status 137 when {@code point@round} is the configured crash point. */
    public static void check(Point point, long round) {
        if (ENABLED && SPEC.equals(point.name() + "@" + round)) {
            Runtime.getRuntime().halt(137);
        }
    }

    /**
     * The check after the journal append of the {@code nth} accepted update of {@code round}: the
     * crash point {@link Point#AFTER_JOURNAL_APPEND} is the round's third update.
     */
    public static void afterJournalAppend(long round, int nth) {
        if (ENABLED && nth == 3) {
            check(Point.AFTER_JOURNAL_APPEND, round);
        }
    }
}
