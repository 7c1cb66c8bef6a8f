package org.qoraedge.fixedpoint.robust;

import java.util.ArrayList;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;

/**
 * What centered clipping computed: the result {@code u_L}, the reference {@code u_0} it started
 * from (a gateway records its digest) and, per iteration, exact diagnostics: the threshold
 * {@code T}, the indices clipped ({@code Q(x_j) > T}) and the encoded iterate {@code u_l}.
 * Immutable; arrays are copied out.
 */
public final class CenteredClipResult {
    private final Bfp16Block reference;
    private final List<Dyadic> thresholds;
    private final List<int[]> clipped;
    private final List<Bfp16Block> iterates;

    CenteredClipResult(Bfp16Block reference, List<Dyadic> thresholds, List<int[]> clipped, List<Bfp16Block> iterates) {
        this.reference = reference;
        this.thresholds = List.copyOf(thresholds);
        List<int[]> c = new ArrayList<>();
        for (int[] a : clipped) {
            c.add(a.clone());
        }
        this.clipped = List.copyOf(c);
        this.iterates = List.copyOf(iterates);
    }

    /** {@code u_L}, the aggregate. */
    public Bfp16Block aggregate() {
        return iterates.get(iterates.size() - 1);
    }

    /** The aggregate's block digest. */
    public String digest() {
        return Digests.block(aggregate());
    }

    /** {@code u_0}: the reference given, or the zero block with {@code e = 0} when none was. */
    public Bfp16Block reference() {
        return reference;
    }

    /** The reference's block digest, as an audit record carries it. */
    public String referenceDigest() {
        return Digests.block(reference);
    }

    /** {@code L}. */
    public int iterations() {
        return iterates.size();
    }

    /** The exact threshold {@code T} of each iteration, in order. */
    public List<Dyadic> thresholds() {
        return thresholds;
    }

    /** The indices clipped in iteration {@code l} (1-based, as the spec counts), ascending. */
    public int[] clipped(int l) {
        return clipped.get(l - 1).clone();
    }

    /** {@code u_1 .. u_L}, each iteration's encoded result. */
    public List<Bfp16Block> iterates() {
        return iterates;
    }
}
