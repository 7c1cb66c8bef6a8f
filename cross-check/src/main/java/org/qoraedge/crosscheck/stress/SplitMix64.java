package org.qoraedge.crosscheck.stress;

/**
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014), the
 * generator behind {@code java.util.SplittableRandom}, written out here so that the stream is fixed
 * by this file and not by a JDK version:
 *
 * <pre>
 *   state += 0x9E3779B97F4A7C15
 *   z = state
 *   z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
 *   z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
 *   return z ^ (z >>> 31)
 * </pre>
 *
 * All arithmetic is 64-bit two's complement, identical on every JVM. Bounded draws take the
 * unsigned remainder (a bias below 2^-32 for the bounds used here, and the same on every platform).
 */
public final class SplitMix64 {
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

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
    public SplitMix64 split() {
        return new SplitMix64(nextLong());
    }
}
