package org.qoraedge.gateway.aggregation;

import java.util.Locale;

/** The aggregation rules a gateway can run, by their config and wire names. */
public enum AggregatorKind {
    /** Krum: the one update with the lowest score, unchanged. */
    KRUM("krum"),
    /** Multi-Krum(m): the exact mean of the m best-scored updates. */
    MULTI_KRUM("multi-krum"),
    /** The exact mean of every accepted update (FedAvg with equal weights): the non-robust baseline. */
    MEAN("mean"),
    /**
     * A pipeline of the robust catalogue written on one line ({@link org.qoraedge.fixedpoint.robust.PipelineSpec}):
     * its rule is the line itself, not this name.
     */
    PIPELINE("pipeline");

    private final String wireName;

    AggregatorKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Parses a config value ({@code krum}, {@code multi-krum}, {@code mean}; case-insensitive). */
    public static AggregatorKind parse(String s) {
        String v = s.strip().toLowerCase(Locale.ROOT);
        for (AggregatorKind k : values()) {
            if (k != PIPELINE && k.wireName.equals(v)) {
                return k;
            }
        }
        throw new AggregationSettingsException("unknown aggregator '" + s + "'; expected krum, multi-krum or mean");
    }
}
