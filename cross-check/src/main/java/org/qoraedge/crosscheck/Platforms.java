package org.qoraedge.crosscheck;

/** What this JVM offers the fast path. */
public final class Platforms {
    private Platforms() {
    }

    /** Whether the fast path's vector kernels are in use on this JVM. */
    public static boolean vectorized() {
        return org.qoraedge.fixedpoint.fast.FastKrum.vectorized();
    }
}
