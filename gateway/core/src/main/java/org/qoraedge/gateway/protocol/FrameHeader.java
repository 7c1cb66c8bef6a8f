package org.qoraedge.gateway.protocol;

import java.nio.ByteBuffer;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.FixedPointException;

/**
 * A frame whose structure has been checked but whose block has not been built yet: every field
 * but the mantissas, and where they and the signature lie in the payload. The round worker decides
 * on identity, signature, round, sequence and dimension from this before allocating anything the
 * size of the model. Not thread-safe; holds the payload array without copying it.
 */
public final class FrameHeader {
    private final byte[] payload;
    private final FrameKind kind;
    private final SignatureScheme scheme;
    private final String fleet;
    private final String nodeId;
    private final long round;
    private final long sequence;
    private final String modelId;
    private final int exponent;
    private final int dimension;
    private final int mantissaOffset;
    private final int signatureOffset;
    private final int count;
    private final int indexOffset;

    FrameHeader(byte[] payload, FrameKind kind, SignatureScheme scheme, String fleet, String nodeId, long round,
            long sequence, String modelId, int exponent, int dimension, int mantissaOffset, int signatureOffset, int count,
            int indexOffset) {
        this.payload = payload;
        this.kind = kind;
        this.scheme = scheme;
        this.fleet = fleet;
        this.nodeId = nodeId;
        this.round = round;
        this.sequence = sequence;
        this.modelId = modelId;
        this.exponent = exponent;
        this.dimension = dimension;
        this.mantissaOffset = mantissaOffset;
        this.signatureOffset = signatureOffset;
        this.count = count;
        this.indexOffset = indexOffset;
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

    /** The block's exponent field as sent (not yet range-checked). */
    public int exponent() {
        return exponent;
    }

    /** The block's dimension field; the payload length has been checked against it. */
    public int dimension() {
        return dimension;
    }

    /**
     * The number of mantissas the frame carries: {@code k} of a SPARSE UPDATE frame (its index
     * stream already walked and found valid), the dimension of any other frame.
     */
    public int count() {
        return count;
    }

    /** Offset of the signature, which is also the number of signed bytes. */
    public int signatureOffset() {
        return signatureOffset;
    }

    /** The whole payload (not copied). */
    byte[] payload() {
        return payload;
    }

    /** True when the signature verifies under {@code key} and the schemes agree. */
    public boolean signatureValid(VerifyingKey key) {
        return key.scheme() == scheme && key.verify(payload, signatureOffset);
    }

    /**
     * Builds the block (allocates {@code 2d} bytes); a SPARSE UPDATE frame's block is densified, with
     * zeros at every index it does not carry.
     *
     * @throws FrameException with {@link RejectReason#INVALID_BLOCK} for a block spec section 1 refuses
     */
    public Bfp16Block block() {
        short[] m = new short[dimension];
        int p = mantissaOffset;
        if (kind == FrameKind.SPARSE_UPDATE) {
            // Densify: zeros everywhere but the k indices, which parsing has checked.
            int q = indexOffset;
            int index = -1;
            for (int i = 0; i < count; i++, p += 2) {
                int v = (int) FrameCodec.readVarint(payload, q, i);
                q += FrameCodec.varintLength(v);
                index = index < 0 ? v : index + v;
                m[index] = (short) (((payload[p] & 0xFF) << 8) | (payload[p + 1] & 0xFF));
            }
        } else {
            ByteBuffer.wrap(payload, p, 2 * dimension).asShortBuffer().get(m); // big-endian int16, in bulk
        }
        try {
            return Bfp16Block.of(exponent, m);
        } catch (FixedPointException e) {
            throw new FrameException(RejectReason.INVALID_BLOCK, "frame from " + nodeId + " round " + round + ": " + e.getMessage());
        }
    }

    /**
     * A SPARSE UPDATE frame's fields as sent: its indices and mantissas, zero mantissas included
     * (allocates {@code 6k} bytes).
     *
     * @throws ProtocolException when this is not a SPARSE UPDATE frame, or for an exponent or
     *     mantissa spec section 1 refuses
     */
    public SparseFrame toSparseFrame() {
        if (kind != FrameKind.SPARSE_UPDATE) {
            throw new ProtocolException("frame of kind " + kind + " is not a sparse update");
        }
        int[] indices = new int[count];
        short[] m = new short[count];
        int q = indexOffset;
        int p = mantissaOffset;
        int index = -1;
        for (int i = 0; i < count; i++, p += 2) {
            int v = (int) FrameCodec.readVarint(payload, q, i);
            q += FrameCodec.varintLength(v);
            index = index < 0 ? v : index + v;
            indices[i] = index;
            m[i] = (short) (((payload[p] & 0xFF) << 8) | (payload[p + 1] & 0xFF));
        }
        return new SparseFrame(scheme, fleet, nodeId, round, sequence, modelId, exponent, dimension, indices, m);
    }

    /** The decoded frame (builds the block; a SPARSE UPDATE frame is returned densified, as UPDATE). */
    public Frame toFrame() {
        return new Frame(kind == FrameKind.SPARSE_UPDATE ? FrameKind.UPDATE : kind, scheme, fleet, nodeId, round, sequence, modelId, block());
    }
}
