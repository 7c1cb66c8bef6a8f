package org.qoraedge.gateway.protocol;

import java.io.ByteArrayOutputStream;
import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * A SPARSE UPDATE frame (docs/PROTOCOL.md section 4.1): a node's update for one round as {@code k}
 * strictly increasing indices of a block of dimension {@code d} and their mantissas, every other
 * coordinate zero. Immutable; the arrays are copied on the way in and out. {@link #encode} writes
 * the bytes; {@link FrameCodec} reads them (its header's {@link FrameHeader#block()} densifies).
 */
public final class SparseFrame {
    /** Bytes of a sparse frame besides its identifiers, indices, mantissas and signature. */
    public static final int FIXED_BYTES = Frame.FIXED_BYTES + 4;

    private final SignatureScheme scheme;
    private final String fleet;
    private final String nodeId;
    private final long round;
    private final long sequence;
    private final String modelId;
    private final int exponent;
    private final int dimension;
    private final int[] indices;
    private final short[] mantissas;

    /**
     * @param round the round number, {@code >= 0}
     * @param sequence the sender's sequence number, {@code >= 1}
     * @param exponent the block exponent, in spec section 1's range
     * @param dimension the dense block's dimension {@code d >= 1}
     * @param indices {@code k} strictly increasing indices in {@code [0, d)}, {@code 1 <= k <= d}
     * @param mantissas the {@code k} mantissas, none {@code -32768}
     * @throws ProtocolException for anything the gateway would refuse
     */
    public SparseFrame(SignatureScheme scheme, String fleet, String nodeId, long round, long sequence, String modelId,
            int exponent, int dimension, int[] indices, short[] mantissas) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.fleet = fleet;
        this.nodeId = nodeId;
        this.modelId = modelId;
        Identifiers.utf8("fleet", fleet);
        Identifiers.utf8("node id", nodeId);
        Identifiers.utf8("model id", modelId);
        if (round < 0) {
            throw new ProtocolException("round must be >= 0, got " + round);
        }
        if (sequence < 1) {
            throw new ProtocolException("sequence must be >= 1, got " + sequence);
        }
        if (exponent < Bfp16Block.MIN_EXPONENT || exponent > Bfp16Block.MAX_EXPONENT) {
            throw new ProtocolException("exponent " + exponent + " is outside [" + Bfp16Block.MIN_EXPONENT + ", "
                    + Bfp16Block.MAX_EXPONENT + "]");
        }
        if (dimension < 1) {
            throw new ProtocolException("dimension must be >= 1, got " + dimension);
        }
        int k = indices.length;
        if (k != mantissas.length) {
            throw new ProtocolException(k + " indices but " + mantissas.length + " mantissas");
        }
        if (k < 1 || k > dimension) {
            throw new ProtocolException("k = " + k + " must be in [1, d = " + dimension + "]");
        }
        for (int i = 0; i < k; i++) {
            if (indices[i] < 0 || indices[i] >= dimension) {
                throw new ProtocolException("index " + i + " is " + indices[i] + "; outside [0, " + dimension + ")");
            }
            if (i > 0 && indices[i] <= indices[i - 1]) {
                throw new ProtocolException("index " + i + " is " + indices[i] + " after " + indices[i - 1]
                        + "; indices must be strictly increasing");
            }
            if (mantissas[i] == Short.MIN_VALUE) {
                throw new ProtocolException("mantissa " + i + " is -32768, which spec section 1 forbids");
            }
        }
        this.round = round;
        this.sequence = sequence;
        this.exponent = exponent;
        this.dimension = dimension;
        this.indices = indices.clone();
        this.mantissas = mantissas.clone();
    }

    /**
     * The largest SPARSE UPDATE frame of dimension {@code d}: every identifier at 64 bytes, the
     * longest signature, {@code k = d} and the index varints at their longest,
     * {@code 295 + 3d + floor((d-1)/2^7) + floor((d-1)/2^14) + floor((d-1)/2^21) + floor((d-1)/2^28)}
     * bytes. (The values of the varints add up to the last index, at most {@code d - 1}, and a
     * varint needs an extra byte per power of 2^7 its value reaches.)
     */
    public static long maxSize(int dimension) {
        long dm1 = Math.max(0, dimension - 1L);
        long extra = (dm1 >> 7) + (dm1 >> 14) + (dm1 >> 21) + (dm1 >> 28);
        return FIXED_BYTES + 3L * Identifiers.MAX_BYTES + 3L * dimension + extra
                + SignatureScheme.ED25519.signatureLength();
    }

    /** Writes the frame and signs it with {@code signer}, whose scheme must be this frame's. */
    public byte[] encode(FrameSigner signer) {
        return Frame.signInto(scheme, signer, unsignedBytes());
    }

    /** The frame with its signature field left as zeros; for tests that forge signatures. */
    public byte[] unsignedBytes() {
        byte[] f = Identifiers.utf8("fleet", fleet);
        byte[] n = Identifiers.utf8("node id", nodeId);
        byte[] m = Identifiers.utf8("model id", modelId);
        ByteArrayOutputStream b = new ByteArrayOutputStream(FIXED_BYTES + 200 + 5 * indices.length);
        putInt(b, Frame.MAGIC);
        b.write(Frame.VERSION);
        b.write(FrameKind.SPARSE_UPDATE.code());
        b.write(scheme.code());
        b.write(0);
        b.write(f.length);
        b.write(f, 0, f.length);
        b.write(n.length);
        b.write(n, 0, n.length);
        putInt(b, (int) (round >>> 32));
        putInt(b, (int) round);
        putInt(b, (int) (sequence >>> 32));
        putInt(b, (int) sequence);
        b.write(m.length);
        b.write(m, 0, m.length);
        putInt(b, exponent);
        putInt(b, dimension);
        putInt(b, indices.length);
        int previous = 0;
        for (int i = 0; i < indices.length; i++) {
            int v = i == 0 ? indices[0] : indices[i] - previous;
            while ((v & ~0x7F) != 0) {
                b.write((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b.write(v);
            previous = indices[i];
        }
        for (short s : mantissas) {
            b.write((s >> 8) & 0xFF);
            b.write(s & 0xFF);
        }
        b.write(new byte[scheme.signatureLength()], 0, scheme.signatureLength());
        return b.toByteArray();
    }

    private static void putInt(ByteArrayOutputStream b, int v) {
        b.write(v >>> 24);
        b.write((v >>> 16) & 0xFF);
        b.write((v >>> 8) & 0xFF);
        b.write(v & 0xFF);
    }

    /** The dense block: these mantissas at these indices, zero elsewhere. */
    public Bfp16Block densify() {
        short[] m = new short[dimension];
        for (int i = 0; i < indices.length; i++) {
            m[indices[i]] = mantissas[i];
        }
        return Bfp16Block.of(exponent, m);
    }

    public SignatureScheme scheme() {
        return scheme;
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

    public int exponent() {
        return exponent;
    }

    public int dimension() {
        return dimension;
    }

    /** The number of coordinates carried, {@code k}. */
    public int count() {
        return indices.length;
    }

    /** A copy of the indices. */
    public int[] indices() {
        return indices.clone();
    }

    /** A copy of the mantissas. */
    public short[] mantissas() {
        return mantissas.clone();
    }
}
