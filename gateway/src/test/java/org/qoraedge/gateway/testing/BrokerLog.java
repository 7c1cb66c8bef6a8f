package org.qoraedge.gateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.qoraedge.gateway.broker.KnownBrokerErrors;
import org.tinylog.core.LogEntry;

/**
 * The brokers' own errors logged during the tests (filled by {@link TestConsoleWriter}), for
 * {@link QuietStderrExtension} to judge after each test, and for tests that provoke one on purpose
 * to {@link #drain} and check.
 */
public final class BrokerLog {
    private static final ConcurrentLinkedQueue<Entry> ENTRIES = new ConcurrentLinkedQueue<>();

    /** One logged error: who logged it ({@code class.method}), on which thread, what, and with which exception. */
    public record Entry(String loggedBy, String thread, String level, String message, Throwable error) {
        /** The known-error entry it matches, or empty when it is unknown. */
        public Optional<KnownBrokerErrors.Known> known() {
            return KnownBrokerErrors.classify(loggedBy, message, error);
        }

        @Override
        public String toString() {
            Throwable root = error == null ? null : KnownBrokerErrors.rootCause(error);
            return level + " [" + thread + "] " + loggedBy + ": " + message + (root == null ? "" : " / root cause: " + root);
        }
    }

    private BrokerLog() {
    }

    /** True for the loggers whose errors are the brokers' own. */
    static boolean isBrokerLogger(String className) {
        return className != null && (className.startsWith("io.moquette.") || className.startsWith("io.netty.")
                || className.equals("org.qoraedge.gateway.broker.SessionLoopErrors"));
    }

    static void add(LogEntry e) {
        ENTRIES.add(new Entry(e.getClassName() + "." + e.getMethodName(), e.getThread() == null ? "?" : e.getThread().getName(),
                e.getLevel().name(), e.getMessage(), e.getException()));
    }

    /** Records an entry as if a broker had logged it (for the tests of this machinery). */
    public static void add(Entry e) {
        ENTRIES.add(e);
    }

    /** Takes every entry logged so far. */
    public static List<Entry> drain() {
        List<Entry> out = new ArrayList<>();
        Entry e;
        while ((e = ENTRIES.poll()) != null) {
            out.add(e);
        }
        return out;
    }

    /**
     * The verdict on entries: null when every one is a tolerated known error, else a description
     * of each known failure and unknown error among them.
     */
    public static String judge(List<Entry> entries) {
        StringBuilder b = new StringBuilder();
        for (Entry e : entries) {
            Optional<KnownBrokerErrors.Known> k = e.known();
            if (k.isEmpty()) {
                b.append("\n- unknown broker error (judge it and add it to KnownBrokerErrors): ").append(e);
            } else if (k.get().verdict() == KnownBrokerErrors.Verdict.FAILURE) {
                b.append("\n- known Moquette bug ").append(k.get().name()).append(", a failure because ").append(k.get().why())
                        .append(" (the embedded broker was Moquette; the default is mosquitto when installed): ").append(e);
            }
        }
        return b.length() == 0 ? null : "the broker logged errors:" + b;
    }
}
