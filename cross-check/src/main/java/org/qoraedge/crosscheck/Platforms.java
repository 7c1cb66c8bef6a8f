package org.qoraedge.crosscheck;

import org.qoraedge.fixedpoint.fast.FastKrum;

/** What this JVM offers the fast path. */
public final class Platforms {
    private Platforms() {
    }

    /** Whether the fast path's vector kernels are in use on this JVM. */
    public static boolean vectorized() {
        return FastKrum.vectorized();
    }
}
