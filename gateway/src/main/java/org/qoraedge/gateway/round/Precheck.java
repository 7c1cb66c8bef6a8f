package org.qoraedge.gateway.round;

import java.util.Map;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameException;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.Identifiers;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.protocol.VerifyingKey;

/**
 * What can be worked out of an update before the round worker takes it, from its bytes and the
 * gateway's fixed settings alone (its fleet, largest frame and key registry; nothing of the round):
 * the frame's digest and, when the frame reaches the signature check of docs/PROTOCOL.md section 5,
 * the signature's verdict and, for a dense frame whose signature verified, the digest of its block
 * as sent. The {@link Inbox} computes it on the MQTT callback's thread, so that the round worker,
 * which takes the updates one at a time in their order, spends its time on what depends on the
 * round. Each value is a function of the bytes and the key alone: whichever thread computes it, and
 * whether it is computed here or by the worker, every verdict and digest is the same (tested).
 *
 * @param frameDigest SHA-256 of the payload, lower-case hex (the audit's frame digest)
 * @param key the registered key the signature was checked with; null when the frame did not reach
 *     that check (the worker then finds the same refusal before it)
 * @param signatureValid the signature's verdict under {@code key}
 * @param blockDigest {@link Digests#block} of the frame's block, from its bytes as sent; null unless
 *     the signature verified and the frame is a dense UPDATE (valid only once the worker has built
 *     the block from the same bytes without a refusal)
 */
public record Precheck(String frameDigest, VerifyingKey key, boolean signatureValid, String blockDigest) {

    /** The frame digest, this precheck's when there is one, else computed now. */
    static String frameDigest(Precheck p, byte[] payload) {
        return p != null ? p.frameDigest() : Digests.hex(payload);
    }

    /**
     * Computes prechecks for updates published to one gateway's topics.
     *
     * @param topics the gateway's topics (which name the node of an update topic)
     * @param fleet the gateway's fleet
     * @param maxFrameBytes the largest frame accepted
     * @param registry node id to registered key (not changed while the gateway runs)
     */
    record Computer(Topics topics, String fleet, long maxFrameBytes, Map<String, VerifyingKey> registry) {
        /** The precheck of a message on {@code topic}; null for a topic that is not a valid node's update topic. */
        Precheck of(String topic, byte[] payload) {
            String node = topics.nodeIdOf("update", topic);
            if (node == null || !Identifiers.isValid(node)) {
                return null;
            }
            String frameDigest = Digests.hex(payload);
            FrameHeader h;
            try {
                h = FrameCodec.parseHeader(payload, maxFrameBytes);
            } catch (FrameException e) {
                return new Precheck(frameDigest, null, false, null);
            }
            VerifyingKey key = registry.get(node);
            if (key == null || !h.kind().isUpdate() || !h.fleet().equals(fleet) || !h.nodeId().equals(node)) {
                return new Precheck(frameDigest, null, false, null);
            }
            boolean valid = h.signatureValid(key);
            return new Precheck(frameDigest, key, valid, valid ? h.blockDigestAsSent() : null);
        }
    }
}
