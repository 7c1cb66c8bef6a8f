package org.qoraedge.gateway.broker;

import io.netty.util.IllegalReferenceCountException;
import java.io.IOException;
import java.util.ArrayList;
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
 * <tr><td>(none) "LEAK: "</td><td>reported by Netty's ResourceLeakDetector</td><td>tolerated:
 * memory, not messages</td></tr>
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
     * @param exception the class of the root cause (or a superclass of it); null for a log line
     *     that carries no exception
     * @param messageStart how the root cause's message starts (the log line's, when
     *     {@code exception} is null), or null for any message
     * @param loggedBy the methods ({@code class.method}) that may log it; empty: any
     * @param raisedIn Moquette methods ({@code class.method}, nested classes with {@code $}) that
     *     must be the first Moquette frames of the root cause's stack, innermost first; empty: any
     * @param verdict tolerated or failure
     * @param why the reason, as a sentence
     */
    public record Known(String name, Class<? extends Throwable> exception, String messageStart, List<String> loggedBy,
            List<String> raisedIn, Verdict verdict, String why) {
        boolean matches(String logger, String logMessage, Throwable error) {
            if (!loggedBy.isEmpty() && !loggedBy.contains(logger)) {
                return false;
            }
            if (exception == null) {
                return error == null && startsWith(logMessage);
            }
            if (error == null) {
                return false;
            }
            Throwable root = rootCause(error);
            if (!exception.isInstance(root) || !startsWith(root.getMessage())) {
                return false;
            }
            List<String> frames = moquetteFrames(root);
            return frames.size() >= raisedIn.size() && frames.subList(0, raisedIn.size()).equals(raisedIn);
        }

        private boolean startsWith(String message) {
            return messageStart == null || message != null && message.startsWith(messageStart);
        }
    }

    private static final String NETTY_HANDLER = "io.moquette.broker.NewNettyMQTTHandler.exceptionCaught";

    /** The table; order does not matter (entries do not overlap). */
    public static final List<Known> TABLE = List.of(
            new Known("client connection broke", IOException.class, null, List.of(NETTY_HANDLER), List.of(),
                    Verdict.TOLERATED,
                    "a client's TCP connection was reset or closed under a write (clients crash, tests kill them); Moquette"
                            + " closes that channel and the session goes on: the broker acknowledges a PUBLISH only after routing"
                            + " it, a client resends what it saw no PUBACK for, and a persistent session keeps its queue"),
            new Known("netty buffer leak", null, "LEAK: ", List.of("io.netty.util.ResourceLeakDetector.reportTracedLeak",
                    "io.netty.util.ResourceLeakDetector.reportUntracedLeak"), List.of(), Verdict.TOLERATED,
                    "Netty's sampling leak detector found a buffer that Moquette never released before it was garbage"
                            + " collected: nobody used it any more, so no message depended on it; it costs pooled memory until"
                            + " the broker stops (a reason more to run Mosquitto on a small heap)"),
            new Known("moquette#750 increment : 0", IllegalArgumentException.class, "increment : 0", List.of(),
                    List.of("io.moquette.broker.PostOffice.publish2Subscribers"), Verdict.FAILURE,
                    "a QoS 1 PUBLISH resent with DUP (after a reconnect or a takeover of the client id) that Moquette believes"
                            + " it already delivered makes it retain its payload 0 times; the exception ends that client's"
                            + " session event loop thread, which is never replaced: from then on every client whose id hashes"
                            + " to that loop is not served (no CONNACK, no PUBACK), and QoS 1 messages routed to subscribers on"
                            + " it are acknowledged to their publishers and never delivered (fixed in Moquette 0.18, #777)"),
            new Known("moquette#961 refCnt: 0 on PUBACK", IllegalReferenceCountException.class, "refCnt: 0",
                    List.of(), List.of("io.moquette.broker.SessionRegistry$PublishedMessage.release",
                            "io.moquette.broker.Session.pubAckReceived"), Verdict.FAILURE,
                    "a subscriber's PUBACK for a message whose buffer Moquette had already released (a session cleaned up or"
                            + " taken over while the message was in flight); the message itself was delivered, but the"
                            + " exception ends the session event loop thread, with the same consequences as #750"));

    private KnownBrokerErrors() {
    }

    /**
     * The known entry for a log line of {@code loggedBy} ({@code class.method} of the log call)
     * with {@code message} and {@code error} (null when it carries none), or empty when unknown.
     */
    public static Optional<Known> classify(String loggedBy, String message, Throwable error) {
        for (Known k : TABLE) {
            if (k.matches(loggedBy, message, error)) {
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
        ArrayList<String> out = new ArrayList<>();
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("io.moquette.")) {
                out.add(e.getClassName() + "." + e.getMethodName());
            }
        }
        return out;
    }
}
