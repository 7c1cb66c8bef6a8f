package org.qoraedge.gateway.round;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.RoundBuffer;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.state.FaultInjection;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateException;
import org.tinylog.Logger;

/**
 * The round being collected, owned by the round worker: its accepted updates (in the round buffer,
 * the journal and the audit record's frame list, in that order), its rejections (tally, frame list,
 * journal) and its clock. Rebuilt from the round's journal after a restart.
 */
final class OpenRound {
    final long round;
    final AggregationSettings aggregation;
    final RoundBuffer buffer;
    final long startNanos;
    final long deadlineNanos;
    final long openedAtMillis;
    final String modelBefore;
    final long droppedAtOpen;
    final long refusedAtOpen;
    /** The nodes whose updates the round waits for (the cohort, or every expected node), in canonical order. */
    final List<String> expected;
    /** The round's cohort and what it was drawn from, null when the round asks every expected node. */
    final Announcement.CohortDraw draw;
    final RejectionTally rejections = new RejectionTally();
    final Set<String> accepted = new HashSet<>();
    /** Each accepted node's frame round: in buffered mode, the model version its update was trained from. */
    final Map<String, Long> trainedFrom = new HashMap<>();
    final List<AuditRecord.FrameEntry> frames = new ArrayList<>();
    long framesOmitted;
    int restarts;
    long lastAcceptNanos;
    boolean deadlineReached;
    boolean closeRequested;
    private final Set<String> logged = new HashSet<>();
    private final int maxAuditFrames;
    private final RoundJournal journal;

    /**
     * Opens the announced round now.
     *
     * @param announced the announcement of this round (its number, rule, deadline and cohort)
     * @param journal the round's journal, or null without a state directory
     */
    OpenRound(Announcement announced, CoordinatorSettings settings, RoundBuffer buffer, String modelBefore, long droppedAtOpen,
            long refusedAtOpen, int maxAuditFrames, RoundJournal journal) {
        this.round = announced.round();
        this.aggregation = announced.aggregation();
        this.buffer = buffer;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = announced.deadlineNanos();
        this.openedAtMillis = System.currentTimeMillis();
        this.modelBefore = modelBefore;
        this.droppedAtOpen = droppedAtOpen;
        this.refusedAtOpen = refusedAtOpen;
        this.maxAuditFrames = maxAuditFrames;
        this.journal = journal;
        this.expected = announced.expected(settings);
        this.draw = announced.draw();
    }

    /**
     * Accepts an update: journaled (not yet forced), added to the buffer, listed; the node's
     * sequence recorded in {@code lastSequence}.
     */
    void accept(FrameHeader h, Bfp16Block block, byte[] payload, long arrivalNanos, Map<String, Long> lastSequence) {
        if (journal != null) {
            try {
                journal.accepted(payload);
            } catch (IOException e) {
                throw new PersistenceFailure("journal of round " + round + ": " + e.getMessage(), e);
            }
            FaultInjection.afterJournalAppend(round, accepted.size() + 1);
        }
        add(h, block, payload, lastSequence);
        lastAcceptNanos = arrivalNanos;
    }

    private void add(FrameHeader h, Bfp16Block block, byte[] payload, Map<String, Long> lastSequence) {
        lastSequence.put(h.nodeId(), h.sequence());
        accepted.add(h.nodeId());
        trainedFrom.put(h.nodeId(), h.round());
        buffer.add(h.nodeId(), block);
        list(new AuditRecord.FrameEntry(h.nodeId(), h.round(), h.sequence(), Digests.hex(payload), Digests.block(block),
                "accepted"));
    }

    /**
     * Counts a rejection and lists it in the audit record and the journal (up to the audit cap;
     * beyond it, only counted), so that the record is complete after a restart.
     *
     * @param countedNode the node to count it against, null for a topic naming no valid node
     */
    void reject(String topicNode, String countedNode, long frameRound, long sequence, byte[] payload, RejectReason reason) {
        rejections.count(countedNode, reason);
        if (frames.size() >= maxAuditFrames) {
            framesOmitted++;
            return;
        }
        RoundJournal.Rejection r = new RoundJournal.Rejection(topicNode, frameRound, sequence, Digests.hex(payload),
                reason.wireName());
        list(entryOf(r));
        if (journal != null) {
            try {
                journal.rejected(r);
            } catch (IOException e) {
                throw new PersistenceFailure("journal of round " + round + ": " + e.getMessage(), e);
            }
        }
    }

