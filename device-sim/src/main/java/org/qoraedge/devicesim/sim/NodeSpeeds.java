package org.qoraedge.devicesim.sim;

import java.util.Locale;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.fixedpoint.random.SplitMix64;

/**
 * How long each simulated node takes to train one update, in virtual milliseconds: what makes a
 * fleet heterogeneous when synchronous and buffered rounds are compared. Drawn from the run seed:
 * <ul>
 *   <li>each node's pace is {@code meanMillis} times a factor uniform in [0.5, 1.5);</li>
 *   <li>{@code round(slowFraction * nodes)} nodes, drawn without replacement, are {@code slowFactor}
 *       times slower;</li>
 *   <li>the {@code k}-th update of node {@code i} takes its pace times a jitter uniform in [0.8, 1.2),
 *       drawn from (seed, i, k).</li>
 * </ul>
 * Deterministic in (seed, node index, k); the same for honest and Byzantine nodes.
 */
public final class NodeSpeeds {
    private static final long PACE_STREAM = 0x50414345L; // "PACE"
    private static final long SLOW_STREAM = 0x534C4F57L; // "SLOW"
    private static final long JITTER_STREAM = 0x4A4954L; // "JIT"

    private final long seed;
    private final long meanMillis;
    private final double slowFactor;
    private final double[] pace;
    private final boolean[] slow;

    /**
     * @throws InvalidConfigException for a fleet below one node, a fraction outside [0, 1], a factor
     *     below 1 or a mean below 1 ms
     */
    public NodeSpeeds(long seed, int nodes, double slowFraction, double slowFactor, long meanMillis) {
        if (nodes < 1) {
            throw new InvalidConfigException("nodes must be >= 1, got " + nodes);
        }
        if (!(slowFraction >= 0 && slowFraction <= 1)) {
            throw new InvalidConfigException("the slow fraction must be in [0, 1], got " + slowFraction);
        }
        if (!(slowFactor >= 1 && slowFactor <= 1000)) {
            throw new InvalidConfigException("the slow factor must be in [1, 1000], got " + slowFactor);
        }
        if (meanMillis < 1 || meanMillis > 86_400_000L) {
            throw new InvalidConfigException("the mean training time must be 1 ms to 1 day, got " + meanMillis + " ms");
        }
        this.seed = seed;
        this.meanMillis = meanMillis;
        this.slowFactor = slowFactor;
        this.pace = new double[nodes];
        SplitMix64 paces = new SplitMix64(SplitMix64.derive(seed, PACE_STREAM));
        for (int i = 0; i < nodes; i++) {
            pace[i] = 0.5 + paces.nextDouble();
        }
        this.slow = new boolean[nodes];
        int[] perm = new SplitMix64(SplitMix64.derive(seed, SLOW_STREAM)).permutation(nodes);
        long slowCount = Math.round(slowFraction * nodes);
        for (int k = 0; k < slowCount; k++) {
            slow[perm[k]] = true;
        }
    }

    /** Virtual milliseconds node {@code node} takes to train its {@code k}-th update ({@code k >= 0}). */
    public long delayMillis(int node, long k) {
        double jitter = 0.8 + 0.4 * new SplitMix64(SplitMix64.derive(seed, JITTER_STREAM, node, k)).nextDouble();
        return Math.max(1, Math.round(meanMillis * pace[node] * (slow[node] ? slowFactor : 1) * jitter));
    }

    /** True for a node drawn slow. */
    public boolean slow(int node) {
        return slow[node];
    }

    /** How many nodes are slow. */
    public int slowCount() {
        int c = 0;
        for (boolean s : slow) {
            c += s ? 1 : 0;
        }
        return c;
    }

    /** The fleet size. */
    public int nodes() {
        return pace.length;
    }

    /** Virtual milliseconds a synchronous round {@code k} (from 0) lasts: until every node has sent its update. */
    public long syncRoundMillis(long k) {
        long longest = 0;
        for (int i = 0; i < pace.length; i++) {
            longest = Math.max(longest, delayMillis(i, k));
        }
        return longest;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d nodes, mean %d ms, %d of them %.0fx slower", pace.length, meanMillis,
                slowCount(), slowFactor);
    }
}
