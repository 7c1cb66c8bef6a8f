package org.qoraedge.gateway.reputation;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How reputation is scored. Immutable; every amount is an integer in parts per million (ppm,
 * {@code 1_000_000} = 1.0), so two gateways with the same settings compute the same scores to the
 * bit. Read from {@code java.util.Properties} with the prefix {@code reputation.} (see
 * {@link #fromProperties}) or from the canonical text an audit record carries
 * ({@link #toCanonicalString}, {@link #parse}). The constructor refuses every value outside the
 * rules below with a {@link ReputationSettingsException} naming the key, the value and the rule.
 *
 * <table>
 * <caption>Keys, defaults and rules</caption>
 * <tr><th>key</th><th>default</th><th>rule</th><th>meaning</th></tr>
 * <tr><td>{@code reputation.enabled}</td><td>{@code true}</td><td>{@code true} or {@code false}</td>
 *     <td>whether the gateway keeps a ledger at all; the ledger itself does not read it</td></tr>
 * <tr><td>{@code reputation.reward}</td><td>0.02</td><td>[0, 1]</td>
 *     <td>added when the node's update was selected</td></tr>
 * <tr><td>{@code reputation.penalty}</td><td>0.08</td><td>[0, 1]</td>
 *     <td>subtracted when the node's Krum score was far outside the round</td></tr>
 * <tr><td>{@code reputation.misbehaviour-penalty}</td><td>0.15</td><td>[0, 1]</td>
 *     <td>subtracted, once per round, for an authenticated frame refused for a protocol violation
 *     the node is answerable for ({@link RoundEvidence#countsAsMisbehaviour})</td></tr>
 * <tr><td>{@code reputation.decay}</td><td>0.05</td><td>[0, 1]</td>
 *     <td>fraction of the distance to the neutral 0.5 removed each round the node is named in</td></tr>
 * <tr><td>{@code reputation.ban-below}</td><td>0.2</td><td>[0, 0.5): below neutral</td>
 *     <td>a score strictly below it bans the node; 0 never bans</td></tr>
 * <tr><td>{@code reputation.unban-to}</td><td>0.5</td><td>(ban-below, 1]</td>
 *     <td>the score an operator's unban gives</td></tr>
 * <tr><td>{@code reputation.far-factor}</td><td>4</td><td>[1, 1000000]</td>
 *     <td>far outside: Krum score &gt; far-factor x the round's lower median Krum score</td></tr>
 * <tr><td>{@code reputation.influence-cap}</td><td>0.8</td><td>(0, 1]</td>
 *     <td>the largest {@link ReputationLedger#influence} of any node</td></tr>
 * <tr><td>{@code reputation.weighting}</td><td>{@code false}</td><td>{@code true} or {@code false}</td>
 *     <td>whether the round's averaging step weights each update by its node's
 *     {@link ReputationLedger#weight}; written in the canonical text only when {@code true}, so
 *     the text of settings without it is the text gateways wrote before the key existed</td></tr>
 * </table>
 *
 * <p>Decimal values are plain decimals with at most 6 fractional digits ({@code 0.05}, {@code 1},
 * {@code 4.5}); NaN, Infinity, exponents ({@code 1e-3}), signs and a 7th fractional digit are
 * refused, never rounded.
 *
 * @param enabled {@code reputation.enabled}
 * @param rewardPpm {@code reputation.reward}, ppm
 * @param penaltyPpm {@code reputation.penalty}, ppm
 * @param misbehaviourPenaltyPpm {@code reputation.misbehaviour-penalty}, ppm
 * @param decayPpm {@code reputation.decay}, ppm
 * @param banBelowPpm {@code reputation.ban-below}, ppm
 * @param unbanToPpm {@code reputation.unban-to}, ppm
 * @param farFactorPpm {@code reputation.far-factor}, ppm (4.0 is {@code 4_000_000})
 * @param influenceCapPpm {@code reputation.influence-cap}, ppm
 * @param weighting {@code reputation.weighting}
 */
public record ReputationSettings(boolean enabled, int rewardPpm, int penaltyPpm, int misbehaviourPenaltyPpm, int decayPpm,
        int banBelowPpm, int unbanToPpm, long farFactorPpm, int influenceCapPpm, boolean weighting) {

    public static final String PREFIX = "reputation.";
    public static final String ENABLED = PREFIX + "enabled";
    public static final String REWARD = PREFIX + "reward";
    public static final String PENALTY = PREFIX + "penalty";
    public static final String MISBEHAVIOUR_PENALTY = PREFIX + "misbehaviour-penalty";
    public static final String DECAY = PREFIX + "decay";
    public static final String BAN_BELOW = PREFIX + "ban-below";
    public static final String UNBAN_TO = PREFIX + "unban-to";
    public static final String FAR_FACTOR = PREFIX + "far-factor";
    public static final String INFLUENCE_CAP = PREFIX + "influence-cap";
    public static final String WEIGHTING = PREFIX + "weighting";

    /** Every key this class reads, so a config loader can refuse unknown keys. */
    public static final Set<String> KEYS = Set.of(ENABLED, REWARD, PENALTY, MISBEHAVIOUR_PENALTY, DECAY, BAN_BELOW, UNBAN_TO,
            FAR_FACTOR, INFLUENCE_CAP, WEIGHTING);

    /** The keys every canonical text has ({@link #WEIGHTING} only when on). */
    private static final Set<String> ALWAYS = Set.of(ENABLED, REWARD, PENALTY, MISBEHAVIOUR_PENALTY, DECAY, BAN_BELOW, UNBAN_TO,
            FAR_FACTOR, INFLUENCE_CAP);

    /** The largest far factor, 1000000 (in ppm {@code 10^12}); keeps every product below 2^103. */
    public static final long MAX_FAR_FACTOR_PPM = 1_000_000L * Ppm.ONE;

    private static final ReputationSettings DEFAULTS = new ReputationSettings(true, 20_000, 80_000, 150_000, 50_000, 200_000,
            Ppm.NEUTRAL, 4L * Ppm.ONE, 800_000, false);

    /** Settings without reputation weighting. */
    public ReputationSettings(boolean enabled, int rewardPpm, int penaltyPpm, int misbehaviourPenaltyPpm, int decayPpm,
            int banBelowPpm, int unbanToPpm, long farFactorPpm, int influenceCapPpm) {
        this(enabled, rewardPpm, penaltyPpm, misbehaviourPenaltyPpm, decayPpm, banBelowPpm, unbanToPpm, farFactorPpm,
                influenceCapPpm, false);
    }

    public ReputationSettings {
        unit(REWARD, rewardPpm);
        unit(PENALTY, penaltyPpm);
        unit(MISBEHAVIOUR_PENALTY, misbehaviourPenaltyPpm);
        unit(DECAY, decayPpm);
        if (banBelowPpm < 0 || banBelowPpm >= Ppm.NEUTRAL) {
            throw refuse(BAN_BELOW, banBelowPpm, "must be in [0, 0.5): below the neutral score 0.5, or a node never seen"
                    + " would start banned (0 never bans)");
        }
        if (unbanToPpm <= banBelowPpm || unbanToPpm > Ppm.ONE) {
            throw refuse(UNBAN_TO, unbanToPpm, "must be in (ban-below, 1] = (" + Ppm.format(banBelowPpm)
                    + ", 1], or a node the operator unbans would be banned again at once");
        }
        if (farFactorPpm < Ppm.ONE || farFactorPpm > MAX_FAR_FACTOR_PPM) {
            throw refuse(FAR_FACTOR, farFactorPpm, "must be in [1, " + Ppm.format(MAX_FAR_FACTOR_PPM)
                    + "]: below 1, nodes better than the median would count as far outside");
        }
        if (influenceCapPpm <= 0 || influenceCapPpm > Ppm.ONE) {
            throw refuse(INFLUENCE_CAP, influenceCapPpm, "must be in (0, 1]");
        }
    }

    /** The defaults of the table above. */
    public static ReputationSettings defaults() {
        return DEFAULTS;
    }

    /**
     * Reads the {@code reputation.*} keys of a gateway configuration; absent keys take their
     * default, keys without the prefix are ignored (they belong to other parts of the config).
     *
     * @throws ReputationSettingsException for an unknown {@code reputation.*} key or a value that
     *         breaks its rule
     */
    public static ReputationSettings fromProperties(Properties p) {
        Map<String, String> values = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(PREFIX)) {
                if (!KEYS.contains(key)) {
                    throw new ReputationSettingsException(key, "unknown key " + key + "; known keys: " + new TreeSet<>(KEYS));
                }
                values.put(key, p.getProperty(key));
            }
        }
        return build(values);
    }

    /**
     * Parses the text of {@link #toCanonicalString}, and only that text: every key once, in order,
     * each value in its canonical form ({@code 0.5}, not {@code 0.50}), one {@code key=value}
     * line each ending with {@code \n}. An audit record's settings either parse to the settings
     * that applied or are refused.
     *
     * @throws ReputationSettingsException naming the first line that differs from the canonical form
     */
    public static ReputationSettings parse(String canonical) {
        if (!canonical.endsWith("\n")) {
            throw new ReputationSettingsException("", "canonical reputation settings must end with a newline");
        }
        Map<String, String> values = new TreeMap<>();
        String[] lines = canonical.substring(0, canonical.length() - 1).split("\n", -1);
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new ReputationSettingsException("", "line '" + line + "' is not key=value");
            }
            String key = line.substring(0, eq);
            if (!KEYS.contains(key)) {
                throw new ReputationSettingsException(key, "unknown key " + key + " in line '" + line + "'; known keys: "
                        + new TreeSet<>(KEYS));
            }
            if (values.put(key, line.substring(eq + 1)) != null) {
                throw new ReputationSettingsException(key, "key " + key + " appears twice");
            }
        }
        if (!values.keySet().containsAll(ALWAYS)) {
            Set<String> missing = new TreeSet<>(ALWAYS);
            missing.removeAll(values.keySet());
            throw new ReputationSettingsException(missing.iterator().next(), "canonical reputation settings lack " + missing);
        }
        ReputationSettings s = build(values);
        String[] expected = s.toCanonicalString().split("\n");
        if (expected.length != lines.length) { // reputation.weighting=false: the canonical text leaves it out
            throw new ReputationSettingsException(WEIGHTING, "line '" + WEIGHTING + "=" + values.get(WEIGHTING)
                    + "' is not canonical: the key is written only when true");
        }
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].equals(expected[i])) {
                throw new ReputationSettingsException(expected[i].substring(0, expected[i].indexOf('=')), "line " + (i + 1)
                        + " is '" + lines[i] + "', the canonical form is '" + expected[i] + "'");
            }
        }
        return s;
    }

    /**
     * Every key ({@link #WEIGHTING} only when on) as a {@code key=value} line ending with
     * {@code \n}, sorted by key, values in their
     * shortest exact decimal ({@code 0.02}, {@code 4}, {@code true}). Stable: the same settings
     * always give the same text, so audit records can carry it and compare it byte for byte.
     */
    public String toCanonicalString() {
        Map<String, String> m = new TreeMap<>();
        m.put(ENABLED, Boolean.toString(enabled));
        m.put(REWARD, Ppm.format(rewardPpm));
        m.put(PENALTY, Ppm.format(penaltyPpm));
        m.put(MISBEHAVIOUR_PENALTY, Ppm.format(misbehaviourPenaltyPpm));
        m.put(DECAY, Ppm.format(decayPpm));
        m.put(BAN_BELOW, Ppm.format(banBelowPpm));
        m.put(UNBAN_TO, Ppm.format(unbanToPpm));
        m.put(FAR_FACTOR, Ppm.format(farFactorPpm));
        m.put(INFLUENCE_CAP, Ppm.format(influenceCapPpm));
        if (weighting) {
            m.put(WEIGHTING, "true");
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : m.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return sb.toString();
    }

    private static ReputationSettings build(Map<String, String> v) {
        ReputationSettings d = DEFAULTS;
        return new ReputationSettings(
                v.containsKey(ENABLED) ? bool(ENABLED, v.get(ENABLED)) : d.enabled,
                v.containsKey(REWARD) ? unitValue(REWARD, v.get(REWARD)) : d.rewardPpm,
                v.containsKey(PENALTY) ? unitValue(PENALTY, v.get(PENALTY)) : d.penaltyPpm,
                v.containsKey(MISBEHAVIOUR_PENALTY) ? unitValue(MISBEHAVIOUR_PENALTY, v.get(MISBEHAVIOUR_PENALTY))
                        : d.misbehaviourPenaltyPpm,
                v.containsKey(DECAY) ? unitValue(DECAY, v.get(DECAY)) : d.decayPpm,
                v.containsKey(BAN_BELOW) ? unitValue(BAN_BELOW, v.get(BAN_BELOW)) : d.banBelowPpm,
                v.containsKey(UNBAN_TO) ? unitValue(UNBAN_TO, v.get(UNBAN_TO)) : d.unbanToPpm,
                v.containsKey(FAR_FACTOR) ? Ppm.parse(FAR_FACTOR, v.get(FAR_FACTOR)) : d.farFactorPpm,
                v.containsKey(INFLUENCE_CAP) ? unitValue(INFLUENCE_CAP, v.get(INFLUENCE_CAP)) : d.influenceCapPpm,
                v.containsKey(WEIGHTING) ? bool(WEIGHTING, v.get(WEIGHTING)) : d.weighting);
    }

    /** A value that must lie in [0, 1] (narrower rules are the constructor's). */
    private static int unitValue(String key, String raw) {
        long ppm = Ppm.parse(key, raw);
        if (ppm > Ppm.ONE) {
            throw new ReputationSettingsException(key, key + " = '" + raw + "': must be at most 1");
        }
        return (int) ppm;
    }

    private static boolean bool(String key, String raw) {
        String v = raw.strip();
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new ReputationSettingsException(key, key + " = '" + raw + "': must be true or false");
    }

    private static void unit(String key, int ppm) {
        if (ppm < 0 || ppm > Ppm.ONE) {
            throw refuse(key, ppm, "must be in [0, 1]");
        }
    }

    private static ReputationSettingsException refuse(String key, long ppm, String rule) {
        return new ReputationSettingsException(key, key + " = " + Ppm.format(ppm) + ": " + rule);
    }
}
