package org.qoraedge.devicesim.sim;

import java.util.Locale;
import java.util.function.Supplier;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.attack.RuleOutcome;
import org.qoraedge.devicesim.attack.ServerRule;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.PipelineSpec;

/**
 * The server's aggregation rule: the exact mean of every block, Krum, or Multi-Krum(m), the last
 * two under a distance {@link Metric}. Spelled {@code mean}, {@code krum-common},
 * {@code krum-pairwise}, {@code multikrum-common}, {@code multikrum-pairwise}, with an optional
 * {@code :m=M} for Multi-Krum ({@code krum} and {@code multikrum} alone mean COMMON); or any
 * pipeline of the robust catalogue, in the gateway's syntax
 * ({@link PipelineSpec}: {@code norm-screen(2, 2) > nnm(2) > multi-krum(2)}, {@code median(2)}, ...),
 * whose rules carry their own parameters ({@code --krum-f} does not apply to them).
 *
 * @param m Multi-Krum's selection size; 0 means the largest allowed, {@code n - 2f - 2}
 * @param pipeline the pipeline of {@link Rule#PIPELINE}, null otherwise
 */
public record AggregatorSpec(Rule rule, Metric metric, int m, PipelineSpec pipeline) {
    /** The aggregation rules. */
    public enum Rule {
        MEAN, KRUM, MULTI_KRUM, PIPELINE
    }

    public static final AggregatorSpec MEAN = new AggregatorSpec(Rule.MEAN, null, 0);

    /** Mean, Krum or Multi-Krum. */
    public AggregatorSpec(Rule rule, Metric metric, int m) {
        this(rule, metric, m, null);
    }

    /**
     * @throws InvalidConfigException if a Krum rule has no metric, or m is negative or set for a
     *     rule other than Multi-Krum
     */
    public AggregatorSpec {
        if ((rule == Rule.PIPELINE) != (pipeline != null)) {
            throw new InvalidConfigException("a pipeline rule needs its pipeline, and only it has one");
        }
        if (rule == Rule.PIPELINE) {
            metric = null;
        } else if (rule != Rule.MEAN && metric == null) {
            throw new InvalidConfigException(rule + " needs a metric (COMMON or PAIRWISE)");
        }
        if (rule == Rule.MEAN) {
            metric = null;
        }
        if (m < 0 || (m != 0 && rule != Rule.MULTI_KRUM)) {
            throw new InvalidConfigException("selection size m = " + m + " is only for Multi-Krum and must be >= 1");
        }
    }

    /**
     * Parses the spellings above.
     *
     * @throws InvalidConfigException naming what is wrong
     */
    public static AggregatorSpec parse(String spec) {
        if (spec.indexOf('(') >= 0 || spec.indexOf('>') >= 0) {
            return pipeline(spec);
        }
        String s = spec.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        int m = 0;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            String opt = s.substring(colon + 1);
            if (!opt.startsWith("m=")) {
                throw new InvalidConfigException("aggregator " + spec + ": option '" + opt + "' is not m=M");
            }
            try {
                m = Integer.parseInt(opt.substring(2));
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("aggregator " + spec + ": m '" + opt.substring(2) + "' is not an integer");
            }
            if (m < 1) {
                throw new InvalidConfigException("aggregator " + spec + ": m must be >= 1, got " + m);
            }
            s = s.substring(0, colon);
        }
        switch (s) {
            case "mean":
                if (m != 0) {
                    throw new InvalidConfigException("aggregator " + spec + ": m applies to Multi-Krum only");
                }
                return MEAN;
            case "krum":
            case "krum-common":
                return new AggregatorSpec(Rule.KRUM, Metric.COMMON, check(spec, m));
            case "krum-pairwise":
                return new AggregatorSpec(Rule.KRUM, Metric.PAIRWISE, check(spec, m));
            case "multikrum":
            case "multi-krum":
            case "multikrum-common":
            case "multi-krum-common":
                return new AggregatorSpec(Rule.MULTI_KRUM, Metric.COMMON, m);
            case "multikrum-pairwise":
            case "multi-krum-pairwise":
                return new AggregatorSpec(Rule.MULTI_KRUM, Metric.PAIRWISE, m);
            default:
                return pipeline(spec);
        }
    }

    /** {@code spec} as a pipeline in the gateway's syntax, even a one-step one such as {@code mean}. */
    public static AggregatorSpec pipeline(String spec) {
        try {
            return new AggregatorSpec(Rule.PIPELINE, null, 0, PipelineSpec.parse(spec));
        } catch (FixedPointException e) {
            throw new InvalidConfigException("aggregator '" + spec + "' is neither mean, krum-common, krum-pairwise,"
                    + " multikrum-common nor multikrum-pairwise (Multi-Krum takes :m=M), nor a pipeline: " + e.getMessage());
        }
    }

    private static int check(String spec, int m) {
        if (m != 0) {
            throw new InvalidConfigException("aggregator " + spec + ": m applies to Multi-Krum only");
        }
        return 0;
    }

    /** Multi-Krum's m for a round of {@code n} blocks and declared {@code f}. */
    public int selectionSize(int n, int f) {
        return m != 0 ? m : n - 2 * f - 2;
    }

    /**
     * This rule with Krum's {@code f} as a function of a round's blocks (canonical order): what the
     * in-process simulator aggregates with, and what adaptive attackers are told. Multi-Krum's
     * {@code m} is {@link #selectionSize} of the round's block count. The outcome lists the mean's
     * inputs in ascending order, Krum's and Multi-Krum's selection best score first.
     */
    public ServerRule serverRule(int f) {
        return serverRule(f, () -> null);
    }

    /**
     * {@link #serverRule(int)} with centered clipping's reference for the round being aggregated:
     * the previous round's aggregate, null for the zero block (pipelines only use it).
     */
    public ServerRule serverRule(int f, Supplier<Bfp16Block> reference) {
        switch (rule) {
            case PIPELINE:
                return ServerRule.of(pipeline, reference);
            case MEAN:
                return blocks -> RuleOutcome.usingAll(Means.mean(blocks), blocks.length);
            case KRUM:
                return blocks -> {
                    KrumResult r = Krum.krum(blocks, f, metric);
                    return RuleOutcome.of(r.aggregate(), r.selected(), blocks.length);
                };
            default:
                return blocks -> {
                    KrumResult r = Krum.multiKrum(blocks, f, selectionSize(blocks.length, f), metric);
                    return RuleOutcome.of(r.aggregate(), r.selected(), blocks.length);
                };
        }
    }

    /** The canonical spelling, e.g. {@code multikrum-pairwise}, {@code multikrum-common:m=4} or a pipeline's line. */
    public String id() {
        switch (rule) {
            case PIPELINE:
                return pipeline.canonical();
            case MEAN:
                return "mean";
            case KRUM:
                return "krum-" + metric.name().toLowerCase(Locale.ROOT);
            default:
                return "multikrum-" + metric.name().toLowerCase(Locale.ROOT) + (m != 0 ? ":m=" + m : "");
        }
    }

    @Override
    public String toString() {
        return id();
    }
}
