package org.qoraedge.fixedpoint.robust;

import java.util.Objects;
import java.util.Optional;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.krum.KrumResult;

/**
 * What an {@link Aggregator} computed: the aggregate block and, for the Krum family and centered
 * clipping, the details a gateway records (ranking and selection; reference and thresholds).
 * Immutable.
 */
public final class Aggregation {
    private final Bfp16Block block;
    private final KrumResult krum;
    private final CenteredClipResult centeredClip;

    private Aggregation(Bfp16Block block, KrumResult krum, CenteredClipResult centeredClip) {
        this.block = Objects.requireNonNull(block, "block");
        this.krum = krum;
        this.centeredClip = centeredClip;
    }

    /** A plain aggregate (mean, median, trimmed mean). */
    public static Aggregation of(Bfp16Block block) {
        return new Aggregation(block, null, null);
    }

    /** A Krum or Multi-Krum result; the aggregate is its aggregate. */
    public static Aggregation of(KrumResult krum) {
        return new Aggregation(krum.aggregate(), krum, null);
    }

    /** A centered clipping result; the aggregate is its {@code u_L}. */
    public static Aggregation of(CenteredClipResult centeredClip) {
        return new Aggregation(centeredClip.aggregate(), null, centeredClip);
    }

    /** The aggregate block. */
    public Bfp16Block block() {
        return block;
    }

    /** The aggregate block's digest (base spec section 7). */
    public String digest() {
        return Digests.block(block);
    }

    /** Scores, ranking and selection when the aggregator is Krum or Multi-Krum. */
    public Optional<KrumResult> krum() {
        return Optional.ofNullable(krum);
    }

    /** Reference, thresholds, clipped indices and iterates when the aggregator is centered clipping. */
    public Optional<CenteredClipResult> centeredClip() {
        return Optional.ofNullable(centeredClip);
    }
}
