package org.qoraedge.fixedpoint.krum;

import org.qoraedge.fixedpoint.FixedPointException;

/** Multi-Krum's {@code m} is outside {@code [1, n - 2f - 2]}. */
public final class SelectionSizeException extends FixedPointException {
    private static final long serialVersionUID = 1L;
    private final int m;
    private final int max;

    public SelectionSizeException(int m, int max, int n, int f) {
        super("Multi-Krum m = " + m + " is outside [1, n - 2f - 2] = [1, " + max + "] for n = " + n + ", f = " + f);
        this.m = m;
        this.max = max;
    }

    /** The m requested. */
    public int m() {
        return m;
    }

    /** The largest m allowed, {@code n - 2f - 2}. */
    public int max() {
        return max;
    }
}
