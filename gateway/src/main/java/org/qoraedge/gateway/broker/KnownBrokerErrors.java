package org.qoraedge.gateway.broker;

import java.util.List;
import java.util.Optional;

/**
 * The embedded Moquette 0.17's own errors that we know, each with where Moquette raises it and
 * what it means for the messages (the full story, with measurements, is in docs/BROKER.md).
 *
 * <table>
 * <caption>Known errors</caption>
 * <tr><th>exception</th><th>raised in</th><th>verdict</th></tr>
 * <tr><td>IOException (connection reset, broken pipe)</td><td>reported by
 * NewNettyMQTTHandler.exceptionCaught</td><td>tolerated: a client's connection broke</td></tr>
 * <tr><td>IllegalArgumentException "increment : 0"</td><td>PostOffice.publish2Subscribers</td>
 * <td>failure: ends a session event loop (moquette #750, #961)</td></tr>
 * <tr><td>IllegalReferenceCountException "refCnt: 0"</td><td>SessionRegistry$PublishedMessage.release
 * from Session.pubAckReceived</td><td>failure: ends a session event loop</td></tr>
 * </table>
 *
 * <p>Anything else Moquette or Netty reports as an error is unknown, and tests treat unknown as
 * a failure until it is understood and added here.
 */
public final class KnownBrokerErrors {
    /** What a known error means for the gateway. */
    public enum Verdict {
        /** Nothing accepted is lost when it happens (the entry says why). */
        TOLERATED,
        /** It can lose accepted messages or stop the broker serving clients. */
        FAILURE
    }

    /**
     * One known error.
     *
     * @param name short name used in logs and test messages
     * @param exception the class of the root cause (or a superclass of it)
     * @param messageStart how the root cause's message starts, or null for any message
     * @param where Moquette methods ({@code class.method}, nested classes with {@code $}): the
     *     first Moquette frames of the root cause's stack, innermost first, must be these; or, for
     *     an error raised outside Moquette (a socket error), the single method that logged it
     * @param verdict tolerated or failure
     * @param why the reason, as a sentence
     */
    public record Known(String name, Class<? extends Throwable> exception, String messageStart, List<String> where,
            Verdict verdict, String why) {
        boolean matches(String loggedBy, Throwable error) {
            Throwable root = rootCause(error);
            if (!exception.isInstance(root)) {
                return false;
            }
            if (messageStart != null && (root.getMessage() == null || !root.getMessage().startsWith(messageStart))) {
                return false;
            }
            if (where.size() == 1 && where.get(0).equals(loggedBy)) {
                return true;
            }
            List<String> frames = moquetteFrames(root);
            return frames.size() >= where.size() && frames.subList(0, where.size()).equals(where);
        }
    }

    /** The table; order does not matter (entries do not overlap). */
    public static final List<Known> TABLE = List.of(
            new Known("client connection broke", java.io.IOException.class, null,
                    List.of("io.moquette.broker.NewNettyMQTTHandler.exceptionCaught"), Verdict.TOLERATED,
                    "a client's TCP connection was reset or closed under a write (clients crash, tests kill them); Moquette"
                            + " closes that channel and its session goes on: the broker acknowledges a PUBLISH only after routing"
                            + " it, a client resends what it saw no PUBACK for, and a persistent session's queue is kept"),
            new Known("moquette#750 increment : 0", IllegalArgumentException.class, "increment : 0",
                    List.of("io.moquette.broker.PostOffice.publish2Subscribers"), Verdict.FAILURE,
                    "a QoS 1 PUBLISH resent with DUP (after a reconnect or a takeover of the client id) that Moquette believes"
                            + " it already delivered makes it retain its payload 0 times; the exception ends that client's"
                            + " session event loop thread, which is never replaced: from then on every client whose id hashes"
                            + " to that loop is not served (no CONNACK, no PUBACK), and QoS 1 messages routed to subscribers on"
                            + " it are acknowledged to their publishers and never delivered (fixed in Moquette 0.18, #777)"),
            new Known("moquette#961 refCnt: 0 on PUBACK", io.netty.util.IllegalReferenceCountException.class, "refCnt: 0",
                    List.of("io.moquette.broker.SessionRegistry$PublishedMessage.release", "io.moquette.broker.Session.pubAckReceived"),
                    Verdict.FAILURE,
                    "a subscriber's PUBACK for a message whose buffer Moquette had already released (a session cleaned up or"
                            + " taken over while the message was in flight); the message itself was delivered, but the"
                            + " exception ends the session event loop thread, with the same consequences as #750"));

    private KnownBrokerErrors() {
    }

    /**
     * The known entry for an error that {@code loggedBy} ({@code class.method} of the log call)
     * reported, or empty when it is unknown.
     */
    public static Optional<Known> classify(String loggedBy, Throwable error) {
        if (error == null) {
            return Optional.empty();
        }
        for (Known k : TABLE) {
            if (k.matches(loggedBy, error)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The innermost cause. */
    public static Throwable rootCause(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }

    /** The {@code class.method} of each Moquette frame of {@code t}'s stack, innermost first. */
    static List<String> moquetteFrames(Throwable t) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("io.moquette.")) {
                out.add(e.getClassName() + "." + e.getMethodName());
            }
        }
        return out;
    }
}
