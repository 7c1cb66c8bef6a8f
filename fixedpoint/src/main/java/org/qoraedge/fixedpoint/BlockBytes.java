package org.qoraedge.fixedpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The byte form of a block (spec section 7): {@code int32} exponent, {@code int32} dimension
 * {@code d}, then the {@code d} mantissas as {@code int16}, all big-endian, {@code 8 + 2d} bytes in
 * all. Its SHA-256 is the block's digest ({@link Digests#block}); the gateway's model file and the
 * model inside its state file are these bytes too. Writer and reader live together here so that
 * every copy of the layout is this one.
 *
 * <p>The reader takes bytes from outside (a file, a frame): it refuses every malformation with an
 * {@link InvalidBlockException} naming what is wrong, and what it returns passed
 * {@link Bfp16Block#of(int, short[])}'s spec section 1 checks. Stateless and thread-safe.
 */
public final class BlockBytes {
    /** The exponent and dimension fields before the mantissas. */
    public static final int HEADER_BYTES = 8;
    /** Mantissas a digest is fed at a time (8 KiB of bytes). */
    private static final int CHUNK = 4096;

    private BlockBytes() {
    }

    /** How many bytes a block of {@code dimension} coordinates takes: {@code 8 + 2 * dimension}. */
    public static long length(int dimension) {
        return HEADER_BYTES + 2L * dimension;
    }

    /** The block's bytes, {@code 8 + 2d} of them. */
    public static byte[] write(Bfp16Block b) {
        int d = b.dimension();
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + 2 * d).order(ByteOrder.BIG_ENDIAN);
        buf.putInt(b.exponent()).putInt(d);
        b.putMantissas(0, d, buf.asShortBuffer());
        return buf.array();
    }

    /**
     * Feeds the block's bytes, as {@link #write} gives them, to {@code digest} a chunk at a time:
     * what {@link Digests#block} hashes, without the {@code 8 + 2d} bytes in the heap at once.
     */
    public static void update(MessageDigest digest, Bfp16Block b) {
        int d = b.dimension();
        ByteBuffer buf = ByteBuffer.allocate(Math.max(HEADER_BYTES, 2 * Math.min(d, CHUNK))).order(ByteOrder.BIG_ENDIAN);
        buf.putInt(b.exponent()).putInt(d);
        digest.update(buf.array(), 0, HEADER_BYTES);
        ShortBuffer view = buf.clear().asShortBuffer();
        for (int from = 0; from < d; from += CHUNK) {
            int len = Math.min(CHUNK, d - from);
            view.clear();
            b.putMantissas(from, len, view);
            digest.update(buf.array(), 0, 2 * len);
        }
    }

    /**
     * Reads a block that is the whole of {@code bytes}.
     *
     * @throws InvalidBlockException as {@link #read(byte[], int, int)}
     */
    public static Bfp16Block read(byte[] bytes) {
        return read(bytes, 0, bytes.length);
    }

    /**
     * Reads a block that is exactly {@code bytes[offset .. offset + length)}.
     *
     * @throws InvalidBlockException if {@code length} is shorter than the 8-byte header, the
     *     dimension field is below 1, {@code length} is not {@code 8 + 2d} for the dimension field
     *     {@code d}, the exponent is outside [-126, 113], or a mantissa is -32768
     * @throws IndexOutOfBoundsException if the range is not inside {@code bytes} (a caller's bug,
     *     not malformed input)
     */
    public static Bfp16Block read(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length < HEADER_BYTES) {
            throw new InvalidBlockException("block of " + length + " bytes is shorter than its " + HEADER_BYTES
                    + "-byte header (int32 exponent, int32 dimension)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, offset, length).order(ByteOrder.BIG_ENDIAN);
        int e = buf.getInt();
        int d = buf.getInt();
        if (d < 1) {
            throw new InvalidBlockException("block dimension field is " + d + "; a block needs d >= 1");
        }
        if (length != length(d)) {
            throw new InvalidBlockException("block of dimension " + d + " takes 8 + 2d = " + length(d) + " bytes, got "
                    + length);
        }
        short[] m = new short[d];
        buf.asShortBuffer().get(m);
        return Bfp16Block.of(e, m);
    }
}
