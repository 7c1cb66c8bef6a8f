package org.qoraedge.fixedpoint.krum;

/** How a squared distance between two blocks is measured. */
public enum Metric {
    /**
     * Spec section 4, the default: exact squared Euclidean distance of the decoded values, in the
     * round's one unit {@code 4^e_ref}, rounded half away from zero and saturated.
     */
    COMMON,
    /**
     * Spec section 3: compatible with the qora-fl crate's {@code dist_sq_bfp16}. Each pair is
     * measured in units of its own lower exponent; exponent gaps above 15 give {@code MAX}.
     */
    PAIRWISE
}
