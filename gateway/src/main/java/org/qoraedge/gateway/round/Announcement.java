package org.qoraedge.gateway.round;

import java.time.Duration;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.Topics;

/**
 * A round as the gateway announces it: the signed global model frame the round trains from (also
 * the first entry of the round's journal; Ed25519 signatures are deterministic, so preparing it
 * again after a restart gives the same bytes) and the signed announcement, whose deadline counts
 * from the announcement plus the pause before collection starts.
 *
 * @param round the round
 * @param aggregation the rule and parameters that apply to it
 * @param modelFrame the MODEL frame, signed
 * @param announcement the announcement's payload, signed for its topic
 * @param deadlineNanos the deadline on the {@link System#nanoTime()} clock
 * @param draw the round's cohort and what it was drawn from, or null when the round asks every expected node
 */
record Announcement(long round, AggregationSettings aggregation, byte[] modelFrame, byte[] announcement, long deadlineNanos,
        CohortDraw draw) {

    /**
     * A round's cohort as drawn at its start.
     *
     * @param eligible the expected nodes not banned at the round's start, in canonical order
     * @param members the cohort ({@link org.qoraedge.gateway.protocol.Cohort#select}), in canonical order
     */
    record CohortDraw(List<String> eligible, List<String> members) {
    }

    /** The nodes whose updates the round waits for: the cohort, or every expected node. */
    List<String> expected(CoordinatorSettings s) {
        return draw == null ? List.copyOf(s.expected()) : draw.members();
    }

    /** Prepares the announcement of {@code round}, training {@code model}, collected after {@code pause}. */
    static Announcement prepare(CoordinatorSettings s, Topics topics, long round, Bfp16Block model, String modelDigest,
            AggregationSettings a, Duration pause, boolean weighting, CohortDraw draw) {
        long until = pause.toMillis() + s.deadline().toMillis();
        long deadlineNanos = System.nanoTime() + pause.toNanos() + s.deadline().toNanos();
        long deadlineEpoch = System.currentTimeMillis() + until;
        byte[] modelFrame = new Frame(FrameKind.MODEL, SignatureScheme.ED25519, s.fleet(), s.gatewayId(), round, round + 1,
                s.modelId(), model).encode(s.gatewaySigner());
        RoundAnnouncement ann = new RoundAnnouncement(s.fleet(), round, s.modelId(), s.dimension(), s.maxFrameBytes(),
                deadlineEpoch, a.ruleName(), a.metricName(), a.f(), a.m(), modelDigest, s.gatewayId(), weighting,
                draw == null ? null : draw.members(), s.buffered() == null ? null
                        : new RoundAnnouncement.Buffered(s.buffered().bufferSize(), s.buffered().maxStaleness()));
        byte[] signed = SignedText.sign(topics.round(), ann.toMessage().toBytes(), s.gatewaySigner());
        return new Announcement(round, a, modelFrame, signed, deadlineNanos, draw);
    }
}
