package org.qoraedge.fixedpoint.krum;

/**
 * The distances of one round: {@code D(i, j)} for every pair of its {@code n} blocks, in one metric
 * (and, for COMMON, one reference exponent). Immutable.
 */
public final class RoundDistances {
    private final Metric metric;
    private final int eRef;
    private final int n;
    private final long[] upper; // (0,1), (0,2), ..., (n-2,n-1)

    RoundDistances(Metric metric, int eRef, int n, long[] upper) {
        this.metric = metric;
        this.eRef = eRef;
        this.n = n;
        this.upper = upper;
    }

    /**
     * Wraps externally computed distances (a faster implementation's output), copying them.
     *
     * @param upperTriangle the {@code n(n-1)/2} values in the spec's order (0,1), (0,2), ..., (n-2,n-1)
     */
    public static RoundDistances of(Metric metric, int eRef, int n, long[] upperTriangle) {
        if (n < 1 || upperTriangle.length != (long) n * (n - 1) / 2) {
            throw new IllegalArgumentException(upperTriangle.length + " distances given for n = " + n
                    + "; expected n(n-1)/2 = " + ((long) n * (n - 1) / 2));
        }
        for (int i = 0; i < upperTriangle.length; i++) {
            if (upperTriangle[i] < 0) {
                throw new IllegalArgumentException("distance " + i + " is negative: " + upperTriangle[i]);
            }
        }
        return new RoundDistances(metric, eRef, n, upperTriangle.clone());
    }

    public Metric metric() {
        return metric;
    }

    /** COMMON: the round's reference exponent (spec section 4). PAIRWISE: 0, meaningless. */
    public int referenceExponent() {
        return eRef;
    }

    /** The number of blocks. */
    public int size() {
        return n;
    }

    /** {@code D(i, j)}; zero on the diagonal. */
    public long get(int i, int j) {
        if (i == j) {
            return 0;
        }
        int a = Math.min(i, j);
        int b = Math.max(i, j);
        return upper[index(n, a, b)];
    }

    /** Position of pair (a, b), a < b, in the spec's order. */
    static int index(int n, int a, int b) {
        return a * (2 * n - a - 1) / 2 + (b - a - 1);
    }

    /** A copy of the {@code n(n-1)/2} values in the spec's order. */
    public long[] upperTriangle() {
        return upper.clone();
    }
}
