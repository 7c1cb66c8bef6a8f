package org.qoraedge.fixedpoint.privacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.UnrepresentableValueException;

/**
 * Central differential privacy for a round's aggregate: discrete Gaussian noise, in units of the
 * aggregate's least significant bit, drawn from a stream seeded per round from a secret the
 * operator holds. docs/PRIVACY.md states the guarantee and its limits.
 *
 * <h2>Seed derivation</h2>
 * {@code seed = HMAC-SHA256(key = operatorSecret, message)} where {@code message} is, byte for byte:
 * <ol>
 * <li>the 22 ASCII bytes {@code "qora-edge central-dp 1"} (the format version is the final {@code 1}),</li>
 * <li>one {@code 0x00} byte,</li>
 * <li>the round number as int64 big-endian (two's complement),</li>
 * <li>the 32-byte SHA-256 digest of the un-noised aggregate (spec section 7: int32 big-endian
 *     exponent, int32 big-endian dimension, each mantissa int16 big-endian).</li>
 * </ol>
 * That is 63 bytes. The 32-byte seed starts a {@link NoiseBits} stream.
 *
 * <h2>Noise</h2>
 * For coordinates {@code i = 0, 1, ..., d-1} in order, {@code z_i} is the next
 * {@link DiscreteGaussian#sample} from that stream and the noised value is
 * {@code (m_i + z_i) * 2^e}, {@code e} the aggregate's exponent: the noise is in units of
 * {@code 2^e}, so a sensitivity must be expressed in the same units.
 *
 * <h2>Overflow policy: re-encode with a larger exponent, never clamp</h2>
 * If every {@code m_i + z_i} lies in [-32767, 32767], the result is the block
 * {@code (e, m_i + z_i)}, exact. Otherwise the smallest shift {@code s >= 1} is taken with
 * {@code rha(max_i |m_i + z_i| / 2^s) <= 32767} (rha: round half away from zero, spec preamble),
 * and the result is {@code (e + s, rha((m_i + z_i) / 2^s))}. This is the exponent and the rounding
 * of spec section 2 applied to the exact noised values, except where section 2 would clamp a
 * magnitude that rounds to 32768 (a maximum that is a power of two): there {@code s} is one larger
 * and nothing is clamped. If {@code e + s > 113} the aggregate is refused with
 * {@link UnrepresentableValueException}.
 *
 * <p>The gateway calls {@link #apply(Bfp16Block, byte[], long, DiscreteGaussian)} at each round's close
 * when {@code privacy.central.sigma2} is set; {@code cross-check replay --central-secret} calls it again.
 */
public final class CentralNoise {
    /** Shortest accepted operator secret, in bytes (256 bits). */
    public static final int MIN_SECRET_BYTES = 32;

    /** The domain-separation label, the first bytes of the HMAC message. */
    static final byte[] LABEL = "qora-edge central-dp 1".getBytes(StandardCharsets.US_ASCII);

    private CentralNoise() {
    }

    /**
     * The round's 32-byte seed (class comment, "Seed derivation").
     *
     * @throws InvalidPrivacyParameterException if {@code operatorSecret} is shorter than {@link #MIN_SECRET_BYTES}
     */
    public static byte[] roundSeed(byte[] operatorSecret, long round, Bfp16Block aggregate) {
        if (operatorSecret.length < MIN_SECRET_BYTES) {
            throw new InvalidPrivacyParameterException("operator secret has " + operatorSecret.length
                    + " bytes; it must have at least " + MIN_SECRET_BYTES);
        }
        MessageDigest sha = Digests.sha256();
        byte[] aggregateDigest = sha.digest(BlockBytes.write(aggregate));
        byte[] roundBytes = new byte[8];
        long r = round;
        for (int i = 7; i >= 0; i--) {
            roundBytes[i] = (byte) r;
            r >>>= 8;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(operatorSecret, "HmacSHA256"));
            mac.update(LABEL);
            mac.update((byte) 0);
            mac.update(roundBytes);
            mac.update(aggregateDigest);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks HmacSHA256, which every Java platform must provide", e);
        }
    }

    /**
     * Adds the round's noise to {@code aggregate}: derives {@link #roundSeed} and calls
     * {@link #apply(Bfp16Block, byte[], DiscreteGaussian)}.
     *
     * @throws InvalidPrivacyParameterException if the secret is too short
     * @throws UnrepresentableValueException if the noised values need an exponent above 113
     */
    public static Bfp16Block apply(Bfp16Block aggregate, byte[] operatorSecret, long round, DiscreteGaussian noise) {
        return apply(aggregate, roundSeed(operatorSecret, round, aggregate), noise);
    }

    /**
     * Adds discrete Gaussian noise drawn from the stream of {@code seed} to {@code aggregate}, one
     * sample per coordinate in coordinate order, in units of {@code 2^aggregate.exponent()}; then the
     * overflow policy of the class comment. What an auditor replays given the seed.
     *
     * @throws InvalidPrivacyParameterException if {@code seed} is not 32 bytes
     * @throws UnrepresentableValueException if the noised values need an exponent above 113
     */
    public static Bfp16Block apply(Bfp16Block aggregate, byte[] seed, DiscreteGaussian noise) {
        NoiseBits bits = new NoiseBits(seed);
        int d = aggregate.dimension();
        long[] noised = new long[d];
        long maxAbs = 0;
        for (int i = 0; i < d; i++) {
            // |z| is below 2^40 except with probability far below 2^-1000 (sigma <= 2^32), so no overflow
            long v = Math.addExact(aggregate.mantissa(i), noise.sample(bits));
            noised[i] = v;
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        return encode(aggregate.exponent(), noised, maxAbs);
    }

    /** The overflow policy: exact when it fits, else the smallest larger exponent with rha, never a clamp. */
    static Bfp16Block encode(int exponent, long[] values, long maxAbs) {
        int s = 0;
        while (roundedShift(maxAbs, s) > Bfp16Block.MAX_MANTISSA) {
            s++;
        }
        int e = exponent + s;
        if (e > Bfp16Block.MAX_EXPONENT) {
            throw new UnrepresentableValueException("noised aggregate needs exponent " + e
                    + " (largest noised mantissa " + maxAbs + " at exponent " + exponent + "); the limit is "
                    + Bfp16Block.MAX_EXPONENT);
        }
        int[] m = new int[values.length];
        for (int i = 0; i < m.length; i++) {
            long mag = roundedShift(Math.abs(values[i]), s);
            m[i] = (int) (values[i] < 0 ? -mag : mag);
        }
        return Bfp16Block.of(e, m);
    }

    /** rha(a / 2^s) for {@code a >= 0}: floor(a / 2^s + 1/2). */
    private static long roundedShift(long a, int s) {
        return s == 0 ? a : (a + (1L << (s - 1))) >> s;
    }
}
