package org.qoraedge.fixedpoint.robust;

import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * Multi-Krum {@code multi-krum(f, m, metric)} as a pipeline's aggregator (base spec sections 4 to
 * 6), computed by {@link org.qoraedge.fixedpoint.krum.Krum}. Its ranking and selection index the
 * aggregator's input, after the pre-steps. Requires {@code n >= 2f + 3} and
 * {@code 1 <= m <= n - 2f - 2}.
 */
public final class MultiKrum implements Aggregator {
    private final int f;
    private final int m;
    private final Metric metric;

    private MultiKrum(int f, int m, Metric metric) {
        this.f = f;
        this.m = m;
        this.metric = metric;
    }

    /**
     * @throws RuleParameterException if {@code f < 0} or {@code m < 1} (an {@code m} above
     *     {@code n - 2f - 2} is refused when the round's {@code n} is known)
     */
    public static MultiKrum of(int f, int m, Metric metric) {
        RuleParameterException.atLeast("multi-krum", "f", f, 0);
        RuleParameterException.atLeast("multi-krum", "m", m, 1);
        return new MultiKrum(f, m, Objects.requireNonNull(metric, "metric"));
    }

    public int f() {
        return f;
    }

    public int m() {
        return m;
    }

    public Metric metric() {
        return metric;
    }

    @Override
    public String name() {
        return "multi-krum";
    }

    @Override
    public Aggregation aggregate(Bfp16Block[] blocks, Bfp16Block reference) {
        return Aggregation.of(reference(blocks, f, m, metric));
    }

    /**
     * The reference computation, {@link org.qoraedge.fixedpoint.krum.Krum#multiKrum}.
     *
     * @throws org.qoraedge.fixedpoint.krum.QuorumException if {@code n < 2f + 3} or {@code f < 0}
     * @throws org.qoraedge.fixedpoint.krum.SelectionSizeException if {@code m} is outside {@code [1, n - 2f - 2]}
     * @throws org.qoraedge.fixedpoint.InvalidBlockException if the blocks have unequal lengths
     */
    public static KrumResult reference(Bfp16Block[] blocks, int f, int m, Metric metric) {
        return org.qoraedge.fixedpoint.krum.Krum.multiKrum(blocks, f, m, metric); // fully qualified: the reference rule, beside this step
    }

    @Override
    public String toString() {
        return "multi-krum(f=" + f + ", m=" + m + ", metric=" + metric + ")";
    }
}
