package org.qoraedge.crosscheck;

/** What this JVM offers the fast path. */
public final class Platforms {
    private Platforms() {
    }

    /**
     * Whether the Vector API path is in use. Until the fast path exists this reports whether the
     * incubator module is present at all.
     */
    public static boolean vectorized() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }
}
