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
     * @throws FrameException with OVERSIZE, BAD_MAGIC, BAD_VERSION or MALFORMED
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
        long expected = (long) p + 2L * d + scheme.signatureLength();
        if (expected != len) {
            throw malformed("frame of dimension " + d + " with " + scheme + " must have " + expected + " bytes, has " + len);
        }
        return new FrameHeader(payload, kind, scheme, fleet, nodeId, round, sequence, modelId, e, d, p,
                len - scheme.signatureLength());
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
