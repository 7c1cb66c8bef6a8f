package org.qoraedge.gateway.round;

import java.util.Map;
import java.util.function.Predicate;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.aggregation.BufferedSettings;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameException;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.VerifyingKey;

/**
 * Decides whether one update frame is accepted into the round being collected: the checks of
 * docs/PROTOCOL.md, "Verification", in that order, the first failing one naming the reason. Pure:
 * it reads the frame and the {@link RoundView}, changes nothing and does no I/O, so the same bytes
 * and view always give the same verdict.
 */
final class UpdateVerifier {
    private UpdateVerifier() {
    }

    /**
     * What the verifier reads of the gateway and its round.
     *
     * @param fleet the gateway's fleet
     * @param round the round being collected
     * @param modelId the model the round trains
     * @param dimension the model's dimension
     * @param maxFrameBytes the largest frame accepted
     * @param registry node id to registered key
     * @param banned true for a node the operator or the reputation ledger bans
     * @param lastSequence each node's last accepted sequence (absent: none yet)
     * @param acceptedThisRound true for a node with an accepted update in this round
     * @param inCohort true for a node of the round's cohort; null when the round asks every node
     * @param buffered buffered mode's settings, null in the synchronous mode: then {@code round} is the
     *     buffer's version and an update may name any version its window takes
     * @param maxNonZero the most non-zero coordinates an update's (densified) block may have
     *     ({@code round.maxNonZero}); the dimension or more: no bound
     */
    record RoundView(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
            Map<String, VerifyingKey> registry, Predicate<String> banned, Map<String, Long> lastSequence,
            Predicate<String> acceptedThisRound, Predicate<String> inCohort, BufferedSettings buffered, int maxNonZero) {

        /** A view without a bound on an update's non-zero coordinates. */
        RoundView(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
                Map<String, VerifyingKey> registry, Predicate<String> banned, Map<String, Long> lastSequence,
                Predicate<String> acceptedThisRound, Predicate<String> inCohort, BufferedSettings buffered) {
            this(fleet, round, modelId, dimension, maxFrameBytes, registry, banned, lastSequence, acceptedThisRound, inCohort, buffered,
                    dimension);
        }

        /** A view of a synchronous round. */
        RoundView(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
                Map<String, VerifyingKey> registry, Predicate<String> banned, Map<String, Long> lastSequence,
                Predicate<String> acceptedThisRound, Predicate<String> inCohort) {
            this(fleet, round, modelId, dimension, maxFrameBytes, registry, banned, lastSequence, acceptedThisRound, inCohort, null);
        }

        /** A view of a round that asks every node. */
        RoundView(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
                Map<String, VerifyingKey> registry, Predicate<String> banned, Map<String, Long> lastSequence,
                Predicate<String> acceptedThisRound) {
            this(fleet, round, modelId, dimension, maxFrameBytes, registry, banned, lastSequence, acceptedThisRound, null);
        }
    }

    /**
     * The verdict on one frame.
     *
     * @param reason null when accepted, else why not
     * @param detail for a rejection, what exactly is wrong ("" when accepted)
     * @param header the parsed header (null when it could not be parsed)
     * @param block the update (accepted frames only)
     * @param authenticated true when the frame's signature verified with the node's key: only then
     *     can the node itself have sent it, and only then does it get a rejection notice
     */
    record Verdict(RejectReason reason, String detail, FrameHeader header, Bfp16Block block, boolean authenticated) {
        boolean accepted() {
            return reason == null;
        }

        /** The frame's round, -1 when its header could not be parsed. */
        long frameRound() {
            return header == null ? -1 : header.round();
        }

        /** The frame's sequence, -1 when its header could not be parsed. */
        long sequence() {
            return header == null ? -1 : header.sequence();
        }
    }

    /** Buffered mode's check of the version an update was trained from (docs/PROTOCOL.md section 6.3); null when it is taken. */
    private static Verdict checkVersion(FrameHeader h, RoundView v) {
        BufferedSettings b = v.buffered();
        return switch (b.check(v.round(), h.round())) {
            case FUTURE -> refuse(h, RejectReason.WRONG_ROUND, "update was trained from version " + h.round()
                    + ", the newest model is version " + v.round(), true);
            case STALE -> refuse(h, RejectReason.STALE_UPDATE, "update was trained from version " + h.round() + ", "
                    + (v.round() - h.round()) + " versions behind the current " + v.round() + "; round.maxStaleness = "
                    + b.maxStaleness(), true);
            case ACCEPTED -> null;
        };
    }

