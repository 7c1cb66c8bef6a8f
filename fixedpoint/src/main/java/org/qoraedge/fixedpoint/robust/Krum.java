package org.qoraedge.fixedpoint.robust;

import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * Krum {@code krum(f, metric)} as a pipeline's aggregator (base spec sections 4 to 6), computed by
 * {@link org.qoraedge.fixedpoint.krum.Krum}. Its ranking and selection index the aggregator's
 * input, after the pre-steps. Requires {@code n >= 2f + 3}.
 */
public final class Krum implements Aggregator {
    private final int f;
    private final Metric metric;

    private Krum(int f, Metric metric) {
        this.f = f;
        this.metric = metric;
    }

    /**
     * @throws RuleParameterException if {@code f < 0}
     */
    public static Krum of(int f, Metric metric) {
        RuleParameterException.atLeast("krum", "f", f, 0);
        return new Krum(f, Objects.requireNonNull(metric, "metric"));
    }

    public int f() {
        return f;
    }

    public Metric metric() {
        return metric;
    }

    @Override
    public String name() {
        return "krum";
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference) {
        return Aggregation.of(reference(blocks, f, metric));
    }

    /**
     * The reference computation, {@link org.qoraedge.fixedpoint.krum.Krum#krum}.
     *
     * @throws org.qoraedge.fixedpoint.krum.QuorumException if {@code n < 2f + 3} or {@code f < 0}
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     */
    public static KrumResult reference(Bfp16Block[] blocks, int f, Metric metric) {
        return org.qoraedge.fixedpoint.krum.Krum.krum(blocks, f, metric); // fully qualified: the reference rule, beside this step
    }

    @Override
    public String toString() {
        return "krum(f=" + f + ", metric=" + metric + ")";
    }
}
