package org.qoraedge.gateway.protocol;

import java.util.Arrays;

/**
 * Reads frames (docs/PROTOCOL.md, "Frame"). Every length field is checked against the payload
 * before it is used, and the payload length against the caller's maximum before anything else, so
 * a hostile frame cannot make the reader allocate or index out of range.
 */
public final class FrameCodec {
    private FrameCodec() {
    }

    /**
     * Checks a payload's structure and reads its header.
     *
     * @param payload the MQTT payload, not copied
     * @param maxBytes the largest acceptable payload, normally {@link Frame#maxSize(int)} of the round
     * @throws FrameException with OVERSIZE, BAD_MAGIC, BAD_VERSION, MALFORMED, or for a SPARSE UPDATE
     *     frame SPARSE_COUNT, SPARSE_VARINT, SPARSE_UNSORTED, SPARSE_INDEX_RANGE or SPARSE_TRAILING
     */
    public static FrameHeader parseHeader(byte[] payload, long maxBytes) {
        int len = payload.length;
        if (len > maxBytes) {
            throw new FrameException(RejectReason.OVERSIZE, "frame has " + len + " bytes; this round allows at most " + maxBytes);
        }
        if (len < 4 || readInt(payload, 0) != Frame.MAGIC) {
            throw new FrameException(RejectReason.BAD_MAGIC, "frame does not start with the magic bytes QORA (" + len + " bytes)");
        }
        if (len < 5 || (payload[4] & 0xFF) != Frame.VERSION) {
            throw new FrameException(RejectReason.BAD_VERSION, "frame version is "
                    + (len < 5 ? "missing" : String.valueOf(payload[4] & 0xFF)) + "; this gateway speaks version " + Frame.VERSION);
        }
        if (len < 9) {
            throw malformed("frame is truncated in its fixed header: " + len + " bytes");
        }
        FrameKind kind = FrameKind.ofCode(payload[5] & 0xFF);
        if (kind == null) {
            throw malformed("unknown frame kind " + (payload[5] & 0xFF));
        }
        SignatureScheme scheme = SignatureScheme.ofCode(payload[6] & 0xFF);
        if (scheme == null) {
            throw malformed("unknown signature scheme " + (payload[6] & 0xFF));
        }
        if (payload[7] != 0) {
            throw malformed("flags byte is " + (payload[7] & 0xFF) + "; version 1 requires 0");
        }
        int p = 8;
        int[] pos = {p};
        String fleet = identifier(payload, pos, "fleet");
        String nodeId = identifier(payload, pos, "node id");
        p = pos[0];
        need(payload, p, 16, "round and sequence");
        long round = readLong(payload, p);
        long sequence = readLong(payload, p + 8);
        if (round < 0) {
            throw malformed("round field has its top bit set (" + Long.toUnsignedString(round) + "); rounds are below 2^63");
        }
        if (sequence < 1) {
            throw malformed("sequence field is " + Long.toUnsignedString(sequence) + "; sequences are in [1, 2^63 - 1]");
        }
        pos[0] = p + 16;
        String modelId = identifier(payload, pos, "model id");
        p = pos[0];
        need(payload, p, 8, "block header");
        int e = readInt(payload, p);
        int d = readInt(payload, p + 4);
        p += 8;
        if (d < 1) {
            throw malformed("block dimension field is " + d + "; it must be >= 1");
        }
        if (kind == FrameKind.SPARSE_UPDATE) {
            return sparseHeader(payload, kind, scheme, fleet, nodeId, round, sequence, modelId, e, d, p);
        }
        long expected = (long) p + 2L * d + scheme.signatureLength();
        if (expected != len) {
            throw malformed("frame of dimension " + d + " with " + scheme + " must have " + expected + " bytes, has " + len);
        }
        return new FrameHeader(payload, kind, scheme, fleet, nodeId, round, sequence, modelId, e, d, p,
                len - scheme.signatureLength(), d, -1);
    }

    /** Parses, verifies the signature with {@code key} and builds the whole frame. */
    public static Frame decode(byte[] payload, long maxBytes, VerifyingKey key) {
        FrameHeader h = parseHeader(payload, maxBytes);
        if (!h.signatureValid(key)) {
            throw new FrameException(RejectReason.BAD_SIGNATURE, "signature of frame from " + h.nodeId() + " round "
                    + h.round() + " does not verify with the " + key.scheme() + " key");
        }
        return h.toFrame();
    }

