package org.qoraedge.gateway.round;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.aggregation.BufferedClose;
import org.qoraedge.gateway.aggregation.CentralNoiseSettings;
import org.qoraedge.gateway.aggregation.RoundClose;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.state.FaultInjection;
import org.qoraedge.gateway.state.GatewayState;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.status.StatusIndicator;
import org.tinylog.Logger;

/**
 * Runs rounds. One worker thread owns every round's state; MQTT callbacks only put messages in the
 * {@link Inbox}. A round, step by step: {@link #open} (its journal, restored after a restart),
 * {@link #collect} (each update {@link UpdateVerifier verified}, accepted into the {@link OpenRound}
 * or rejected, journaled and forced before the broker's acknowledgement), then {@link #closeRound}:
 * {@link RoundClose} aggregates in canonical order through {@code fixedpoint} (below quorum the
 * round fails closed), reputation, the signed audit record, the state committed, the record
 * published, listeners told, and last the new model and the next round's announcement published.
 * The pause then separates that announcement from the next collection.
 *
 * <p>In buffered mode ({@link CoordinatorSettings#buffered}, docs/PROTOCOL.md section 6.3) a round
 * is a buffer: it accepts updates trained from any version in its staleness window, closes when it
 * holds {@code round.bufferSize} of them, and weights each by its staleness; its close publishes
 * the next model version as a round close does.
 *
 * <p>Nothing on the aggregation path depends on arrival order, threads or hash order: the round
 * buffer sorts by node id before aggregating, and every step after is integer arithmetic.
 */
public final class RoundCoordinator implements AutoCloseable {
    private final CoordinatorSettings settings;
    private final Inbox inbox;
    private final Outbox outbox;
    private final Topics topics;
    private final StateStore store;
    private final StatusIndicator indicator;
    private final BanList banList;
    private final List<RoundListener> listeners;
    private final Thread worker;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean running;
    private volatile boolean failedWithError;
    private volatile CoordinatorStatus status;
    private volatile ReputationLedger ledger;
    /** {@link System#nanoTime} of the worker's last step (see {@link #lastStepNanos}). */
    private volatile long lastStepNanos = System.nanoTime();

    // Owned by the worker thread.
    private Bfp16Block model;
    private String modelDigest;
    private long round;
    private final Map<String, Long> lastSequence = new HashMap<>();
    private long roundsAggregated;
    private long roundsFailed;
    private volatile String auditHead = AuditRecord.GENESIS;
    private String republishAudit;
    private Bfp16Block reference; // centered clipping's: the previous round's aggregate, null for the zero block
    private OpenRound open;
    private UpdateVerifier.RoundView view;
    private final RoundIntake intake;

    public RoundCoordinator(CoordinatorSettings settings, RoundServices services, Inbox inbox, Outbox outbox) {
        this.settings = settings;
        this.inbox = inbox;
        this.outbox = outbox;
        this.topics = new Topics(settings.fleet());
        this.store = services.store();
        this.ledger = services.reputation();
        if (ledger != null && ledger.settings().weighting() && !settings.aggregation().whyNotWeighted().isEmpty()) {
            throw new RoundSettingsException("reputation.weighting = true cannot apply to aggregator = "
                    + settings.aggregation().ruleName() + ": " + settings.aggregation().whyNotWeighted());
        }
        if (ledger != null && settings.buffered() != null) {
            throw new RoundSettingsException("round.mode = buffered cannot keep reputation: set reputation.enabled = false"
                    + " (the reputation of buffered mode is not specified, docs/PROTOCOL.md section 13)");
        }
        this.indicator = services.indicator();
        this.banList = services.banList();
        this.listeners = services.listeners();
        this.model = settings.initialModel();
        this.modelDigest = Digests.block(model);
        this.round = settings.firstRound();
        this.worker = new Thread(this::runLoop, "qora-round-worker-" + settings.fleet());
        this.worker.setDaemon(true);
        this.status = new CoordinatorStatus(round, 0, 0, 0, 0, 0, modelDigest, false);
        this.intake = new RoundIntake(settings, inbox, outbox, topics, lastSequence, this::banned, () -> status = snapshot());
    }

