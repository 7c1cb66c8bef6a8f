package org.qoraedge.fixedpoint;

import java.util.SplittableRandom;

/** Seeded random blocks for property tests: wide exponent spreads, zero blocks, full-scale mantissas. */
public final class RandomBlocks {
    private RandomBlocks() {
    }

    public static Bfp16Block block(SplittableRandom r, int d, int e) {
        int[] m = new int[d];
        int style = r.nextInt(4);
        for (int i = 0; i < d; i++) {
            m[i] = switch (style) {
                case 0 -> r.nextInt(-32767, 32768);
                case 1 -> r.nextBoolean() ? 32767 : -32767;
                case 2 -> r.nextInt(-3, 4);
                default -> (int) Math.max(-32767, Math.min(32767, Math.round(r.nextGaussian() * 8000)));
            };
        }
        return Bfp16Block.of(e, m);
    }

    /** A round of n blocks of dimension d whose exponents spread around a centre. */
    public static Bfp16Block[] round(SplittableRandom r, int n, int d) {
        int centre = r.nextInt(-100, 90);
        int spread = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 3;
            case 2 -> 20;
            default -> 120;
        };
        Bfp16Block[] blocks = new Bfp16Block[n];
        for (int j = 0; j < n; j++) {
            int e = Math.max(-126, Math.min(113, centre + (spread == 0 ? 0 : r.nextInt(-spread, spread + 1))));
            blocks[j] = r.nextInt(10) == 0 ? Bfp16Block.of(r.nextInt(-126, 114), new short[d]) : block(r, d, e);
        }
        return blocks;
    }
}
