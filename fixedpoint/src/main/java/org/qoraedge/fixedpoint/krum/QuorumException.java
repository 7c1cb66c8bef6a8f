package org.qoraedge.fixedpoint.krum;

import org.qoraedge.fixedpoint.FixedPointException;

/** Krum and Multi-Krum need {@code n >= 2f + 3} blocks; this round has fewer (or f is negative). */
public final class QuorumException extends FixedPointException {
    private static final long serialVersionUID = 1L;
    private final int n;
    private final int f;

    public QuorumException(int n, int f) {
        super(f < 0 ? "f must be >= 0, got " + f
                : "Krum needs n >= 2f + 3 = " + (2L * f + 3) + " blocks for f = " + f + ", got n = " + n);
        this.n = n;
        this.f = f;
    }

    /** The number of blocks given. */
    public int n() {
        return n;
    }

    /** The number of Byzantine nodes tolerated. */
    public int f() {
        return f;
    }

    /** The smallest n that f allows: 2f + 3. */
    public long required() {
        return 2L * f + 3;
    }
}