    /**
     * Starts the worker; the first round is announced at once. With a state directory, the state
     * is loaded first (on this thread, so that a damaged state fails the start): the gateway goes on
     * with the round it was in, its accepted frames restored from the round's journal.
     *
     * @throws org.qoraedge.gateway.state.StateException when the state directory cannot be used as it is
     * @throws UncheckedIOException when it cannot be read or written
     */
    public void start() {
        if (store != null) {
            try {
                resume();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot use the state directory " + store.dir() + ": " + e.getMessage(), e);
            }
        }
        running = true;
        worker.start();
    }

    private void resume() throws IOException {
        RoundRecovery.Resumed r = RoundRecovery.resume(store, settings, ledger);
        if (r == null) {
            store.writeState(snapshotState(null));
            Logger.info("state directory {} is new: starting at round {}", store.dir(), round);
            return;
        }
        round = r.round();
        model = r.model();
        modelDigest = Digests.block(model);
        lastSequence.putAll(r.sequences());
        roundsAggregated = r.roundsAggregated();
        roundsFailed = r.roundsFailed();
        auditHead = r.auditHead();
        republishAudit = r.republish();
        ledger = r.ledger();
        reference = r.reference();
        status = new CoordinatorStatus(round, 0, 0, 0, roundsAggregated, roundsFailed, modelDigest, false);
        Logger.info("resumed from {}: round {}, model {}, {} node sequences, {} audit records so far", store.stateFile(), round,
                modelDigest.substring(0, 16), lastSequence.size(), roundsAggregated + roundsFailed);
    }

    /** Asks the worker to close the current round now, as if its deadline had passed (the status button does). Safe from any thread; ignored when the inbox is full. */
    public void requestClose() {
        inbox.offerControl(new Inbound(RoundIntake.CLOSE_REQUEST, new byte[0], System.nanoTime()));
    }

    /** The reputation ledger (null without one); read its scores from any thread. */
    public ReputationLedger reputation() {
        return ledger;
    }

    /**
     * {@link System#nanoTime} of the round worker's last step: it takes one at least every second
     * while it collects (each message handled, or a second without one), one per round it opens
     * or closes, and one per second of the pause between rounds. A worker stuck in a step (a
     * write that never returns, a deadlock) stops advancing it. Safe from any thread.
     */
    public long lastStepNanos() {
        return lastStepNanos;
    }

    /** The hash of the last audit record (the genesis hash before the first), as the next record will chain it; safe from any thread. */
    public String auditHead() {
        return auditHead;
    }

    /** A snapshot for status displays; safe from any thread. */
    public CoordinatorStatus status() {
        return status;
    }

    /** Waits until the worker has stopped (after {@code maxRounds} or {@link #close}). */
    public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    /** True when the worker stopped on an error (a state write failed, a bug); the daemon exits non-zero. */
    public boolean failed() {
        return failedWithError;
    }

    /** Rejections since start, by reason; read on the worker thread or after it finished. */
    public Map<RejectReason, Long> rejectedTotals() {
        return intake.rejectedTotals();
    }

    /** The current global model; read after the worker finished (or from a round listener). */
    public Bfp16Block model() {
        return model;
    }

