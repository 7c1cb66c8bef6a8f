package org.qoraedge.fixedpoint.random;

/**
 * SplitMix64 (Steele, Lea, Flood 2014; the generator behind {@code java.util.SplittableRandom}),
 * written out here so that every draw is fixed by this file, not by a JDK version:
 *
 * <pre>
 *   state += 0x9E3779B97F4A7C15
 *   z = state
 *   z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
 *   z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
 *   return z ^ (z >>> 31)
 * </pre>
 *
 * <p>For test data and simulation only: the simulated fleet's data, training and attacks
 * (device-sim) and the stress rounds' inputs (cross-check) are drawn from it. Nothing on the
 * aggregation path draws a random number: a round's result depends on its blocks alone. It is in
 * fixedpoint, in a package of its own, because that is the one module both of those depend on.
 *
 * <p>Every non-uniform draw uses {@link StrictMath}, whose results are specified bit for bit
 * (fdlibm), so a seed gives the same sequence on every CPU and JVM. Not thread-safe: give each
 * thread, node and round its own instance ({@link #derive}).
 */
public final class SplitMix64 {
    private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private long state;
    private double spareGaussian;
    private boolean hasSpareGaussian;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The SplitMix64 output finalizer (a bijection on 64-bit values). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A seed for a sub-stream named by {@code parts} (for example node index, round, purpose), so
     * that streams do not overlap and adding one consumer does not shift another's draws.
     */
    public static long derive(long seed, long... parts) {
        long h = mix(seed ^ 0x5DEE_CE66_DL);
        for (long p : parts) {
            h = mix(h + GOLDEN_GAMMA + mix(p));
        }
        return h;
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * DOUBLE_UNIT;
    }

    /**
     * Uniform in [0, bound), without modulo bias (Lemire's method with rejection).
     *
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long threshold = (1L << 32) % bound;
        while (true) {
            long r = nextLong() >>> 32; // 32 uniform bits
            long product = r * bound;
            if ((product & 0xFFFF_FFFFL) >= threshold) {
                return (int) (product >>> 32);
            }
        }
    }

    /** Standard normal, by the Marsaglia polar method on {@link StrictMath}. */
    public double nextGaussian() {
        if (hasSpareGaussian) {
            hasSpareGaussian = false;
            return spareGaussian;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double factor = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        spareGaussian = v * factor;
        hasSpareGaussian = true;
        return u * factor;
    }

    /**
     * Gamma(shape, 1), by Marsaglia and Tsang (2000); for {@code shape < 1} the boost
     * {@code Gamma(shape + 1) * U^(1/shape)}.
     *
     * @throws IllegalArgumentException if {@code shape} is not positive and finite
     */
    public double nextGamma(double shape) {
        if (!(shape > 0) || Double.isInfinite(shape)) {
            throw new IllegalArgumentException("gamma shape must be positive and finite, got " + shape);
        }
        if (shape < 1) {
            double u = nextDouble();
            // u = 0 gives 0: a legal (if unlikely) draw
            return nextGamma(shape + 1) * StrictMath.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / StrictMath.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) {
                return d * v;
            }
            if (u > 0 && StrictMath.log(u) < 0.5 * x * x + d * (1 - v + StrictMath.log(v))) {
                return d * v;
            }
        }
    }

    /** Fisher-Yates shuffle of {@code a} in place, by {@link #nextInt(int)} ({@link Permutations#shuffle}). */
    public void shuffle(int[] a) {
        Permutations.shuffle(a, this::nextInt);
    }

    /** {@code 0..n-1} in a random order, by {@link #nextInt(int)} ({@link Permutations#of}). */
    public int[] permutation(int n) {
        return Permutations.of(n, this::nextInt);
    }
}
