package org.qoraedge.crosscheck.stress;

import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Inputs for stress rounds, built from integers and raw IEEE-754 bit patterns only (no float
 * arithmetic, no {@code Math.log}/{@code sin}/...), so every platform generates the same inputs from
 * the same seed and only the code under test can make them differ.
 */
final class StressInputs {
    private StressInputs() {
    }

    /** The float32 with value {@code q * 2^s} for |q| < 2^24, exactly (subnormal at the bottom, 0 below it). */
    static float scaled(int q, int s) {
        if (q == 0) {
            return 0f;
        }
        int sign = q < 0 ? 0x8000_0000 : 0;
        long mag = Math.abs((long) q);
        int top = 63 - Long.numberOfLeadingZeros(mag);
        int unbiased = top + s;
        if (unbiased > 127) {
            return Float.intBitsToFloat(sign | 0x7F7F_FFFF); // stays finite: the largest float
        }
        if (unbiased >= -126) {
            int frac = (int) ((mag << (23 - top)) & 0x7F_FFFF);
            return Float.intBitsToFloat(sign | ((unbiased + 127) << 23) | frac);
        }
        int shift = s + 149; // subnormal: units of 2^-149; drop what is below (truncation, deterministic)
        int bits = shift >= 0 ? (int) (mag << shift) : (shift <= -63 ? 0 : (int) (mag >>> -shift));
        return Float.intBitsToFloat(sign | (bits & 0x7F_FFFF));
    }

    /** One coordinate: a sum of uniforms (a bell shape) at a magnitude of about 2^k. */
    static float bell(StressRandom r, int k) {
        int q = 0;
        for (int i = 0; i < 4; i++) {
            q += r.nextInt(1 << 20) - (1 << 19);
        }
        return scaled(q, k - 20);
    }

    /** A float vector of one of several shapes, about 2^k in magnitude. */
    static float[] vector(StressRandom r, int d, int k) {
        float[] x = new float[d];
        int style = r.nextInt(7);
        for (int i = 0; i < d; i++) {
            x[i] = switch (style) {
                case 0 -> { // any finite bit pattern
                    int bits = r.nextInt();
                    yield (bits & 0x7F80_0000) == 0x7F80_0000 ? Float.intBitsToFloat(bits & 0xBF80_0000) : Float.intBitsToFloat(bits);
                }
                case 1 -> Float.intBitsToFloat(r.nextInt(0x80_0000) | (r.nextBoolean() ? 0x8000_0000 : 0)); // subnormal
                case 2 -> r.oneIn(4) ? 0f : scaled(r.nextBoolean() ? 1 : -1, k - r.nextInt(4)); // powers of two
                case 3 -> i == 0 ? Float.intBitsToFloat(((Math.max(1, Math.min(254, k + 127))) << 23) | (1 + r.nextInt(22)))
                        : bell(r, k - 1); // the maximum a few ulps above a power of two
                case 4 -> scaled(2 * r.between(-4000, 4000) + 1, k - 13); // exact halves of the final unit
                case 5 -> r.oneIn(3) ? 0f : bell(r, k);
                default -> bell(r, k);
            };
        }
        return x;
    }

    /** A raw block: exponent anywhere in [lo, hi], mantissas of one of several shapes. */
    static Bfp16Block rawBlock(StressRandom r, int d, int e) {
        int[] m = new int[d];
        int style = r.nextInt(4);
        for (int i = 0; i < d; i++) {
            m[i] = switch (style) {
                case 0 -> r.between(-32767, 32767);
                case 1 -> r.nextBoolean() ? 32767 : -32767;
                case 2 -> r.between(-2, 2);
                default -> r.between(-3000, 3000) + r.between(-3000, 3000);
            };
        }
        return Bfp16Block.of(e, m);
    }

    /**
     * A round of n blocks: honest updates around one magnitude, then attacker-like blocks (sign
     * flip, huge, tiny, zero, duplicates for ties, far exponents), encoded on this platform from
     * float inputs or built raw.
     */
    static Bfp16Block[] round(StressRandom r, int n, int d) {
        Bfp16Block[] b = new Bfp16Block[n];
        boolean encoded = r.nextBoolean();
        int k = r.between(-60, 60);
        int spread = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 3;
            case 2 -> 40;
            default -> 239;
        };
        int centre = r.between(-126, 113);
        for (int j = 0; j < n; j++) {
            if (encoded) {
                b[j] = Bfp16.encode(vector(r, d, k + r.between(-2, 2)));
            } else {
                int e = spread == 239 ? (r.nextBoolean() ? -126 : 113)
                        : Math.max(-126, Math.min(113, centre + r.between(-spread, spread)));
                b[j] = rawBlock(r, d, e);
            }
        }
        int attackers = r.nextInt(n / 2);
        for (int a = 0; a < attackers; a++) {
            int j = r.nextInt(n);
            b[j] = switch (r.nextInt(7)) {
                case 0 -> b[r.nextInt(n)]; // a duplicate: ties broken by index
                case 1 -> Bfp16Block.of(r.nextBoolean() ? -126 : r.between(-126, 113), new short[d]); // zero block
                case 2 -> Bfp16.encode(fill(d, Float.MAX_VALUE)); // huge: e = 113
                case 3 -> Bfp16.encode(fill(d, Float.MIN_VALUE)); // subnormal: zero block at e = -126
                case 4 -> rawBlock(r, d, -126); // deep
                case 5 -> negate(b[r.nextInt(n)]); // sign flip
                default -> rawBlock(r, d, Math.max(-126, Math.min(113, b[j].exponent() + r.between(14, 17)))); // gap 14..17
            };
        }
        return b;
    }

    static float[] fill(int d, float v) {
        float[] x = new float[d];
        Arrays.fill(x, v);
        return x;
    }

    static Bfp16Block negate(Bfp16Block b) {
        short[] m = b.mantissas();
        for (int i = 0; i < m.length; i++) {
            m[i] = (short) -m[i];
        }
        return Bfp16Block.of(b.exponent(), m);
    }

    /** Node ids from several alphabets (ASCII, Latin, CJK, emoji, private use), with an occasional duplicate. */
    static String[] ids(StressRandom r, int n) {
        String[] alphabet = {"node-", "\u00e9", "e\u0301", "\u4e2d", "\uac00", "\ud83d\ude00", "\ue000", "\uff21", "Z", "z", "\ud800\udc00"};
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + r.nextInt(3);
            for (int c = 0; c < len; c++) {
                sb.append(alphabet[r.nextInt(alphabet.length)]);
            }
            ids[i] = sb.append(r.nextInt(100)).toString();
        }
        if (n > 1 && r.oneIn(8)) {
            ids[r.nextInt(n)] = ids[r.nextInt(n)];
        }
        return ids;
    }
}
