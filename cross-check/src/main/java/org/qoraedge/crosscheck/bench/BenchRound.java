package org.qoraedge.crosscheck.bench;

import org.qoraedge.crosscheck.stress.StressRandom;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.random.Permutations;

/**
 * The benchmark's seeded round, the same on every platform (SplitMix64): {@code n - f} honest updates
 * (a shared direction plus per-node noise, exponents -20 to -18, as an encoded SGD delta looks) and
 * {@code f} attackers (large opposite updates at exponent -14). Exponents within 6 binades keep the
 * aggregate on the fast mean's exact double path, as in an honest round.
 */
final class BenchRound {
    private BenchRound() {
    }

    static Bfp16Block[] blocks(long seed, int n, int d, int f) {
        StressRandom r = new StressRandom(seed);
        short[] direction = new short[d];
        for (int i = 0; i < d; i++) {
            direction[i] = (short) r.between(-12000, 12000);
        }
        Bfp16Block[] out = new Bfp16Block[n];
        short[] m = new short[d];
        for (int j = 0; j < n; j++) {
            boolean attacker = j % Math.max(1, n / Math.max(1, f)) == 0 && j / Math.max(1, n / Math.max(1, f)) < f;
            int e = attacker ? -14 : -20 + r.nextInt(3);
            for (int i = 0; i < d; i++) {
                int v = attacker ? -direction[i] * 2 + r.between(-4000, 4000) : direction[i] + r.between(-8000, 8000);
                m[i] = (short) Math.max(-Bfp16Block.MAX_MANTISSA, Math.min(Bfp16Block.MAX_MANTISSA, v));
            }
            out[j] = Bfp16Block.of(e, m);
        }
        return out;
    }

    /** A seeded arrival order: {@code arrival[i]} is the canonical index of the i-th block to arrive. */
    static int[] arrivalOrder(long seed, int n) {
        return Permutations.of(n, new StressRandom(seed ^ 0x5DEECE66DL)::nextInt);
    }
}
