package org.qoraedge.gateway.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SparseFrame;
import org.qoraedge.gateway.protocol.Topics;

/**
 * One frame for every rejection reason, built against a round being collected. Node {@code
 * victim} must have an accepted update (its frame is {@code acceptedFrameOfVictim}); node {@code
 * pending} must not have one yet; {@code banned} is registered but on the ban list; {@code
 * stranger} has no key in the registry.
 */
public final class Provocations {
    /** A payload, the topic it goes on, and the reason it must be refused with. */
    public record Provocation(RejectReason reason, String topic, byte[] payload) {
    }

    private Provocations() {
    }

    public static List<Provocation> all(Topics topics, long round, int d, String modelId, NodeCredentials victim,
            byte[] acceptedFrameOfVictim, NodeCredentials pending, NodeCredentials banned, NodeCredentials stranger,
            long firstSequence) {
        String fleet = topics.fleet();
        long seq = firstSequence;
        Bfp16Block good = TestNodes.update(pending.nodeId(), round, d, false);
        String pendingTopic = topics.update(pending.nodeId());
        List<Provocation> out = new ArrayList<>();

        out.add(new Provocation(RejectReason.OVERSIZE, pendingTopic, new byte[(int) Frame.maxUpdateSize(d) + 1]));

        byte[] f = frame(pending, FrameKind.UPDATE, fleet, round, seq++, modelId, good);
        f[0] = 'X';
        out.add(new Provocation(RejectReason.BAD_MAGIC, pendingTopic, f));

        f = frame(pending, FrameKind.UPDATE, fleet, round, seq++, modelId, good);
        f[4] = 2;
        out.add(new Provocation(RejectReason.BAD_VERSION, pendingTopic, f));

        f = frame(pending, FrameKind.UPDATE, fleet, round, seq++, modelId, good);
        out.add(new Provocation(RejectReason.MALFORMED, pendingTopic, Arrays.copyOf(f, f.length - 1)));

        // SPARSE UPDATE structure (docs/PROTOCOL.md section 4.1), refused before the signature is read.
        out.add(new Provocation(RejectReason.SPARSE_COUNT, pendingTopic, sparse(pending, fleet, round, seq++, modelId, d,
                new byte[] {0, 0, 0, 0})));
        out.add(new Provocation(RejectReason.SPARSE_VARINT, pendingTopic, sparse(pending, fleet, round, seq++, modelId, d,
                new byte[] {0, 0, 0, 1, (byte) 0x81, 0, 0, 1})));
        out.add(new Provocation(RejectReason.SPARSE_UNSORTED, pendingTopic, sparse(pending, fleet, round, seq++, modelId, d,
                new byte[] {0, 0, 0, 2, 1, 0, 0, 1, 0, 1})));
        out.add(new Provocation(RejectReason.SPARSE_INDEX_RANGE, pendingTopic, sparse(pending, fleet, round, seq++, modelId, d,
                new byte[] {0, 0, 0, 1, (byte) d, 0, 1})));
        out.add(new Provocation(RejectReason.SPARSE_TRAILING, pendingTopic, sparse(pending, fleet, round, seq++, modelId, d,
                new byte[] {0, 0, 0, 1, 0, 0, 1, 0})));

        out.add(new Provocation(RejectReason.WRONG_KIND, pendingTopic, frame(pending, FrameKind.MODEL, fleet, round, seq++, modelId, good)));

        out.add(new Provocation(RejectReason.WRONG_FLEET, pendingTopic,
                frame(pending, FrameKind.UPDATE, "other-fleet", round, seq++, modelId, good)));

        out.add(new Provocation(RejectReason.TOPIC_MISMATCH, topics.update(victim.nodeId()),
                frame(pending, FrameKind.UPDATE, fleet, round, seq++, modelId, good)));

        out.add(new Provocation(RejectReason.UNKNOWN_NODE, topics.update(stranger.nodeId()),
                frame(stranger, FrameKind.UPDATE, fleet, round, seq++, modelId, good)));

        NodeCredentials forger = pending.scheme() == SignatureScheme.HMAC_SHA256
                ? NodeCredentials.hmac(pending.nodeId(), new byte[32]) : NodeCredentials.ed25519(pending.nodeId(), new byte[32]);
        out.add(new Provocation(RejectReason.BAD_SIGNATURE, pendingTopic, frame(forger, FrameKind.UPDATE, fleet, round, seq++, modelId, good)));

        out.add(new Provocation(RejectReason.BANNED, topics.update(banned.nodeId()),
                frame(banned, FrameKind.UPDATE, fleet, round, seq++, modelId, good)));

        out.add(new Provocation(RejectReason.WRONG_ROUND, pendingTopic, frame(pending, FrameKind.UPDATE, fleet, round + 1, seq++, modelId, good)));

        out.add(new Provocation(RejectReason.REPLAYED_SEQUENCE, topics.update(victim.nodeId()), acceptedFrameOfVictim.clone()));

        out.add(new Provocation(RejectReason.WRONG_DIMENSION, pendingTopic,
                frame(pending, FrameKind.UPDATE, fleet, round, seq++, modelId, TestNodes.update(pending.nodeId(), round, d + 1, false))));

        out.add(new Provocation(RejectReason.WRONG_MODEL, pendingTopic, frame(pending, FrameKind.UPDATE, fleet, round, seq++, "other-model", good)));

        out.add(new Provocation(RejectReason.DUPLICATE_UPDATE, topics.update(victim.nodeId()),
                frame(victim, FrameKind.UPDATE, fleet, round, Long.MAX_VALUE - 1, modelId, TestNodes.update(victim.nodeId(), round, d, true))));

        f = frame(pending, FrameKind.UPDATE, fleet, round, seq++, modelId, good);
        int sigLen = pending.scheme().signatureLength();
        int mantissa = f.length - sigLen - 2;
        f[mantissa] = (byte) 0x80;
        f[mantissa + 1] = 0;
        byte[] sig = pending.signer().sign(f, f.length - sigLen);
        System.arraycopy(sig, 0, f, f.length - sigLen, sigLen);
        out.add(new Provocation(RejectReason.INVALID_BLOCK, pendingTopic, f));
        return out;
    }

    /**
     * A SPARSE UPDATE frame whose bytes after {@code d} are {@code tail} (k, indices, mantissas),
     * then a zero signature; {@code d < 128} so that {@code (byte) d} is its one-byte varint.
     */
    static byte[] sparse(NodeCredentials c, String fleet, long round, long seq, String modelId, int d, byte[] tail) {
        byte[] valid = new SparseFrame(c.scheme(), fleet, c.nodeId(), round, seq, modelId, 0, d, new int[] {0},
                new short[] {1}).unsignedBytes();
        int kOffset = valid.length - c.scheme().signatureLength() - 2 - 1 - 4; // one mantissa, one varint, k
        byte[] out = Arrays.copyOf(valid, kOffset + tail.length + c.scheme().signatureLength());
        System.arraycopy(tail, 0, out, kOffset, tail.length);
        Arrays.fill(out, kOffset + tail.length, out.length, (byte) 0);
        return out;
    }

    public static byte[] frame(NodeCredentials c, FrameKind kind, String fleet, long round, long seq, String modelId, Bfp16Block b) {
        return new Frame(kind, c.scheme(), fleet, c.nodeId(), round, seq, modelId, b).encode(c.signer());
    }
}
