package org.qoraedge.gateway.round;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.reputation.ReputationChange;
import org.qoraedge.gateway.reputation.ReputationException;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.reputation.RoundEvidence;
import org.qoraedge.gateway.state.FaultInjection;
import org.qoraedge.gateway.state.GatewayState;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateException;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.status.StatusIndicator;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameException;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.Identifiers;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.SignedText;
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
    private final StateStore store;
    private volatile ReputationLedger ledger;
    private final StatusIndicator indicator;
    private RoundJournal journal;
    private String auditHead = AuditRecord.GENESIS;
    private String recoveredAuditLine;
    private volatile boolean failedWithError;

    /** Topic of the control message that asks the worker to close the round now. */
    private static final String CLOSE_REQUEST = "\u0000close-round";

    public RoundCoordinator(CoordinatorSettings settings, Inbox inbox, Outbox outbox) {
        this.settings = settings;
        this.inbox = inbox;
        this.outbox = outbox;
        this.topics = new Topics(settings.fleet());
        this.model = settings.initialModel();
        this.modelDigest = Digests.block(model);
        this.round = settings.firstRound();
        this.store = settings.store();
        this.ledger = settings.reputation();
        this.indicator = settings.indicator();
        this.worker = new Thread(this::runLoop, "qora-round-worker-" + settings.fleet());
        this.worker.setDaemon(true);
        this.status = new CoordinatorStatus(round, 0, 0, 0, 0, 0, modelDigest, false);
    }

    /**
     * Starts the worker; the first round is announced at once. With a state directory, the state
     * is loaded first (on this thread, so that a damaged state fails the start): the gateway goes on
     * with the round it was in, its accepted frames restored from the round's journal.
     *
     * @throws StateException when the state directory cannot be used as it is
     * @throws UncheckedIOException when it cannot be read or written
     */
    public void start() {
        if (store != null) {
            try {
                recover();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot use the state directory " + store.dir() + ": " + e.getMessage(), e);
            }
        }
        running = true;
        worker.start();
    }

    /**
     * Asks the worker to close the current round now, as if its deadline had passed (the status
     * button does). Safe from any thread; ignored when the inbox is full.
     */
    public void requestClose() {
        inbox.offerControl(new Inbound(CLOSE_REQUEST, new byte[0], System.nanoTime()));
    }

    private void recover() throws IOException {
        GatewayState st = store.load();
        if (store.tornAuditBytes() > 0) {
            Logger.warn("{}: cut off a torn last line of {} bytes (a write the gateway did not finish; the state"
                    + " carries the record, appended again)", store.auditLog(), store.tornAuditBytes());
        }
        if (st == null) {
            store.writeState(snapshotState(null));
            Logger.info("state directory {} is new: starting at round {}", store.dir(), round);
            return;
        }
        if (!st.fleet().equals(settings.fleet())) {
            throw new StateException(store.stateFile() + " belongs to fleet " + st.fleet() + ", this gateway serves " + settings.fleet());
        }
        if (!st.modelId().equals(settings.modelId()) || st.model().dimension() != settings.dimension()) {
            throw new StateException(store.stateFile() + " holds model " + st.modelId() + " of dimension " + st.model().dimension()
                    + "; the config says " + settings.modelId() + " of dimension " + settings.dimension()
                    + " (a new model needs a new state directory)");
        }
        round = st.round();
        model = st.model();
        modelDigest = Digests.block(model);
        lastSequence.putAll(st.sequences());
        roundsAggregated = st.roundsAggregated();
        roundsFailed = st.roundsFailed();
        if (st.lastAuditLine() != null) {
            auditHead = AuditLog.hash(st.lastAuditLine());
        }
        recoveredAuditLine = store.recoveredAuditLine();
        if (ledger != null) {
            try {
                ledger = ReputationLedger.restore(ledger.settings(), st.reputation(), round - 1);
            } catch (ReputationException e) {
                throw new StateException(store.stateFile() + ": reputation cannot be restored: " + e.getMessage(), e);
            }
        }
        if (!st.registry().isEmpty() && !st.registry().equals(settings.registryText())) {
            java.util.Set<String> added = new java.util.TreeSet<>(settings.registryText().keySet());
            added.removeAll(st.registry().keySet());
            java.util.Set<String> removed = new java.util.TreeSet<>(st.registry().keySet());
            removed.removeAll(settings.registryText().keySet());
            Logger.warn("the key file differs from the registry in the state: added {}, removed {}, others changed or kept;"
                    + " the key file applies from now on", added, removed);
        }
        status = new CoordinatorStatus(round, 0, 0, 0, roundsAggregated, roundsFailed, modelDigest, false);
        Logger.info("resumed from {}: round {}, model {}, {} node sequences, {} audit records so far", store.stateFile(), round,
                modelDigest.substring(0, 16), lastSequence.size(), roundsAggregated + roundsFailed);
    }

    /** The reputation ledger (null without one); read its scores from any thread. */
    public ReputationLedger reputation() {
        return ledger;
    }

    /** True when the operator's ban list or the reputation ledger bans the node. */
    private boolean banned(String node) {
        ReputationLedger l = ledger;
        return settings.banList().isBanned(node) || (l != null && l.isBanned(node));
    }

    /** The state as of the start of round {@link #round}. */
    private GatewayState snapshotState(String lastAuditLine) {
        return new GatewayState(settings.fleet(), settings.gatewayId(), round, settings.modelId(), model,
                new TreeMap<>(lastSequence), ledger == null ? new TreeMap<>() : ledger.entries(),
                settings.registryText(), lastAuditLine, roundsAggregated, roundsFailed);
    }

    /**
     * The topics the gateway subscribes to: the update, birth and death topics of each registered
     * node, never a wildcard, so that messages on any other id (a Sybil flood) are not queued for
     * the gateway's session by the broker and cost it nothing.
     */
    public List<String> subscriptions() {
        List<String> out = new ArrayList<>(3 * settings.registry().size());
        for (String id : settings.registry().keySet()) {
            out.add(topics.update(id));
            out.add(topics.birth(id));
            out.add(topics.death(id));
        }
        return out;
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
                    indicator.phase(StatusIndicator.Phase.IDLE);
                    Thread.sleep(settings.pause().toMillis());
                }
            }
        } catch (InterruptedException e) {
            // close() asked us to stop
        } catch (PersistenceFailure e) {
            if (!running && e.getCause() instanceof java.nio.channels.ClosedByInterruptException) {
                // close() interrupted a journal or state write: nothing past the last commit is lost (docs/STATE.md)
                Logger.debug("round worker stopped during a write of round {}", round);
            } else {
                failedWithError = true;
                indicator.error(true);
                Logger.error(e, "round worker stopped in round {}: the state directory cannot be written", round);
            }
        } catch (RuntimeException | Error e) {
            failedWithError = true;
            indicator.error(true);
            Logger.error(e, "round worker failed in round {}", round);
        } finally {
            running = false;
            if (!failedWithError) {
                indicator.phase(StatusIndicator.Phase.IDLE);
            }
            if (journal != null) {
                try {
                    journal.close();
                } catch (IOException e) {
                    Logger.warn("closing the journal of round {} failed: {}", round, e.getMessage());
                }
            }
            publishStatus();
            finished.countDown();
        }
    }

    private void openRound() {
        long now = System.nanoTime();
        AggregationSettings eff = effectiveAggregation();
        state = new RoundState(round, now, now + settings.deadline().toNanos(),
                settings.buffers().open(round, settings.dimension(), eff), eff);
        long deadlineEpoch = System.currentTimeMillis() + settings.deadline().toMillis();
        Frame modelFrame = new Frame(FrameKind.MODEL, SignatureScheme.ED25519, settings.fleet(), settings.gatewayId(),
                round, round + 1, settings.modelId(), model);
        byte[] modelBytes = modelFrame.encode(settings.gatewaySigner());
        state.openedAtMillis = System.currentTimeMillis();
        state.droppedAtOpen = inbox.dropped();
        state.refusedAtOpen = inbox.refusedBeforeDecoding();
        state.modelBefore = modelDigest;
        if (store != null) {
            List<RoundJournal.Contents> recovered = new ArrayList<>();
            try {
                journal = store.openJournal(settings.fleet(), round, modelBytes, recovered);
                if (!recovered.isEmpty()) {
                    restoreRound(recovered.get(0));
                    journal.restarted();
                    state.restarts++;
                }
            } catch (IOException e) {
                throw new PersistenceFailure("journal of round " + round + ": " + e.getMessage(), e);
            }
        }
        if (recoveredAuditLine != null) {
            outbox.publish(topics.audit(), recoveredAuditLine.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
            recoveredAuditLine = null;
        }
        indicator.phase(StatusIndicator.Phase.COLLECTING);
        outbox.publish(topics.model(), modelBytes, 1, true);
        AggregationSettings a = state.aggregation;
        RoundAnnouncement ann = new RoundAnnouncement(settings.fleet(), round, settings.modelId(), settings.dimension(),
                settings.maxFrameBytes(), deadlineEpoch, a.kind().wireName(), a.metricName(), a.f(), a.m(), modelDigest,
                settings.gatewayId());
        outbox.publish(topics.round(), SignedText.sign(topics.round(), ann.toMessage().toBytes(), settings.gatewaySigner()), 1, true);
        publishStatus();
        Logger.debug("round {} announced: {} expected nodes, deadline {} ms", round, settings.expected().size(),
                settings.deadline().toMillis());
    }

    private boolean allExpectedReported() {
        if (state.accepted.isEmpty()) {
            return false; // never close early on nothing (every expected node banned would spin)
        }
        try {
            return state.allExpectedReported(settings.expected(), this::banned);
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
            List<Inbound> handled = new ArrayList<>();
            handleSafely(in);
            handled.add(in);
            // Drain what is already queued without re-checking the clock for each message.
            Inbound next;
            while (!allExpectedReported() && !state.closeRequested && handled.size() < 256 && (next = inbox.poll(0)) != null) {
                handleSafely(next);
                handled.add(next);
            }
            // What was accepted is on the device before the broker hears that we have it.
            if (journal != null) {
                try {
                    journal.sync();
                } catch (IOException e) {
                    throw new PersistenceFailure("journal of round " + state.round + ": " + e.getMessage(), e);
                }
            }
            for (Inbound h : handled) {
                h.acknowledge();
            }
        }
        return state.closeRequested;
    }

    /** A message that trips a bug is logged and dropped; it must not stop the round worker. */
    private void handleSafely(Inbound in) {
        try {
            handle(in);
        } catch (PersistenceFailure e) {
            throw e;
        } catch (RuntimeException e) {
            failedMessages++;
            Logger.error(e, "round {}: message on {} ({} bytes) could not be handled", state.round, in.topic(), in.payload().length);
        }
    }

    private void handle(Inbound in) {
        if (CLOSE_REQUEST.equals(in.topic())) {
            Logger.info("round {}: closing now, as the operator asked", state.round);
            state.closeRequested = true;
            return;
        }
        String node = topics.nodeIdOf("update", in.topic());
        if (node != null) {
            if (!Identifiers.isValid(node)) {
                // Not an id any node can have: counted, logged once per round, no notice (no valid topic to send it to).
                state.rejected.merge(RejectReason.UNKNOWN_NODE, 1L, Long::sum);
                rejectedTotal.merge(RejectReason.UNKNOWN_NODE, 1L, Long::sum);
                recordFrame(node, -1, -1, in.payload(), "", RejectReason.UNKNOWN_NODE.wireName(), true);
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
            // Not authenticated (anyone may publish on a death topic without broker ACLs): noted, never acted on.
            Logger.debug("death message on the topic of node {} (its Will, or anyone's: not authenticated)", died);
            return;
        }
        ignoredTopics++;
    }

    /** Verification in the order of docs/PROTOCOL.md, "Verification". */
    private void handleUpdate(String topicNode, Inbound in) {
        byte[] p = in.payload();
        state.currentPayload = p;
        state.currentAuthenticated = false;
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
        state.currentAuthenticated = true; // from here on, only the node itself can have sent the frame
        if (banned(topicNode)) {
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
        if (journal != null) {
            try {
                journal.accepted(p);
                if (state.accepted.size() == 2) { // the third update of the round
                    FaultInjection.check(FaultInjection.Point.AFTER_JOURNAL_APPEND, state.round);
                }
            } catch (IOException e) {
                throw new PersistenceFailure("journal of round " + state.round + ": " + e.getMessage(), e);
            }
        }
        accept(topicNode, h.sequence(), block);
        recordFrame(topicNode, h.round(), h.sequence(), p, Digests.block(block), "accepted", false);
        state.lastAcceptNanos = in.arrivalNanos();
        status = snapshot();
    }

    private void accept(String node, long sequence, Bfp16Block block) {
        lastSequence.put(node, sequence);
        state.accepted.add(node);
        state.buffer.add(node, block);
    }

    /**
     * Lists a frame in the round's audit record (up to the cap; beyond it only counted) and, for a
     * rejection, in the journal, so that the record is complete after a restart.
     */
    private void recordFrame(String node, long frameRound, long sequence, byte[] payload, String blockDigest, String status,
            boolean journalIt) {
        if (state.frames.size() >= settings.maxAuditFrames()) {
            state.framesOmitted++;
            return;
        }
        String digest = Digests.hex(payload); // SHA-256 of the payload, hex
        state.frames.add(new AuditRecord.FrameEntry(node, frameRound, sequence, digest, blockDigest, status));
        if (journalIt && journal != null) {
            try {
                journal.rejected(node, frameRound, sequence, digest, status);
            } catch (IOException e) {
                throw new PersistenceFailure("journal of round " + state.round + ": " + e.getMessage(), e);
            }
        }
    }

    /** Rebuilds the round from its journal after a restart: the frames accepted before are accepted again. */
    private void restoreRound(RoundJournal.Contents c) {
        int accepted = 0;
        int rejected = 0;
        for (RoundJournal.Entry e : c.entries()) {
            byte[] p = e.payload();
            switch (e.type()) {
                case RoundJournal.MODEL -> {
                    FrameHeader h = FrameCodec.parseHeader(p, Long.MAX_VALUE);
                    String d = Digests.block(h.block());
                    if (!d.equals(modelDigest)) {
                        throw new StateException(journal.file() + " starts from model " + d + " but the state's model is "
                                + modelDigest + ": the journal and the state do not belong together");
                    }
                }
                case RoundJournal.ACCEPTED -> {
                    FrameHeader h = FrameCodec.parseHeader(p, Long.MAX_VALUE);
                    Bfp16Block block = h.block();
                    accept(h.nodeId(), h.sequence(), block);
                    recordFrame(h.nodeId(), h.round(), h.sequence(), p, Digests.block(block), "accepted", false);
                    accepted++;
                }
                case RoundJournal.REJECTED -> {
                    String[] f = e.text().split("\n", -1);
                    if (f.length != 5) {
                        throw new StateException(journal.file() + ": a rejection entry has " + f.length + " fields, not 5");
                    }
                    RejectReason reason = RejectReason.fromWireName(f[4]);
                    if (reason == null) {
                        throw new StateException(journal.file() + ": a rejection entry names an unknown reason " + f[4]);
                    }
                    state.rejected.merge(reason, 1L, Long::sum);
                    state.rejectedByNode.computeIfAbsent(f[0], k -> new EnumMap<>(RejectReason.class)).merge(reason, 1L, Long::sum);
                    if (state.frames.size() < settings.maxAuditFrames()) {
                        state.frames.add(new AuditRecord.FrameEntry(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), f[3], "", f[4]));
                    } else {
                        state.framesOmitted++;
                    }
                    rejected++;
                }
                case RoundJournal.RESTART -> state.restarts++;
                default -> throw new StateException(journal.file() + ": unknown entry type " + e.type());
            }
        }
        if (c.tornBytes() > 0) {
            Logger.warn("{}: cut off a torn last entry of {} bytes (written as the gateway died, never acknowledged;"
                    + " its sender publishes it again)", journal.file(), c.tornBytes());
        }
        Logger.info("round {} continues after a restart: {} accepted updates and {} rejections restored from {}", state.round,
                accepted, rejected, journal.file());
    }

    private void reject(String topicNode, long frameRound, long sequence, RejectReason reason, String detail) {
        recordFrame(topicNode, frameRound, sequence, state.currentPayload, "", reason.wireName(), true);
        state.rejected.merge(reason, 1L, Long::sum);
        rejectedTotal.merge(reason, 1L, Long::sum);
        status = snapshot();
        state.rejectedByNode.computeIfAbsent(topicNode, k -> new EnumMap<>(RejectReason.class)).merge(reason, 1L, Long::sum);
        if (rejectedByNodeTotal.size() < 100_000 || rejectedByNodeTotal.containsKey(topicNode)) {
            rejectedByNodeTotal.computeIfAbsent(topicNode, k -> new EnumMap<>(RejectReason.class)).merge(reason, 1L, Long::sum);
        }
        // Logged and notified once per node and reason per round; the rest are only counted. A frame
        // whose signature was not verified may come from anyone: it gets no notice, so nobody can make
        // the gateway send notices in a node's name.
        String key = topicNode + '\u0000' + reason;
        if (state.logged.size() < settings.maxLoggedPerRound() && state.logged.add(key)) {
            boolean authenticated = state.currentAuthenticated;
            Logger.warn("round {}: rejected {} {}: {}", state.round, reason.wireName(),
                    authenticated ? "from " + topicNode : "on the topic of " + topicNode + " (not authenticated)", detail);
            if (authenticated) {
                RejectionNotice n = new RejectionNotice(state.round, frameRound, sequence, reason, detail);
                outbox.publish(topics.reject(topicNode), n.toMessage().toBytes(), 1, false);
            }
        }
    }

    /**
     * The round's aggregation settings: the configured ones, with {@code f} lowered by the number of
     * registered nodes the reputation ledger has banned when {@code bansLowerF} is on (docs/REPUTATION.md, "Bans and
     * f"): a banned node cannot take part, so it no longer counts among the Byzantine nodes the rule
     * must outvote. Bans change only at round close, so the value holds for the whole round.
     */
    private AggregationSettings effectiveAggregation() {
        AggregationSettings a = settings.aggregation();
        ReputationLedger l = ledger;
        if (!settings.bansLowerF() || a.f() == 0 || l == null) {
            return a;
        }
        int bannedCount = 0;
        for (String id : settings.registry().keySet()) {
            if (l.isBanned(id)) { // reputation bans only: the operator's ban list may hold nodes that are merely retired
                bannedCount++;
            }
        }
        if (bannedCount == 0) {
            return a;
        }
        int f = Math.max(0, a.f() - bannedCount);
        Logger.info("round {}: f = {} (configured {}, lowered by {} banned node{})", round, f, a.f(), bannedCount,
                bannedCount == 1 ? "" : "s");
        return new AggregationSettings(a.kind(), a.metric(), f, a.m(), a.minUpdates());
    }

    private void closeRound() {
        RoundState s = state;
        indicator.phase(StatusIndicator.Phase.AGGREGATING);
        AggregationSettings a = s.aggregation;
        int n = s.buffer.size();
        String failure = null;
        AggregationResult result = null;
        if (n < a.quorum()) {
            failure = "below quorum: " + n + " accepted update" + (n == 1 ? "" : "s") + ", " + a.kind().wireName()
                    + " with f = " + a.f() + (a.m() > 0 ? ", m = " + a.m() : "") + " needs " + a.quorum();
        } else {
            try {
                FaultInjection.check(FaultInjection.Point.DURING_AGGREGATION, s.round);
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
        List<String> acceptedIds = sortedAccepted(result, s);
        List<ReputationChange> changes = List.of();
        List<AuditRecord.OperatorAction> operator = new ArrayList<>();
        List<StateStore.UnbanRequest> unbans = List.of();
        if (ledger != null) {
            unbans = applyUnbanRequests(s.round, operator);
            changes = ledger.apply(evidence(s, result, acceptedIds));
        }
        RoundReport report = new RoundReport(s.round, failure == null, failure, acceptedIds,
                result, modelDigest, s.rejected, copyByNode(s.rejectedByNode), Math.max(0, closedAt - from),
                closedAt - s.startNanos, s.deadlineReached);
        if (failure == null) {
            roundsAggregated++;
        } else {
            roundsFailed++;
        }
        AuditRecord rec = auditRecord(s, report, changes, operator);
        String line = AuditLog.sign(rec, auditHead, settings.gatewaySigner());
        round = s.round + 1;
        if (store != null) {
            try {
                journal.close();
                journal = null;
                store.commit(snapshotState(line), s.round);
                for (StateStore.UnbanRequest u : unbans) {
                    store.done(u);
                }
            } catch (IOException e) {
                throw new PersistenceFailure("committing round " + s.round + ": " + e.getMessage(), e);
            }
        }
        auditHead = AuditLog.hash(line);
        outbox.publish(topics.audit(), line.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
        logRound(report);
        for (ReputationChange c : changes) {
            if (c.banned()) {
                Logger.warn("node {} banned: {}", c.node(), c.describe());
            } else {
                Logger.debug("reputation {}", c.describe());
            }
        }
        // A penalty, not a lower score: decay alone lowers every score above neutral in honest rounds.
        indicator.attackSuspected(report.rejectedTotal() > 0 || changes.stream().anyMatch(c -> c.reasons().contains(
                org.qoraedge.gateway.reputation.ChangeReason.FAR_OUTSIDE)
                || c.reasons().contains(org.qoraedge.gateway.reputation.ChangeReason.MISBEHAVED)
                || c.reasons().contains(org.qoraedge.gateway.reputation.ChangeReason.BANNED)));
        for (RoundListener l : settings.listeners()) {
            try {
                l.roundClosed(report);
            } catch (RuntimeException e) {
                Logger.warn(e, "round listener failed on round {}", s.round);
            }
        }
        status = snapshot();
    }

    /** Lifts the bans the operator asked for (files in the state directory's control folder). */
    private List<StateStore.UnbanRequest> applyUnbanRequests(long r, List<AuditRecord.OperatorAction> operator) {
        if (store == null) {
            return List.of();
        }
        List<StateStore.UnbanRequest> requests;
        try {
            requests = store.unbanRequests();
        } catch (IOException e) {
            Logger.warn("cannot read operator requests in {}: {}", store.dir(), e.getMessage());
            return List.of();
        }
        for (StateStore.UnbanRequest u : requests) {
            try {
                ReputationChange c = ledger.unban(u.node(), r);
                operator.add(new AuditRecord.OperatorAction("unban", u.node(), u.reason()));
                Logger.info("operator lifted the ban of {}: {}", u.node(), c.describe());
            } catch (ReputationException e) {
                Logger.warn("operator request to unban {} refused: {}", u.node(), e.getMessage());
                operator.add(new AuditRecord.OperatorAction("unban-refused", u.node(), e.getMessage()));
            }
        }
        return requests;
    }

    private RoundEvidence evidence(RoundState s, AggregationResult result, List<String> acceptedIds) {
        Map<String, java.util.Set<RejectReason>> refusals = new TreeMap<>();
        for (Map.Entry<String, EnumMap<RejectReason, Long>> e : s.rejectedByNode.entrySet()) {
            refusals.put(e.getKey(), e.getValue().keySet());
        }
        java.util.SortedSet<String> misbehaved = RoundEvidence.misbehaving(refusals);
        java.util.SortedSet<String> absent = RoundEvidence.absent(settings.expected(), s.accepted);
        if (result != null) {
            return RoundEvidence.of(s.round, result, misbehaved, absent);
        }
        // A failed round measured nothing: accepted nodes are neither rewarded nor penalised.
        return new RoundEvidence(s.round, acceptedIds, new long[0], new int[0], misbehaved, absent);
    }

    private AuditRecord auditRecord(RoundState s, RoundReport r, List<ReputationChange> changes,
            List<AuditRecord.OperatorAction> operator) {
        AggregationSettings a = s.aggregation;
        AggregationResult res = r.result();
        List<AuditRecord.ReputationChange> rep = new ArrayList<>();
        for (ReputationChange c : changes) {
            rep.add(AuditRecord.ReputationChange.of(c));
        }
        AuditRecord.Config config = new AuditRecord.Config(a.kind().wireName(), a.metricName(), a.f(), a.m(), a.minUpdates(),
                settings.dimension(), settings.modelId(), ledger == null ? "" : ledger.settings().toCanonicalString(),
                List.copyOf(settings.expected()));
        return new AuditRecord(settings.fleet(), settings.gatewayId(), settings.gatewayPublicKey(), s.round, AuditRecord.GENESIS,
                r.aggregated() ? "aggregated" : "failed", r.aggregated() ? "" : r.failure(), config, s.modelBefore, s.frames,
                s.framesOmitted, r.acceptedIds(), res == null ? new long[0] : res.scores(), res == null ? new int[0] : res.ranking(),
                res == null ? new int[0] : res.selected(), res == null ? 0 : res.referenceExponent(),
                res == null ? "" : res.aggregateDigest(), r.modelDigest(), rep, operator,
                new AuditRecord.Timing(s.openedAtMillis, System.currentTimeMillis(), r.closeNanos() / 1000, r.deadlineReached(),
                        s.restarts, inbox.dropped() - s.droppedAtOpen),
                store != null && store.keepsFrames());
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

    private void logRound(RoundReport r) {
        if (r.aggregated()) {
            Logger.info("round {} aggregated: {} of {} expected, rejected {}, dropped {}{}, close {} ms, selected [{}], model {}",
                    r.round(), r.acceptedIds().size(), settings.expected().size(), r.rejectedSummary(), inbox.dropped() - state.droppedAtOpen,
                    refusedThisRound(),
                    String.format(java.util.Locale.ROOT, "%.1f", r.closeNanos() / 1e6),
                    String.join(",", r.result().selectedIds()), r.modelDigest().substring(0, 16));
        } else {
            Logger.warn("round {} failed closed: {}; {} of {} expected, rejected {}, dropped {}{}, model unchanged {}", r.round(),
                    r.failure(), r.acceptedIds().size(), settings.expected().size(), r.rejectedSummary(),
                    inbox.dropped() - state.droppedAtOpen, refusedThisRound(), r.modelDigest().substring(0, 16));
        }
    }

    /** ", refused before decoding N" when the MQTT link refused packets during this round, else "". */
    private String refusedThisRound() {
        long n = inbox.refusedBeforeDecoding() - state.refusedAtOpen;
        return n == 0 ? "" : ", refused before decoding " + n;
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

    /** True when the worker stopped on an error (a state write failed, a bug); the daemon exits non-zero. */
    public boolean failed() {
        return failedWithError;
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
        final AggregationSettings aggregation;
        final Set<String> accepted = new HashSet<>();
        final EnumMap<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        final Map<String, EnumMap<RejectReason, Long>> rejectedByNode = new TreeMap<>();
        final Set<String> logged = new HashSet<>();
        long lastAcceptNanos;
        boolean deadlineReached;
        boolean closeRequested;
        long openedAtMillis;
        long droppedAtOpen;
        long refusedAtOpen;
        String modelBefore;
        int restarts;
        byte[] currentPayload = new byte[0];
        boolean currentAuthenticated;
        final List<AuditRecord.FrameEntry> frames = new ArrayList<>();
        long framesOmitted;

        RoundState(long round, long startNanos, long deadlineNanos, RoundBuffer buffer, AggregationSettings aggregation) {
            this.aggregation = aggregation;
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

    /** The state directory cannot be written: the worker stops (nothing is acknowledged or published past it). */
    private static final class PersistenceFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PersistenceFailure(String message, IOException cause) {
            super(message, cause);
        }
    }
}
