package org.qoraedge.gateway.round;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.gateway.aggregation.AggregationResult;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.ModelMath;
import org.qoraedge.gateway.aggregation.RoundBuffer;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameException;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.Identifiers;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.tinylog.Logger;

/**
 * Runs rounds: one worker thread owns every round's state; MQTT callbacks only put messages in
 * the {@link Inbox}. For each round the worker publishes the global model and the announcement
 * (both retained), verifies every update frame (docs/PROTOCOL.md, "Verification"), closes the
 * round when every expected node has reported or at the deadline, aggregates in canonical order
 * through {@code fixedpoint}, publishes the new model and the round record, and announces the
 * next round. Below quorum the round fails closed: no model, a published reason, next round.
 *
 * <p>Nothing on the aggregation path depends on arrival order, threads or hash order: the round
 * buffer sorts by node id before aggregating, and every step after is integer arithmetic.
 */
public final class RoundCoordinator implements AutoCloseable {
    private final CoordinatorSettings settings;
    private final Inbox inbox;
    private final Outbox outbox;
    private final Topics topics;
    private final Thread worker;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean running;
    private volatile CoordinatorStatus status;

    // Owned by the worker thread.
    private Bfp16Block model;
    private String modelDigest;
    private long round;
    private final Map<String, Long> lastSequence = new HashMap<>();
    private final EnumMap<RejectReason, Long> rejectedTotal = new EnumMap<>(RejectReason.class);
    private final Map<String, EnumMap<RejectReason, Long>> rejectedByNodeTotal = new TreeMap<>();
    private final Set<String> online = new java.util.TreeSet<>();
    private long roundsAggregated;
    private long roundsFailed;
    private long ignoredTopics;
    private long failedMessages;
    private RoundState state;

    public RoundCoordinator(CoordinatorSettings settings, Inbox inbox, Outbox outbox) {
        this.settings = settings;
        this.inbox = inbox;
        this.outbox = outbox;
        this.topics = new Topics(settings.fleet());
        this.model = settings.initialModel();
        this.modelDigest = Digests.block(model);
        this.round = settings.firstRound();
        this.worker = new Thread(this::runLoop, "qora-round-worker-" + settings.fleet());
        this.worker.setDaemon(true);
        this.status = new CoordinatorStatus(round, 0, 0, 0, 0, 0, modelDigest, false);
    }

    /** Starts the worker; the first round is announced at once. */
    public void start() {
        running = true;
        worker.start();
    }

    /** The topics the gateway subscribes to. */
    public List<String> subscriptions() {
        return List.of(topics.updateWildcard(), topics.birthWildcard(), topics.deathWildcard());
    }

    /** A snapshot for status displays; safe from any thread. */
    public CoordinatorStatus status() {
        return status;
    }

