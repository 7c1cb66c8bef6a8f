package org.qoraedge.gateway.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * A decoded frame (docs/PROTOCOL.md, "Frame"): an update from a node or a global model from the
 * gateway. Immutable. {@link #encode} writes the bytes; {@link FrameCodec} reads them.
 */
public final class Frame {
    /** The four magic bytes, ASCII {@code QORA}. */
    public static final int MAGIC = 0x514F5241;
    /** The only frame version this code writes and reads. */
    public static final int VERSION = 1;
    /** Bytes of a frame besides its identifiers, mantissas and signature. */
    public static final int FIXED_BYTES = 4 + 1 + 1 + 1 + 1 + 1 + 1 + 8 + 8 + 1 + 4 + 4;

    private final FrameKind kind;
    private final SignatureScheme scheme;
    private final String fleet;
    private final String nodeId;
    private final long round;
    private final long sequence;
    private final String modelId;
    private final Bfp16Block block;

    /**
     * @param round the round number, {@code >= 0}
     * @param sequence the sender's sequence number, {@code >= 1}
     */
    public Frame(FrameKind kind, SignatureScheme scheme, String fleet, String nodeId, long round, long sequence,
            String modelId, Bfp16Block block) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.fleet = fleet;
        this.nodeId = nodeId;
        this.modelId = modelId;
        this.block = Objects.requireNonNull(block, "block");
        if (round < 0) {
            throw new ProtocolException("round must be >= 0, got " + round);
        }
        if (sequence < 1) {
            throw new ProtocolException("sequence must be >= 1, got " + sequence);
        }
        this.round = round;
        this.sequence = sequence;
        Identifiers.utf8("fleet", fleet);
        Identifiers.utf8("node id", nodeId);
        Identifiers.utf8("model id", modelId);
    }

    /** The exact size in bytes of a frame with these identifier lengths, dimension and scheme. */
    public static long size(int fleetBytes, int nodeBytes, int modelBytes, int dimension, SignatureScheme scheme) {
        return (long) FIXED_BYTES + fleetBytes + nodeBytes + modelBytes + 2L * dimension + scheme.signatureLength();
    }

    /**
     * The largest frame of a round of dimension {@code d}: every identifier at 64 bytes and the
     * longest signature, {@code 291 + 2d} bytes. The gateway refuses longer payloads unread.
     */
    public static long maxSize(int dimension) {
        return size(Identifiers.MAX_BYTES, Identifiers.MAX_BYTES, Identifiers.MAX_BYTES, dimension,
                SignatureScheme.ED25519);
    }

    /**
     * The largest update frame, dense or sparse, of a round of dimension {@code d}: the larger of
     * {@link #maxSize(int)} and {@link SparseFrame#maxSize(int)} (the sparse bound, for every
     * {@code d >= 1}). The gateway refuses longer update payloads unread.
     */
    public static long maxUpdateSize(int dimension) {
        return Math.max(maxSize(dimension), SparseFrame.maxSize(dimension));
    }

    /** Writes the frame and signs it with {@code signer}, whose scheme must be this frame's. */
    public byte[] encode(FrameSigner signer) {
        return signInto(scheme, signer, unsignedBytesWithRoom());
    }

    /**
     * Signs {@code out} (a frame of {@code scheme} whose signature field, its last bytes, is still
     * zeros) over everything before that field, writes the signature there and returns {@code out}.
     */
    static byte[] signInto(SignatureScheme scheme, FrameSigner signer, byte[] out) {
        if (signer.scheme() != scheme) {
            throw new ProtocolException("frame declares " + scheme + " but the signer is " + signer.scheme());
        }
        byte[] sig = signer.sign(out, out.length - scheme.signatureLength());
        System.arraycopy(sig, 0, out, out.length - sig.length, sig.length);
        return out;
    }

    /** The frame with its signature field left as zeros; for tests that forge signatures. */
    public byte[] unsignedBytes() {
        return unsignedBytesWithRoom();
    }

    private byte[] unsignedBytesWithRoom() {
        byte[] f = Identifiers.utf8("fleet", fleet);
        byte[] n = Identifiers.utf8("node id", nodeId);
        byte[] m = Identifiers.utf8("model id", modelId);
        int d = block.dimension();
        long size = size(f.length, n.length, m.length, d, scheme);
        if (size > Integer.MAX_VALUE - 16) {
            throw new ProtocolException("frame of dimension " + d + " would have " + size + " bytes; too large for one array");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC).put((byte) VERSION).put((byte) kind.code()).put((byte) scheme.code()).put((byte) 0);
        b.put((byte) f.length).put(f);
        b.put((byte) n.length).put(n);
        b.putLong(round).putLong(sequence);
        b.put((byte) m.length).put(m);
        b.putInt(block.exponent()).putInt(d);
        for (int i = 0; i < d; i++) {
            b.putShort(block.mantissa(i));
        }
        return b.array();
    }

    public FrameKind kind() {
        return kind;
    }

    public SignatureScheme scheme() {
        return scheme;
    }

    public String fleet() {
        return fleet;
    }

    public String nodeId() {
        return nodeId;
    }

    public long round() {
        return round;
    }

    public long sequence() {
        return sequence;
    }

    public String modelId() {
        return modelId;
    }

    public Bfp16Block block() {
        return block;
    }

    @Override
    public String toString() {
        return "Frame{" + kind + ", " + scheme + ", fleet=" + fleet + ", node=" + nodeId + ", round=" + round + ", seq="
                + sequence + ", model=" + modelId + ", e=" + block.exponent() + ", d=" + block.dimension() + "}";
    }
}
