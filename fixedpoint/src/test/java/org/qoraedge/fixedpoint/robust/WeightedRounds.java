package org.qoraedge.fixedpoint.robust;

import java.util.SplittableRandom;
import org.qoraedge.fixedpoint.Bfp16Block;

/** Seeded random blocks and weights for the weighted pipeline tests. */
final class WeightedRounds {
    private WeightedRounds() {
    }

    /** A block of random mantissas whose exponent is within {@code spread} of {@code centre}. */
    static Bfp16Block block(SplittableRandom r, int d, int centre, int spread) {
        short[] m = new short[d];
        int kind = r.nextInt(8);
        for (int i = 0; i < d; i++) {
            m[i] = (short) switch (kind) {
                case 0 -> 0; // the zero vector
                case 1 -> r.nextBoolean() ? Bfp16Block.MAX_MANTISSA : -Bfp16Block.MAX_MANTISSA; // full scale
                case 2 -> r.nextInt(-3, 4); // tiny
                default -> r.nextInt(-32767, 32768);
            };
        }
        int e = Math.max(Bfp16Block.MIN_EXPONENT, Math.min(Bfp16Block.MAX_EXPONENT, centre + r.nextInt(-spread, spread + 1)));
        return Bfp16Block.of(e, m);
    }

    /**
     * {@code n} weights of one random magnitude class: up to 2^20 (most), up to 2^40, a mix of 1 and
     * 2^40, every weight equal, or up to 2^62 (sums beyond 2^63).
     */
    static long[] weights(SplittableRandom r, int n) {
        long[] w = new long[n];
        int kind = r.nextInt(10);
        long same = 1 + r.nextLong(1L << 30);
        for (int j = 0; j < n; j++) {
            w[j] = switch (kind) {
                case 0, 1 -> 1 + r.nextLong(1L << 40);
                case 2 -> r.nextBoolean() ? 1 : 1L << 40;
                case 3 -> same;
                case 4 -> 1 + r.nextLong(1L << 62);
                default -> 1 + r.nextLong(1L << 20);
            };
        }
        return w;
    }
}
