package org.qoraedge.fixedpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Digests of results (spec section 7): SHA-256 over a fixed big-endian layout, as 64 lower-case
 * hex digits. A block's layout is {@link BlockBytes}, which also reads it back.
 */
public final class Digests {
    private static final HexFormat HEX = HexFormat.of();

    private Digests() {
    }

    /** Digest of a block: SHA-256 of {@link BlockBytes#write}. */
    public static String block(Bfp16Block b) {
        MessageDigest sha = sha256();
        BlockBytes.update(sha, b);
        return HEX.formatHex(sha.digest());
    }

    /** Digest of a ranking or a selection: int32 count, then each index as int32. */
    public static String indices(int[] indices) {
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * indices.length).order(ByteOrder.BIG_ENDIAN);
        buf.putInt(indices.length);
        for (int i : indices) {
            buf.putInt(i);
        }
        return hex(buf.array());
    }

    /** Digest of scores (or of a round's distances in the spec's pair order): each value int64, no count. */
    public static String scores(long[] values) {
        ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.BIG_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        return hex(buf.array());
    }

    /** Digest of a round's distances, {@code D(i,j)} for {@code i < j} in the order (0,1), (0,2), ..., (n-2,n-1). */
    public static String distances(long[] upperTriangle) {
        return scores(upperTriangle);
    }

    /** SHA-256 of {@code bytes}, as lower-case hex. */
    public static String hex(byte[] bytes) {
        return HEX.formatHex(sha256().digest(bytes));
    }

    /** A new SHA-256 instance (every Java platform must provide it). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java platform must provide", e);
        }
    }
}
