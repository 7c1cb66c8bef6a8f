package org.qoraedge.gateway.aggregation;

import java.util.Locale;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * How a round is aggregated. Immutable.
 *
 * @param kind the rule
 * @param metric the distance of the Krum family (COMMON by default); ignored by MEAN
 * @param f Byzantine nodes tolerated, {@code >= 0}
 * @param m Multi-Krum's selection size; 0 means {@code n - 2f - 2} of the round's n
 * @param minUpdates the smallest round MEAN closes with, {@code >= 1}
 */
public record AggregationSettings(AggregatorKind kind, Metric metric, int f, int m, int minUpdates) {

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
    }

    /** Krum with COMMON. */
    public static AggregationSettings krum(int f) {
        return new AggregationSettings(AggregatorKind.KRUM, Metric.COMMON, f, 0, 1);
    }

    /**
     * The smallest number of accepted updates the round can close with: {@code 2f + 3} for Krum
     * and automatic Multi-Krum, {@code m + 2f + 2} (at least {@code 2f + 3}) for Multi-Krum with a
     * fixed m, {@code minUpdates} for MEAN.
     */
    public long quorum() {
        switch (kind) {
            case KRUM:
                return 2L * f + 3;
            case MULTI_KRUM:
                return Math.max(2L * f + 3, (long) m + 2L * f + 2);
            default:
                return minUpdates;
        }
    }

    /** Multi-Krum's selection size for a round of {@code n}. */
    public int selectionSize(int n) {
        return m == 0 ? n - 2 * f - 2 : m;
    }

    /** The metric's wire name, {@code common} or {@code pairwise}. */
    public String metricName() {
        return metric.name().toLowerCase(Locale.ROOT);
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
