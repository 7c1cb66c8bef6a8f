package org.qoraedge.gateway.round;

import java.util.Objects;
import java.util.function.IntFunction;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.protocol.ByzantineFraction;

/**
 * Partial participation ({@code round.cohort}, docs/PROTOCOL.md section 6.2): each round asks only
 * a cohort of {@code size} nodes, drawn by {@link org.qoraedge.gateway.protocol.Cohort} from the
 * expected nodes that are not banned at the round's start. Immutable.
 *
 * @param size the cohort size K, {@code >= 1}
 * @param byzantineFraction the declared Byzantine share ({@code round.byzantineFraction}), or null:
 *     the rule's f is then the configured one
 * @param rule the round's aggregation for a given f (f derived from the fraction and the cohort's
 *     size); null exactly when {@code byzantineFraction} is null
 */
public record CohortSettings(int size, ByzantineFraction byzantineFraction, IntFunction<AggregationSettings> rule) {
    public CohortSettings {
        if (size < 1) {
            throw new RoundSettingsException("round.cohort must be >= 1, got " + size);
        }
        if ((byzantineFraction == null) != (rule == null)) {
            throw new RoundSettingsException("a cohort's Byzantine fraction and its rule for f come together");
        }
    }

    /** A cohort of {@code size} whose rule keeps its configured f. */
    public static CohortSettings of(int size) {
        return new CohortSettings(size, null, null);
    }

    /** A cohort of {@code size} whose f is {@code fraction} of the cohort, applied by {@code rule}. */
    public static CohortSettings of(int size, ByzantineFraction fraction, IntFunction<AggregationSettings> rule) {
        return new CohortSettings(size, Objects.requireNonNull(fraction, "fraction"), Objects.requireNonNull(rule, "rule"));
    }

    /** The aggregation of a cohort of {@code members} nodes: {@code configured} without a fraction. */
    AggregationSettings aggregationFor(int members, AggregationSettings configured) {
        return byzantineFraction == null ? configured : rule.apply(byzantineFraction.of(members));
    }
}
