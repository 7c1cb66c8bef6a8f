package org.qoraedge.fixedpoint.privacy;

import java.math.BigInteger;
import java.security.MessageDigest;
import org.qoraedge.fixedpoint.Digests;

/**
 * A deterministic bit stream: SHA-256 in counter mode over a 32-byte seed. Block {@code i}
 * ({@code i = 0, 1, 2, ...}) is {@code SHA-256(seed || int64 big-endian i)}, 32 bytes; the stream is
 * the blocks concatenated, and within each byte bits are taken most significant first. Anyone with
 * the seed reproduces every bit on every CPU; without it the stream is as unpredictable as SHA-256
 * outputs on an unknown 256-bit input.
 *
 * <p>{@link #nextBits(int)} returns the next {@code k} bits of the stream as an unsigned big-endian
 * integer; {@link #uniform(long)} and {@link #uniform(BigInteger)} draw an exact uniform integer in
 * {@code [0, n)} by rejection: with {@code k} the bit length of {@code n - 1}, draw {@code k} bits
 * and retry while the value is {@code >= n} (no modulo bias; {@code n = 1} draws no bits).
 *
 * <p>Not thread safe: one instance per round, on one thread.
 */
public final class NoiseBits {
    /** Seed length in bytes. */
    public static final int SEED_BYTES = 32;

    private final byte[] seed;
    private final MessageDigest sha256 = Digests.sha256();
    private final byte[] counterBytes = new byte[8];
    private byte[] block = new byte[0];
    private long counter;
    private int bitPosition; // next bit of block to use; block.length * 8 when exhausted

    /**
     * A stream starting at block 0 of {@code seed}.
     *
     * @throws InvalidPrivacyParameterException if {@code seed} is not exactly 32 bytes
     */
    public NoiseBits(byte[] seed) {
        if (seed.length != SEED_BYTES) {
            throw new InvalidPrivacyParameterException("seed has " + seed.length + " bytes; it must have exactly " + SEED_BYTES);
        }
        this.seed = seed.clone();
    }

    /** The next bit of the stream, 0 or 1. */
    public int nextBit() {
        if (bitPosition == block.length * 8) {
            refill();
        }
        int b = (block[bitPosition >>> 3] >>> (7 - (bitPosition & 7))) & 1;
        bitPosition++;
        return b;
    }

    /**
     * The next {@code k} bits, the first one most significant.
     *
     * @param k in [0, 63]
     * @throws InvalidPrivacyParameterException if {@code k} is outside [0, 63]
     */
    public long nextBits(int k) {
        if (k < 0 || k > 63) {
            throw new InvalidPrivacyParameterException("cannot draw " + k + " bits at once; the limit is [0, 63]");
        }
        long v = 0;
        for (int i = 0; i < k; i++) {
            v = (v << 1) | nextBit();
        }
        return v;
    }

    /**
     * An exact uniform integer in {@code [0, n)}, by rejection (see the class comment).
     *
     * @throws InvalidPrivacyParameterException if {@code n < 1}
     */
    public long uniform(long n) {
        if (n < 1) {
            throw new InvalidPrivacyParameterException("uniform range must be at least 1, got " + n);
        }
        int k = 64 - Long.numberOfLeadingZeros(n - 1);
        while (true) {
            long v = nextBits(k);
            if (v < n) {
                return v;
            }
        }
    }

    /**
     * An exact uniform integer in {@code [0, n)}, by rejection; the same bits as {@link #uniform(long)}
     * for the same {@code n}: the {@code k} bits are drawn in chunks of at most 62, most significant first.
     *
     * @throws InvalidPrivacyParameterException if {@code n < 1}
     */
    public BigInteger uniform(BigInteger n) {
        if (n.signum() <= 0) {
            throw new InvalidPrivacyParameterException("uniform range must be at least 1, got " + n);
        }
        int k = n.subtract(BigInteger.ONE).bitLength();
        while (true) {
            BigInteger v = BigInteger.ZERO;
            for (int left = k; left > 0; ) {
                int c = Math.min(left, 62);
                v = v.shiftLeft(c).or(BigInteger.valueOf(nextBits(c)));
                left -= c;
            }
            if (v.compareTo(n) < 0) {
                return v;
            }
        }
    }

    private void refill() {
        long c = counter++;
        for (int i = 7; i >= 0; i--) {
            counterBytes[i] = (byte) c;
            c >>>= 8;
        }
        sha256.update(seed);
        sha256.update(counterBytes);
        block = sha256.digest();
        bitPosition = 0;
    }
}