    /**
     * Stops the worker: the round being collected is abandoned (not closed, nothing published for
     * it); the worker finishes the message it is handling first. Idempotent.
     */
    @Override
    public void close() {
        running = false;
        inbox.close(); // an MQTT callback waiting for room gives up, leaving its message to the broker
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
            Announcement next = prepare(Duration.ZERO);
            boolean first = true;
            long rounds = 0;
            while (running) {
                lastStepNanos = System.nanoTime();
                open(next);
                if (first) {
                    announceFirst(next);
                    first = false;
                }
                while (running && !intake.collect(open, view)) {
                    lastStepNanos = System.nanoTime(); // collect until the round can close
                }
                lastStepNanos = System.nanoTime();
                if (!running) {
                    break;
                }
                next = closeRound();
                rounds++;
                if (settings.maxRounds() > 0 && rounds >= settings.maxRounds()) {
                    Logger.info("{} rounds done; round worker stops", rounds);
                    break;
                }
                if (!settings.pause().isZero()) {
                    indicator.phase(StatusIndicator.Phase.IDLE);
                    pause(settings.pause().toMillis());
                }
            }
        } catch (InterruptedException e) {
            // close() asked us to stop
        } catch (PersistenceFailure e) {
            if (!running && e.getCause() instanceof ClosedByInterruptException) {
                // close() interrupted a journal or state write: nothing past the last commit is lost (docs/STATE.md)
                Logger.debug("round worker stopped during a write of round {}", round);
            } else {
                stopOnError(e, "round worker stopped in round {}: the state directory cannot be written");
            }
        } catch (RuntimeException | Error e) {
            if (!running && interruptedWrite(e)) {
                // close() interrupted a write of the round's scratch file: it holds nothing needed after a stop
                Logger.debug("round worker stopped during a scratch write of round {}", round);
            } else {
                stopOnError(e, "round worker failed in round {}");
            }
        } finally {
            running = false;
            if (!failedWithError) {
                indicator.phase(StatusIndicator.Phase.IDLE);
            }
            IOException e = open == null ? null : open.closeJournal();
            if (e != null) {
                Logger.warn("closing the journal of round {} failed: {}", round, e.getMessage());
            }
            status = snapshot();
            finished.countDown();
        }
    }

    /** Sleeps {@code millis} in steps of at most a second, each one a step of the worker's. */
    private void pause(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        for (long left = millis; left > 0; left = (end - System.nanoTime()) / 1_000_000L) {
            Thread.sleep(Math.min(left, 1000));
            lastStepNanos = System.nanoTime();
        }
    }

    /** Whether {@code e} is, or was caused by, an interrupt that closed a file channel. */
    private static boolean interruptedWrite(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    private void stopOnError(Throwable e, String message) {
        failedWithError = true;
        indicator.error(true);
        Logger.error(e, message, round);
    }

    /** Prepares the announcement of round {@link #round}, collected after {@code pause}. */
    private Announcement prepare(Duration pause) {
        Announcement.CohortDraw draw = RoundRules.drawCohort(settings, round, modelDigest, this::banned);
        return Announcement.prepare(settings, topics, round, model, modelDigest, RoundRules.effective(settings, ledger, round, draw),
                pause, ledger != null && ledger.settings().weighting(), draw);
    }

    /**
     * Publishes the announcement, then the model (both retained): a node that holds the signed
     * announcement takes the model it names by its digest, without checking the frame's signature.
     */
    private void publish(Announcement a) {
        outbox.publish(topics.round(), a.announcement(), 1, true);
        outbox.publish(topics.model(), a.modelFrame(), 1, true);
        Logger.debug("round {} announced: {} expected nodes, deadline {} ms", a.round(), a.expected(settings).size(),
                settings.deadline().toMillis());
    }

    /** The first round's announcement, after an audit line the log had lost and got back (published again). */
    private void announceFirst(Announcement a) {
        if (republishAudit != null) {
            outbox.publish(topics.audit(), republishAudit.getBytes(StandardCharsets.UTF_8), 1, false);
            republishAudit = null;
        }
        publish(a);
    }

    /** True when the operator's ban list or the reputation ledger bans the node. */
    private boolean banned(String node) {
        ReputationLedger l = ledger;
        return banList.isBanned(node) || (l != null && l.isBanned(node));
    }

    private void open(Announcement a) {
        RoundJournal journal = null;
        List<RoundJournal.Contents> recovered = new ArrayList<>();
        if (store != null) {
            try {
                journal = store.openJournal(settings.fleet(), a.round(), a.modelFrame(), recovered);
            } catch (IOException e) {
                throw new PersistenceFailure("journal of round " + a.round() + ": " + e.getMessage(), e);
            }
        }
        open = new OpenRound(a, settings, settings.buffers().open(a.round(), settings.dimension(), a.aggregation()), modelDigest,
                inbox.dropped(), inbox.refusedBeforeDecoding(), settings.maxAuditFrames(), journal);
        view = new UpdateVerifier.RoundView(settings.fleet(), a.round(), settings.modelId(), settings.dimension(),
                settings.maxFrameBytes(), settings.registry(), this::banned, lastSequence, open.accepted::contains,
                RoundRules.cohortTest(a.draw()), settings.buffered(), settings.maxNonZero());
        if (!recovered.isEmpty()) {
            open.restore(recovered.get(0), modelDigest, lastSequence);
        }
        indicator.phase(StatusIndicator.Phase.COLLECTING);
        status = snapshot();
    }

    private Announcement closeRound() {
        OpenRound r = open;
        indicator.phase(StatusIndicator.Phase.AGGREGATING);
        RoundClose.Outcome outcome = aggregate(r);
        long closedAt = System.nanoTime();
        RoundReputation.Step rep = RoundReputation.apply(ledger, store, r.round, r.rejections, outcome, r.expected,
                r.accepted);
        if (outcome.aggregated()) {
            model = outcome.modelAfter();
            modelDigest = Digests.block(model);
            roundsAggregated++;
        } else {
            roundsFailed++;
        }
        RoundReport report = RoundRules.report(r, outcome, modelDigest, closedAt);
        AuditRecord record = RoundRules.auditRecord(settings, ledger, store != null && store.keepsFrames(), r, outcome, report, rep,
                inbox.dropped(), reference);
        reference = r.aggregation.usesReference() && outcome.aggregated() ? outcome.nextReference() : null;
        String line = AuditLog.sign(record, auditHead, settings.gatewaySigner());
        round = r.round + 1;
        commit(r, line, rep.unbans());
        auditHead = AuditLog.hash(line);
        outbox.publish(topics.audit(), line.getBytes(StandardCharsets.UTF_8), 1, false);
        RoundRules.log(report, r, r.expected.size(), inbox.dropped(), inbox.refusedBeforeDecoding());
        rep.log();
        indicator.attackEvidence(RoundRules.attackEvidence(report, rep.changes()));
        for (RoundListener l : listeners) {
            try {
                l.roundClosed(report);
            } catch (RuntimeException e) {
                Logger.warn(e, "round listener failed on round {}", r.round);
            }
        }
        Announcement next = prepare(settings.pause());
        publish(next);
        status = snapshot();
        return next;
    }

    /** The round's outcome by {@link RoundClose}; a bug in it fails the round closed as {@code internal-error}, with its stack trace logged. */
    private RoundClose.Outcome aggregate(OpenRound r) {
        List<String> ids = List.copyOf(r.accepted);
        try {
            if (r.buffer.size() >= r.aggregation.quorum()) {
                FaultInjection.check(FaultInjection.Point.DURING_AGGREGATION, r.round);
            }
            ReputationLedger l = ledger;
            // Weighted by each node's reputation before this round (docs/REPUTATION.md section 7), or
            // in buffered mode by each update's staleness (docs/PROTOCOL.md section 6.3).
            ToLongFunction<String> weights = settings.buffered() != null
                    ? BufferedClose.weights(settings.buffered(), r.round, r.trainedFrom, null)
                    : l != null && l.settings().weighting() ? l::weight : null;
            CentralNoiseSettings noise = settings.centralNoise();
            return RoundClose.close(r.aggregation, r.buffer, ids, model, reference, weights,
                    settings.buffered() != null ? settings.buffered().serverStepShift() : 0,
                    noise == null ? null : aggregate -> noise.apply(r.round, aggregate));
        } catch (RuntimeException e) {
            Logger.error(e, "round {}: closing the round failed on an internal error; it fails closed", r.round);
            return RoundClose.failed(ids, model, "internal-error: " + e);
        }
    }

    /** The commit point: the new state, carrying the audit line, replaces the old; the operator requests handled are done. */
    private void commit(OpenRound r, String line, List<StateStore.UnbanRequest> unbans) {
        IOException closing = r.closeJournal();
        if (store == null) {
            return;
        }
        try {
            if (closing != null) {
                throw closing;
            }
            store.commit(snapshotState(line), r.round);
            for (StateStore.UnbanRequest u : unbans) {
                store.done(u);
            }
        } catch (IOException e) {
            throw new PersistenceFailure("committing round " + r.round + ": " + e.getMessage(), e);
        }
    }

    /** The state as of the start of round {@link #round}. */
    private GatewayState snapshotState(String lastAuditLine) {
        return new GatewayState(settings.fleet(), settings.gatewayId(), round, settings.modelId(), model,
                new TreeMap<>(lastSequence), ledger == null ? new TreeMap<>() : ledger.entries(),
                settings.registryText(), lastAuditLine, roundsAggregated, roundsFailed, reference);
    }

    /** The status now; between a round's close and the next one's opening, round {@link #round} has accepted nothing yet. */
    private CoordinatorStatus snapshot() {
        return new CoordinatorStatus(round, open == null || open.round != round ? 0 : open.accepted.size(), intake.rejectedSinceStart(), inbox.dropped(), roundsAggregated,
                roundsFailed, modelDigest, running);
    }
}