    private void list(AuditRecord.FrameEntry e) {
        if (frames.size() >= maxAuditFrames) {
            framesOmitted++;
        } else {
            frames.add(e);
        }
    }

    private static AuditRecord.FrameEntry entryOf(RoundJournal.Rejection r) {
        return new AuditRecord.FrameEntry(r.node(), r.frameRound(), r.sequence(), r.frameDigest(), "", r.reason());
    }

    /** True the first time per round for {@code key} while fewer than {@code max} keys were taken: log and notify it. */
    boolean firstOf(String key, int max) {
        return logged.size() < max && logged.add(key);
    }

    /** True when every expected node (every cohort member in a cohort round) that is not banned has an accepted update. */
    boolean allExpectedReported(Predicate<String> banned) {
        for (String id : expected) {
            if (!accepted.contains(id) && !banned.test(id)) {
                return false;
            }
        }
        return true;
    }

    /** Forces what was journaled to the device (before the broker is told the frames are safe). */
    void sync() {
        if (journal != null) {
            try {
                journal.sync();
            } catch (IOException e) {
                throw new PersistenceFailure("journal of round " + round + ": " + e.getMessage(), e);
            }
        }
    }

    /** Closes the journal (forcing it); returns the error instead of throwing it, null when none. */
    IOException closeJournal() {
        if (journal == null) {
            return null;
        }
        try {
            journal.close();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /**
     * Rebuilds the round from its journal after a restart: the frames accepted before are accepted
     * again, the rejections counted and listed again.
     *
     * @throws StateException when the journal does not start from {@code modelDigest} or is damaged
     */
    void restore(RoundJournal.Contents c, String modelDigest, Map<String, Long> lastSequence) {
        if (c.tornBytes() > 0) {
            Logger.warn("{}: cut off a torn last entry of {} bytes (written as the gateway died, never acknowledged;"
                    + " its sender publishes it again)", journal.file(), c.tornBytes());
        }
        int acceptedCount = 0;
        int rejectedCount = 0;
        for (RoundJournal.Entry e : c.entries()) {
            byte[] p = e.payload();
            switch (e.type()) {
                case RoundJournal.MODEL -> {
                    String d = Digests.block(FrameCodec.parseHeader(p, Long.MAX_VALUE).block());
                    if (!d.equals(modelDigest)) {
                        throw new StateException(journal.file() + " starts from model " + d + " but the state's model is "
                                + modelDigest + ": the journal and the state do not belong together");
                    }
                }
                case RoundJournal.ACCEPTED -> {
                    FrameHeader h = FrameCodec.parseHeader(p, Long.MAX_VALUE);
                    add(h, h.block(), p, lastSequence);
                    acceptedCount++;
                }
                case RoundJournal.REJECTED -> {
                    RoundJournal.Rejection r = RoundJournal.Rejection.parse(journal.file(), e);
                    RejectReason reason = RejectReason.fromWireName(r.reason());
                    if (reason == null) {
                        throw new StateException(journal.file() + ": a rejection entry names an unknown reason " + r.reason());
                    }
                    rejections.count(r.node(), reason);
                    list(entryOf(r));
                    rejectedCount++;
                }
                case RoundJournal.RESTART -> restarts++;
                default -> throw new StateException(journal.file() + ": unknown entry type " + e.type());
            }
        }
        try {
            journal.restarted();
        } catch (IOException e) {
            throw new PersistenceFailure("journal of round " + round + ": " + e.getMessage(), e);
        }
        restarts++;
        Logger.info("round {} continues after a restart: {} accepted updates and {} rejections restored from {}", round,
                acceptedCount, rejectedCount, journal.file());
    }
}
