package org.qoraedge.gateway.round;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.gateway.protocol.Identifiers;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.protocol.Topics;
import org.tinylog.Logger;

/**
 * The collecting step of a round, on the round worker: takes messages from the {@link Inbox},
 * hands each update to the {@link UpdateVerifier}, accepts it into the {@link OpenRound} or
 * rejects it (counted, journaled, logged and, when the node is authenticated, notified once per
 * node and reason), forces the journal, and only then acknowledges the messages to the broker.
 */
final class RoundIntake {
    /** Topic of the control message that asks the worker to close the round now. */
    static final String CLOSE_REQUEST = "\u0000close-round";

    /**
     * Longest wait for a message before {@link #collect} returns, so that the worker takes a step
     * (and shows it is alive to the health check) at least this often while its inbox is empty.
     */
    static final long MAX_WAIT_NANOS = 1_000_000_000L;

    private final CoordinatorSettings settings;
    private final Inbox inbox;
    private final Outbox outbox;
    private final Topics topics;
    private final Map<String, Long> lastSequence;
    private final Predicate<String> banned;
    private final Runnable changed;
    private final EnumMap<RejectReason, Long> rejectedTotal = new EnumMap<>(RejectReason.class);
    private OpenRound open;
    private UpdateVerifier.RoundView view;

    /**
     * @param lastSequence each node's last accepted sequence, updated on acceptance
     * @param banned the ban test (operator's list or reputation)
     * @param changed called after each accepted or rejected update (the status snapshot)
     */
    RoundIntake(CoordinatorSettings settings, Inbox inbox, Outbox outbox, Topics topics, Map<String, Long> lastSequence,
            Predicate<String> banned, Runnable changed) {
        this.settings = settings;
        this.inbox = inbox;
        this.outbox = outbox;
        this.topics = topics;
        this.lastSequence = lastSequence;
        this.banned = banned;
        this.changed = changed;
    }

    /** Rejections since start, by reason (a copy). */
    Map<RejectReason, Long> rejectedTotals() {
        return new EnumMap<>(rejectedTotal);
    }

    /** Rejections since start. */
    long rejectedSinceStart() {
        long n = 0;
        for (long v : rejectedTotal.values()) {
            n += v;
        }
        return n;
    }

    /**
     * Handles messages until the round may close; true when it may: every expected node reported
     * (in buffered mode: the buffer holds {@code round.bufferSize} updates; the updates queued
     * behind them stay in the inbox for the next buffer), the deadline passed, or the operator asked.
     */
    boolean collect(OpenRound round, UpdateVerifier.RoundView roundView) throws InterruptedException {
        this.open = round;
        this.view = roundView;
        if (allExpectedReported()) {
            return true;
        }
        long wait = open.deadlineNanos - System.nanoTime();
        if (wait <= 0) {
            open.deadlineReached = true;
            return true;
        }
        Inbound in = inbox.poll(Math.min(wait, MAX_WAIT_NANOS));
        if (in != null) {
            List<Inbound> handled = new ArrayList<>();
            handleSafely(in);
            handled.add(in);
            // Drain what is already queued without re-checking the clock for each message.
            // At most 256 messages or half the inbox's bytes per batch: a batch is held until its acknowledgements.
            Inbound next;
            long batchBytes = in.payload().length;
            while (!allExpectedReported() && !open.closeRequested && handled.size() < 256 && batchBytes < inbox.maxBytes() / 2
                    && (next = inbox.poll(0)) != null) {
                handleSafely(next);
                handled.add(next);
                batchBytes += next.payload().length;
            }
            open.sync(); // what was accepted is on the device before the broker hears that we have it
            for (Inbound h : handled) {
                h.acknowledge();
            }
        }
        return open.closeRequested;
    }

    private boolean allExpectedReported() {
        if (open.accepted.isEmpty()) {
            return false; // never close early on nothing (every expected node banned would spin)
        }
        if (settings.buffered() != null) {
            return open.accepted.size() >= settings.buffered().bufferSize(); // a buffer closes when full
        }
        try {
            return open.allExpectedReported(banned);
        } catch (RuntimeException e) {
            Logger.warn("ban list failed ({}); waiting for every expected node", e.getMessage());
            return open.accepted.containsAll(open.expected);
        }
    }

    /** A message that trips a bug is logged and dropped; it must not stop the round worker. */
    private void handleSafely(Inbound in) {
        try {
            handle(in);
        } catch (PersistenceFailure e) {
            throw e;
        } catch (RuntimeException e) {
            Logger.error(e, "round {}: message on {} ({} bytes) could not be handled", open.round, in.topic(), in.payload().length);
        }
    }

    private void handle(Inbound in) {
        if (CLOSE_REQUEST.equals(in.topic())) {
            Logger.info("round {}: closing now, as the operator asked", open.round);
            open.closeRequested = true;
            return;
        }
        String node = topics.nodeIdOf("update", in.topic());
        if (node == null) {
            String born = topics.nodeIdOf("birth", in.topic());
            String died = born == null ? topics.nodeIdOf("death", in.topic()) : null;
            if (born != null) {
                Logger.debug("node {} is online", born);
            } else if (died != null) {
                // Not authenticated (anyone may publish on a death topic without broker ACLs): noted, never acted on.
                Logger.debug("death message on the topic of node {} (its Will, or anyone's: not authenticated)", died);
            }
            return;
        }
        if (!Identifiers.isValid(node)) {
            // Not an id any node can have: counted, logged once per round, no notice (no valid topic to send it to).
            count(node, null, -1, -1, in.payload(), RejectReason.UNKNOWN_NODE);
            if (open.firstOf("\u0000invalid-topic", Integer.MAX_VALUE)) {
                Logger.warn("round {}: rejected unknown-node: update topic level {} is not a valid node id", open.round,
                        NodeIds.escape(node));
            }
            return;
        }
        UpdateVerifier.Verdict v = UpdateVerifier.verify(node, in.payload(), view);
        if (v.accepted()) {
            open.accept(v.header(), v.block(), in.payload(), in.arrivalNanos(), lastSequence);
            changed.run();
        } else {
            reject(node, v, in.payload());
        }
    }

    private void reject(String node, UpdateVerifier.Verdict v, byte[] payload) {
        count(node, node, v.frameRound(), v.sequence(), payload, v.reason());
        // Logged and notified once per node and reason per round; the rest are only counted. A frame
        // whose signature was not verified may come from anyone: it gets no notice, so nobody can make
        // the gateway send notices in a node's name.
        if (open.firstOf(node + '\u0000' + v.reason(), settings.maxLoggedPerRound())) {
            Logger.warn("round {}: rejected {} {}: {}", open.round, v.reason().wireName(),
                    v.authenticated() ? "from " + node : "on the topic of " + node + " (not authenticated)", v.detail());
            if (v.authenticated()) {
                RejectionNotice n = new RejectionNotice(open.round, v.frameRound(), v.sequence(), v.reason(), v.detail());
                outbox.publish(topics.reject(node), n.toMessage().toBytes(), 1, false);
            }
        }
    }

    private void count(String topicNode, String countedNode, long frameRound, long sequence, byte[] payload, RejectReason reason) {
        open.reject(topicNode, countedNode, frameRound, sequence, payload, reason);
        rejectedTotal.merge(reason, 1L, Long::sum);
        changed.run();
    }
}