    /** Waits until the worker has stopped (after {@code maxRounds} or {@link #close}). */
    public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    /**
     * Stops the worker: the round being collected is abandoned (not closed, nothing published for
     * it); the worker finishes the message it is handling first. Idempotent.
     */
    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            if (!finished.await(10, TimeUnit.SECONDS)) {
                Logger.warn("round worker did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runLoop() {
        try {
            long rounds = 0;
            while (running) {
                openRound();
                while (running && !collect()) {
                    // collect until the round can close
                }
                if (!running) {
                    break;
                }
                closeRound();
                rounds++;
                if (settings.maxRounds() > 0 && rounds >= settings.maxRounds()) {
                    Logger.info("{} rounds done; round worker stops", rounds);
                    break;
                }
                if (!settings.pause().isZero()) {
                    Thread.sleep(settings.pause().toMillis());
                }
            }
        } catch (InterruptedException e) {
            // close() asked us to stop
        } catch (RuntimeException | Error e) {
            Logger.error(e, "round worker failed in round {}", round);
        } finally {
            running = false;
            publishStatus();
            finished.countDown();
        }
    }

    private void openRound() {
        long now = System.nanoTime();
        state = new RoundState(round, now, now + settings.deadline().toNanos(),
                settings.buffers().open(round, settings.dimension(), settings.aggregation()));
        long deadlineEpoch = System.currentTimeMillis() + settings.deadline().toMillis();
        Frame modelFrame = new Frame(FrameKind.MODEL, SignatureScheme.ED25519, settings.fleet(), settings.gatewayId(),
                round, round + 1, settings.modelId(), model);
        outbox.publish(topics.model(), modelFrame.encode(settings.gatewaySigner()), 1, true);
        AggregationSettings a = settings.aggregation();
        RoundAnnouncement ann = new RoundAnnouncement(settings.fleet(), round, settings.modelId(), settings.dimension(),
                settings.maxFrameBytes(), deadlineEpoch, a.kind().wireName(), a.metricName(), a.f(), a.m(), modelDigest,
                settings.gatewayId());
        outbox.publish(topics.round(), ann.toMessage().toBytes(), 1, true);
        publishStatus();
        Logger.debug("round {} announced: {} expected nodes, deadline {} ms", round, settings.expected().size(),
                settings.deadline().toMillis());
    }

    private boolean allExpectedReported() {
        if (state.accepted.isEmpty()) {
            return false; // never close early on nothing (every expected node banned would spin)
        }
        try {
            return state.allExpectedReported(settings.expected(), settings.banList());
        } catch (RuntimeException e) {
            Logger.warn("ban list failed ({}); waiting for every expected node", e.getMessage());
            return state.accepted.containsAll(settings.expected());
        }
    }

    /** Handles messages until the round may close; true when it may. */
    private boolean collect() throws InterruptedException {
        if (allExpectedReported()) {
            return true;
        }
        long wait = state.deadlineNanos - System.nanoTime();
        if (wait <= 0) {
            state.deadlineReached = true;
            return true;
        }
        Inbound in = inbox.poll(wait);
        if (in != null) {
            handleSafely(in);
            // Drain what is already queued without re-checking the clock for each message.
            Inbound next;
            while (!allExpectedReported() && (next = inbox.poll(0)) != null) {
                handleSafely(next);
            }
        }
        return false;
    }

    /** A message that trips a bug is logged and dropped; it must not stop the round worker. */
    private void handleSafely(Inbound in) {
        try {
            handle(in);
        } catch (RuntimeException e) {
            failedMessages++;
            Logger.error(e, "round {}: message on {} ({} bytes) could not be handled", state.round, in.topic(), in.payload().length);
        }
    }

    private void handle(Inbound in) {
        String node = topics.nodeIdOf("update", in.topic());
        if (node != null) {
            if (!Identifiers.isValid(node)) {
                // Not an id any node can have: counted, logged once per round, no notice (no valid topic to send it to).
                state.rejected.merge(RejectReason.UNKNOWN_NODE, 1L, Long::sum);
                rejectedTotal.merge(RejectReason.UNKNOWN_NODE, 1L, Long::sum);
                status = snapshot();
                if (state.logged.add("\u0000invalid-topic")) {
                    Logger.warn("round {}: rejected unknown-node: update topic level {} is not a valid node id", state.round,
                            org.qoraedge.fixedpoint.NodeIds.escape(node));
                }
                return;
            }
            handleUpdate(node, in);
            return;
        }
        String born = topics.nodeIdOf("birth", in.topic());
        if (born != null) {
            online.add(born);
            Logger.debug("node {} is online", born);
            return;
        }
        String died = topics.nodeIdOf("death", in.topic());
        if (died != null) {
            online.remove(died);
            Logger.info("node {} went offline (Will)", died);
            return;
        }
        ignoredTopics++;
    }

    /** Verification in the order of docs/PROTOCOL.md, "Verification". */
    private void handleUpdate(String topicNode, Inbound in) {
        byte[] p = in.payload();
        FrameHeader h;
        try {
            h = FrameCodec.parseHeader(p, settings.maxFrameBytes());
        } catch (FrameException e) {
            reject(topicNode, -1, -1, e.reason(), e.getMessage());
            return;
        }
        if (h.kind() != FrameKind.UPDATE) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.WRONG_KIND, "frame of kind " + h.kind() + " on an update topic");
            return;
        }
        if (!h.fleet().equals(settings.fleet())) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.WRONG_FLEET,
                    "frame is for fleet " + h.fleet() + ", this gateway serves " + settings.fleet());
            return;
        }
        if (!h.nodeId().equals(topicNode)) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.TOPIC_MISMATCH,
                    "frame names node " + h.nodeId() + " but was published on the topic of " + topicNode);
            return;
        }
        VerifyingKey key = settings.registry().get(topicNode);
        if (key == null) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.UNKNOWN_NODE, "no key is registered for node " + topicNode);
            return;
        }
        if (!h.signatureValid(key)) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.BAD_SIGNATURE, "signature (" + h.scheme()
                    + ") does not verify with the node's registered " + key.scheme() + " key");
            return;
        }
        if (settings.banList().isBanned(topicNode)) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.BANNED, "node " + topicNode + " is banned");
            return;
        }
        if (h.round() != state.round) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.WRONG_ROUND,
                    "update is for round " + h.round() + ", the gateway collects round " + state.round);
            return;
        }
        Long last = lastSequence.get(topicNode);
        if (last != null && h.sequence() <= last) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.REPLAYED_SEQUENCE,
                    "sequence " + h.sequence() + " is not above the last accepted " + last);
            return;
        }
        if (h.dimension() != settings.dimension()) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.WRONG_DIMENSION, "update from " + topicNode + " has "
                    + h.dimension() + " coordinates, round " + state.round + " expects " + settings.dimension());
            return;
        }
        if (!h.modelId().equals(settings.modelId())) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.WRONG_MODEL,
                    "update is for model " + h.modelId() + ", round " + state.round + " trains " + settings.modelId());
            return;
        }
        if (state.accepted.contains(topicNode)) {
            reject(topicNode, h.round(), h.sequence(), RejectReason.DUPLICATE_UPDATE,
                    "node " + topicNode + " already has an accepted update in round " + state.round);
            return;
        }
        Bfp16Block block;
        try {
            block = h.block();
        } catch (FrameException e) {
            reject(topicNode, h.round(), h.sequence(), e.reason(), e.getMessage());
            return;
        }
        lastSequence.put(topicNode, h.sequence());
        state.accepted.add(topicNode);
        state.buffer.add(topicNode, block);
        state.lastAcceptNanos = in.arrivalNanos();
        status = snapshot();
    }

    private void reject(String topicNode, long frameRound, long sequence, RejectReason reason, String detail) {
        state.rejected.merge(reason, 1L, Long::sum);
        rejectedTotal.merge(reason, 1L, Long::sum);
        status = snapshot();
        state.rejectedByNode.computeIfAbsent(topicNode, k -> new EnumMap<>(RejectReason.class)).merge(reason, 1L, Long::sum);
        if (rejectedByNodeTotal.size() < 100_000 || rejectedByNodeTotal.containsKey(topicNode)) {
            rejectedByNodeTotal.computeIfAbsent(topicNode, k -> new EnumMap<>(RejectReason.class)).merge(reason, 1L, Long::sum);
        }
        // Logged and notified once per node and reason per round; the rest are only counted.
        String key = topicNode + '\u0000' + reason;
        if (state.logged.size() < settings.maxLoggedPerRound() && state.logged.add(key)) {
            Logger.warn("round {}: rejected {} from {}: {}", state.round, reason.wireName(), topicNode, detail);
            RejectionNotice n = new RejectionNotice(state.round, frameRound, sequence, reason, detail);
            outbox.publish(topics.reject(topicNode), n.toMessage().toBytes(), 1, false);
        }
    }

    private void closeRound() {
        RoundState s = state;
        AggregationSettings a = settings.aggregation();
        int n = s.buffer.size();
        String failure = null;
        AggregationResult result = null;
        if (n < a.quorum()) {
            failure = "below quorum: " + n + " accepted update" + (n == 1 ? "" : "s") + ", " + a.kind().wireName()
                    + " with f = " + a.f() + (a.m() > 0 ? ", m = " + a.m() : "") + " needs " + a.quorum();
        } else {
            try {
                result = s.buffer.close();
                Bfp16Block next = ModelMath.add(model, result.aggregate());
                model = next;
                modelDigest = Digests.block(next);
            } catch (FixedPointException | IllegalArgumentException e) {
                failure = "aggregation refused: " + e.getMessage();
                result = null;
            }
        }
        long closedAt = System.nanoTime();
        long from = s.lastAcceptNanos == 0 ? s.deadlineNanos : s.lastAcceptNanos;
        if (s.deadlineReached) {
            from = Math.max(from, s.deadlineNanos);
        }
        RoundReport report = new RoundReport(s.round, failure == null, failure, sortedAccepted(result, s),
                result, modelDigest, s.rejected, copyByNode(s.rejectedByNode), Math.max(0, closedAt - from),
                closedAt - s.startNanos, s.deadlineReached);
        if (failure == null) {
            roundsAggregated++;
        } else {
            roundsFailed++;
        }
        outbox.publish(topics.audit(), record(report).toBytes(), 1, false);
        logRound(report);
        for (RoundListener l : settings.listeners()) {
            try {
                l.roundClosed(report);
            } catch (RuntimeException e) {
                Logger.warn(e, "round listener failed on round {}", s.round);
            }
        }
        round = s.round + 1;
        status = snapshot();
    }

    private static List<String> sortedAccepted(AggregationResult result, RoundState s) {
        if (result != null) {
            return List.of(result.canonicalIds());
        }
        String[] ids = s.accepted.toArray(new String[0]);
        if (ids.length == 0) {
            return List.of();
        }
        int[] order = org.qoraedge.fixedpoint.NodeIds.canonicalOrder(ids);
        List<String> out = new ArrayList<>();
        for (int k : order) {
            out.add(ids[k]);
        }
        return out;
    }

    private static Map<String, Map<RejectReason, Long>> copyByNode(Map<String, EnumMap<RejectReason, Long>> m) {
        Map<String, Map<RejectReason, Long>> out = new TreeMap<>();
        for (Map.Entry<String, EnumMap<RejectReason, Long>> e : m.entrySet()) {
            out.put(e.getKey(), java.util.Collections.unmodifiableMap(new EnumMap<>(e.getValue())));
        }
        return out;
    }

    /** The round record published on the audit topic (docs/PROTOCOL.md, "Round record"). */
    private TextMessage record(RoundReport r) {
        AggregationSettings a = settings.aggregation();
        TextMessage.Builder b = TextMessage.builder()
                .put("protocol", RoundAnnouncement.PROTOCOL)
                .put("fleet", settings.fleet())
                .put("round", r.round())
                .put("outcome", r.aggregated() ? "aggregated" : "failed")
                .put("reason", r.aggregated() ? "" : r.failure())
                .put("aggregator", a.kind().wireName())
                .put("metric", a.metricName())
                .put("f", a.f())
                .put("m", a.m())
                .put("accepted", String.join(",", r.acceptedIds()));
        AggregationResult res = r.result();
        if (res != null) {
            b.put("selected", String.join(",", res.selectedIds()))
                    .put("referenceExponent", res.referenceExponent())
                    .put("scoresDigest", res.scoresDigest())
                    .put("rankingDigest", res.rankingDigest())
                    .put("selectedDigest", res.selectedDigest())
                    .put("aggregateDigest", res.aggregateDigest());
        }
        return b.put("modelDigest", r.modelDigest())
                .put("rejected", r.rejectedSummary())
                .put("inboxDropped", inbox.dropped())
                .put("closeMicros", r.closeNanos() / 1000)
                .put("deadlineReached", r.deadlineReached())
                .build();
    }

    private void logRound(RoundReport r) {
        if (r.aggregated()) {
            Logger.info("round {} aggregated: {} of {} expected, rejected {}, dropped {}, close {} ms, selected [{}], model {}",
                    r.round(), r.acceptedIds().size(), settings.expected().size(), r.rejectedSummary(), inbox.dropped(),
                    String.format(java.util.Locale.ROOT, "%.1f", r.closeNanos() / 1e6),
                    String.join(",", r.result().selectedIds()), r.modelDigest().substring(0, 16));
        } else {
            Logger.warn("round {} failed closed: {}; {} of {} expected, rejected {}, model unchanged {}", r.round(), r.failure(),
                    r.acceptedIds().size(), settings.expected().size(), r.rejectedSummary(), r.modelDigest().substring(0, 16));
        }
    }

    private void publishStatus() {
        status = snapshot();
    }

    private CoordinatorStatus snapshot() {
        long rej = 0;
        for (long v : rejectedTotal.values()) {
            rej += v;
        }
        return new CoordinatorStatus(round, state == null ? 0 : state.accepted.size(), rej, inbox.dropped(), roundsAggregated,
                roundsFailed, modelDigest, running);
    }

    /** Rejections since start, by reason; read on the worker thread or after it finished. */
    public Map<RejectReason, Long> rejectedTotals() {
        return new EnumMap<>(rejectedTotal);
    }

    /** The current global model; read after the worker finished (or from a round listener). */
    public Bfp16Block model() {
        return model;
    }

    /** One round's mutable state, owned by the worker. */
    private static final class RoundState {
        final long round;
        final long startNanos;
        final long deadlineNanos;
        final RoundBuffer buffer;
        final Set<String> accepted = new HashSet<>();
        final EnumMap<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        final Map<String, EnumMap<RejectReason, Long>> rejectedByNode = new TreeMap<>();
        final Set<String> logged = new HashSet<>();
        long lastAcceptNanos;
        boolean deadlineReached;

        RoundState(long round, long startNanos, long deadlineNanos, RoundBuffer buffer) {
            this.round = round;
            this.startNanos = startNanos;
            this.deadlineNanos = deadlineNanos;
            this.buffer = buffer;
        }

        /** True when every expected node that is not banned has an accepted update. */
        boolean allExpectedReported(Set<String> expected, BanList bans) {
            for (String id : expected) {
                if (!accepted.contains(id) && !bans.isBanned(id)) {
                    return false;
                }
            }
            return true;
        }
    }
}