    /** Verifies {@code payload}, published on the update topic of {@code topicNode}. */
    static Verdict verify(String topicNode, byte[] payload, RoundView v) {
        FrameHeader h;
        try {
            h = FrameCodec.parseHeader(payload, v.maxFrameBytes());
        } catch (FrameException e) {
            return new Verdict(e.reason(), e.getMessage(), null, null, false);
        }
        if (!h.kind().isUpdate()) {
            return refuse(h, RejectReason.WRONG_KIND, "frame of kind " + h.kind() + " on an update topic", false);
        }
        if (!h.fleet().equals(v.fleet())) {
            return refuse(h, RejectReason.WRONG_FLEET, "frame is for fleet " + h.fleet() + ", this gateway serves " + v.fleet(), false);
        }
        if (!h.nodeId().equals(topicNode)) {
            return refuse(h, RejectReason.TOPIC_MISMATCH,
                    "frame names node " + h.nodeId() + " but was published on the topic of " + topicNode, false);
        }
        VerifyingKey key = v.registry().get(topicNode);
        if (key == null) {
            return refuse(h, RejectReason.UNKNOWN_NODE, "no key is registered for node " + topicNode, false);
        }
        if (!h.signatureValid(key)) {
            return refuse(h, RejectReason.BAD_SIGNATURE,
                    "signature (" + h.scheme() + ") does not verify with the node's registered " + key.scheme() + " key", false);
        }
        // From here on, only the node itself can have sent the frame.
        if (v.banned().test(topicNode)) {
            return refuse(h, RejectReason.BANNED, "node " + topicNode + " is banned", true);
        }
        if (v.buffered() != null) {
            Verdict refused = checkVersion(h, v);
            if (refused != null) {
                return refused;
            }
        } else if (h.round() != v.round()) {
            return refuse(h, RejectReason.WRONG_ROUND,
                    "update is for round " + h.round() + ", the gateway collects round " + v.round(), true);
        }
        if (v.inCohort() != null && !v.inCohort().test(topicNode)) {
            return refuse(h, RejectReason.NOT_IN_COHORT, "node " + topicNode + " is not in the cohort of round " + v.round(), true);
        }
        Long last = v.lastSequence().get(topicNode);
        if (last != null && h.sequence() <= last) {
            return refuse(h, RejectReason.REPLAYED_SEQUENCE,
                    "sequence " + h.sequence() + " is not above the last accepted " + last, true);
        }
        if (h.dimension() != v.dimension()) {
            return refuse(h, RejectReason.WRONG_DIMENSION, "update from " + topicNode + " has " + h.dimension()
                    + " coordinates, round " + v.round() + " expects " + v.dimension(), true);
        }
        if (!h.modelId().equals(v.modelId())) {
            return refuse(h, RejectReason.WRONG_MODEL,
                    "update is for model " + h.modelId() + ", round " + v.round() + " trains " + v.modelId(), true);
        }
        if (v.acceptedThisRound().test(topicNode)) {
            return refuse(h, RejectReason.DUPLICATE_UPDATE,
                    "node " + topicNode + " already has an accepted update in " + (v.buffered() != null ? "buffer " : "round ")
                            + v.round(), true);
        }
        Bfp16Block block;
        try {
            block = h.block();
        } catch (FrameException e) {
            return refuse(h, e.reason(), e.getMessage(), true);
        }
        if (v.maxNonZero() < v.dimension()) {
            int nonZero = block.nonZeroCount();
            if (nonZero > v.maxNonZero()) {
                return refuse(h, RejectReason.TOO_DENSE, "update from " + topicNode + " has " + nonZero
                        + " non-zero coordinates; round.maxNonZero = " + v.maxNonZero(), true);
            }
        }
        return new Verdict(null, "", h, block, true);
    }

    private static Verdict refuse(FrameHeader h, RejectReason reason, String detail, boolean authenticated) {
        return new Verdict(reason, detail, h, null, authenticated);
    }
}