    /**
     * Reads the rest of a SPARSE UPDATE frame after its {@code d} field (docs/PROTOCOL.md section
     * 4.1): {@code k}, then walks the index varints once without storing them, so a claimed
     * {@code k} or {@code d} costs no allocation; the indices are read again when the block is built.
     */
    private static FrameHeader sparseHeader(byte[] payload, FrameKind kind, SignatureScheme scheme, String fleet,
            String nodeId, long round, long sequence, String modelId, int e, int d, int start) {
        int len = payload.length;
        need(payload, start, 4, "sparse count");
        int k = readInt(payload, start);
        if (k < 1 || k > d) {
            throw new FrameException(RejectReason.SPARSE_COUNT, "sparse frame claims k = " + Integer.toUnsignedString(k)
                    + " coordinates; k must be in [1, d = " + d + "]");
        }
        int indexOffset = start + 4;
        int sigLen = scheme.signatureLength();
        int p = indexOffset;
        long previous = -1;
        for (int i = 0; i < k; i++) {
            long v = readVarint(payload, p, i);
            p += varintLength((int) v);
            if (i > 0 && v == 0) {
                throw new FrameException(RejectReason.SPARSE_UNSORTED, "sparse index " + i + " repeats index " + previous
                        + " (a gap of 0); indices must be strictly increasing");
            }
            long index = previous < 0 ? v : previous + v;
            if (index >= d) {
                throw new FrameException(RejectReason.SPARSE_INDEX_RANGE, "sparse index " + i + " is " + index
                        + "; the block's dimension is " + d);
            }
            previous = index;
        }
        int mantissaOffset = p;
        long expected = (long) mantissaOffset + 2L * k + sigLen;
        if (len < expected) {
            throw malformed("sparse frame with k = " + k + " must have " + expected + " bytes, has " + len);
        }
        if (len > expected) {
            throw new FrameException(RejectReason.SPARSE_TRAILING, "sparse frame with k = " + k + " has "
                    + (len - expected) + " bytes after its signature (" + expected + " expected, " + len + " received)");
        }
        return new FrameHeader(payload, kind, scheme, fleet, nodeId, round, sequence, modelId, e, d, mantissaOffset,
                len - sigLen, k, indexOffset);
    }

    /**
     * Reads the unsigned LEB128 varint of sparse index {@code i} at {@code p}: at most 5 bytes, value
     * at most 2^31 - 1, minimal (a varint of more than one byte does not end in {@code 00}).
     *
     * @throws FrameException with {@link RejectReason#SPARSE_VARINT}
     */
    static long readVarint(byte[] b, int p, int i) {
        long v = 0;
        for (int n = 0; n < 5; n++) {
            if (p + n >= b.length) {
                throw new FrameException(RejectReason.SPARSE_VARINT, "varint of sparse index " + i
                        + " is cut off by the end of the frame at offset " + (p + n));
            }
            int byt = b[p + n] & 0xFF;
            v |= (long) (byt & 0x7F) << (7 * n);
            if ((byt & 0x80) == 0) {
                if (n > 0 && byt == 0) {
                    throw new FrameException(RejectReason.SPARSE_VARINT, "varint of sparse index " + i + " at offset " + p
                            + " is not minimal: it ends in a 00 byte after " + n + " bytes");
                }
                if (v > Integer.MAX_VALUE) {
                    throw new FrameException(RejectReason.SPARSE_VARINT, "varint of sparse index " + i + " at offset " + p
                            + " is " + v + "; above 2^31 - 1");
                }
                return v;
            }
        }
        throw new FrameException(RejectReason.SPARSE_VARINT, "varint of sparse index " + i + " at offset " + p
                + " is longer than 5 bytes");
    }

    /** The number of bytes of the minimal unsigned LEB128 form of {@code v >= 0}. */
    static int varintLength(int v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    private static String identifier(byte[] b, int[] pos, String what) {
        int p = pos[0];
        need(b, p, 1, what + " length");
        int n = b[p] & 0xFF;
        if (n < 1 || n > Identifiers.MAX_BYTES) {
            throw malformed(what + " length is " + n + "; it must be in [1, " + Identifiers.MAX_BYTES + "]");
        }
        need(b, p + 1, n, what);
        byte[] raw = Arrays.copyOfRange(b, p + 1, p + 1 + n);
        String id;
        try {
            id = Identifiers.fromUtf8(what, raw);
        } catch (ProtocolException e) {
            throw malformed(e.getMessage());
        }
        pos[0] = p + 1 + n;
        return id;
    }

    private static void need(byte[] b, int offset, int count, String what) {
        if ((long) offset + count > b.length) {
            throw malformed("frame is truncated in its " + what + " (needs " + count + " bytes at offset " + offset
                    + ", has " + b.length + " in all)");
        }
    }

    private static FrameException malformed(String message) {
        return new FrameException(RejectReason.MALFORMED, message);
    }

    static int readInt(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    static long readLong(byte[] b, int p) {
        return ((long) readInt(b, p) << 32) | (readInt(b, p + 4) & 0xFFFF_FFFFL);
    }
}
