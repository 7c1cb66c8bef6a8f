package org.qoraedge.gateway.aggregation;

import java.util.Locale;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.fixedpoint.robust.RuleWeightsException;

/**
 * How a round is aggregated. Immutable.
 *
 * @param kind the rule
 * @param metric the distance of the Krum family (COMMON by default); ignored by MEAN
 * @param f Byzantine nodes tolerated, {@code >= 0}
 * @param m Multi-Krum's selection size; 0 means {@code n - 2f - 2} of the round's n
 * @param minUpdates the smallest round MEAN (or a pipeline) closes with, {@code >= 1}
 * @param pipeline the pipeline for {@link AggregatorKind#PIPELINE} (its rules carry their own
 *     parameters: {@code f} and {@code m} are then 0), null for the other kinds
 */
public record AggregationSettings(AggregatorKind kind, Metric metric, int f, int m, int minUpdates, PipelineSpec pipeline) {

    /** Settings of Krum, Multi-Krum or the mean. */
    public AggregationSettings(AggregatorKind kind, Metric metric, int f, int m, int minUpdates) {
        this(kind, metric, f, m, minUpdates, null);
    }

    public AggregationSettings {
        if (f < 0) {
            throw new AggregationSettingsException("f must be >= 0, got " + f);
        }
        if (m < 0) {
            throw new AggregationSettingsException("m must be >= 0 (0: n - 2f - 2), got " + m);
        }
        if (minUpdates < 1) {
            throw new AggregationSettingsException("minUpdates must be >= 1, got " + minUpdates);
        }
        if (metric == null || kind == null) {
            throw new AggregationSettingsException("aggregator and metric are required");
        }
        if ((kind == AggregatorKind.PIPELINE) != (pipeline != null) || (pipeline != null && (f != 0 || m != 0))) {
            throw new AggregationSettingsException("a pipeline's rules carry its parameters: kind pipeline with a pipeline,"
                    + " f = m = 0; got " + kind + " with " + pipeline + ", f = " + f + ", m = " + m);
        }
    }

    /** The settings of a round run by {@code pipeline}. */
    public static AggregationSettings pipeline(PipelineSpec pipeline, int minUpdates) {
        return new AggregationSettings(AggregatorKind.PIPELINE, Metric.COMMON, 0, 0, minUpdates, pipeline);
    }

    /**
     * Settings from the words a configuration or an audit record uses: {@code krum},
     * {@code multi-krum} or {@code mean} with the metric, f and m given; or a pipeline line (then
     * f and m must be 0 and the metric is ignored).
     *
     * @throws AggregationSettingsException for an unknown name or metric, or parameters out of range
     * @throws org.qoraedge.fixedpoint.FixedPointException for a pipeline line the grammar refuses
     */
    public static AggregationSettings of(String aggregator, String metric, int f, int m, int minUpdates) {
        String v = aggregator.strip().toLowerCase(Locale.ROOT);
        if (v.equals("krum") || v.equals("multi-krum") || v.equals("mean")) {
            AggregatorKind kind = AggregatorKind.parse(v);
            return new AggregationSettings(kind, kind == AggregatorKind.MEAN ? Metric.COMMON : parseMetric(metric), f, m,
                    minUpdates);
        }
        return new AggregationSettings(AggregatorKind.PIPELINE, Metric.COMMON, f, m, minUpdates, PipelineSpec.parse(aggregator));
    }

    /** True when the round's rule takes a reference block: a pipeline ending in centered clipping. */
    public boolean usesReference() {
        return pipeline != null && pipeline.aggregator().rule().equals("centered-clip");
    }

    /**
     * Why reputation weighting cannot apply to this rule, or "" when it can: it applies to pipelines
     * whose aggregator averages ({@code mean}, {@code multi-krum}, {@code centered-clip}); Krum, the
     * median and the trimmed mean do not average, and the {@code krum}, {@code multi-krum} and
     * {@code mean} kinds of the older keys are written as pipelines to be weighted.
     */
    public String whyNotWeighted() {
        if (pipeline == null) {
            return "the " + kind.wireName() + " aggregator is not weighted; write it as a pipeline ("
                    + (kind == AggregatorKind.MEAN ? "mean" : kind == AggregatorKind.MULTI_KRUM ? "multi-krum(f)" : "a rule that averages")
                    + ") to weight it";
        }
        try {
            pipeline.checkAcceptsWeights();
            return "";
        } catch (RuleWeightsException e) {
            return e.getMessage();
        }
    }

    /** The rule as announcements, records and logs name it: the kind's name, or the pipeline's line. */
    public String ruleName() {
        return pipeline != null ? pipeline.canonical() : kind.wireName();
    }

    /** Krum with COMMON. */
    public static AggregationSettings krum(int f) {
        return new AggregationSettings(AggregatorKind.KRUM, Metric.COMMON, f, 0, 1);
    }

    /**
     * The smallest number of accepted updates the round can close with: {@code 2f + 3} for Krum
     * and automatic Multi-Krum, {@code m + 2f + 2} (at least {@code 2f + 3}) for Multi-Krum with a
     * fixed m, {@code minUpdates} for MEAN, and for a pipeline the larger of {@code minUpdates} and
     * the fewest updates every step of it accepts.
     */
    public long quorum() {
        switch (kind) {
            case KRUM:
                return 2L * f + 3;
            case MULTI_KRUM:
                return Math.max(2L * f + 3, (long) m + 2L * f + 2);
            case PIPELINE:
                return Math.max(pipeline.minimumUpdates(), minUpdates);
            default:
                return minUpdates;
        }
    }

    /** Multi-Krum's selection size for a round of {@code n}. */
    public int selectionSize(int n) {
        return m == 0 ? n - 2 * f - 2 : m;
    }

    /** The metric's wire name, {@code common} or {@code pairwise}; {@code none} for a pipeline (its rules name theirs). */
    public String metricName() {
        return pipeline != null ? "none" : metric.name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code common} or {@code pairwise}. */
    public static Metric parseMetric(String s) {
        String v = s.strip().toUpperCase(Locale.ROOT);
        for (Metric x : Metric.values()) {
            if (x.name().equals(v)) {
                return x;
            }
        }
        throw new AggregationSettingsException("unknown metric '" + s + "'; expected common or pairwise");
    }
}
