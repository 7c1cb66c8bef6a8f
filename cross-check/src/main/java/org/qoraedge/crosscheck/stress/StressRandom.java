package org.qoraedge.crosscheck.stress;

import org.qoraedge.fixedpoint.random.SplitMix64;

/**
 * The stress rounds' draws: fixedpoint's {@link SplitMix64} stream, with bounded draws taken as the
 * unsigned remainder of one 64-bit output (a bias below {@code bound / 2^64}, and the same on every
 * platform).
 *
 * <p>The remainder, not {@link SplitMix64#nextInt(int)}'s rejection method, is what every stress
 * digest was drawn with, so this convention stays with the stress rounds; only the generator is
 * shared. Not thread-safe.
 */
public final class StressRandom {
    private final SplitMix64 stream;

    public StressRandom(long seed) {
        this.stream = new SplitMix64(seed);
    }

    /** The next 64-bit output of the SplitMix64 stream. */
    public long nextLong() {
        return stream.nextLong();
    }

    /** The top 32 bits of the next output. */
    public int nextInt() {
        return (int) (nextLong() >>> 32);
    }

    /** Uniform in [0, bound), bound >= 1. */
    public int nextInt(int bound) {
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }

    /** Uniform in [lo, hi], inclusive. */
    public int between(int lo, int hi) {
        return lo + nextInt(hi - lo + 1);
    }

    /** Uniform in [0, bound), bound >= 1. */
    public long nextLong(long bound) {
        return Long.remainderUnsigned(nextLong(), bound);
    }

    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    /** True with probability 1/n. */
    public boolean oneIn(int n) {
        return nextInt(n) == 0;
    }

    /** A child generator for an independent sub-stream (a round, a family), seeded from this one. */
    public StressRandom split() {
        return new StressRandom(nextLong());
    }
}
