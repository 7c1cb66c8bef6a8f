package org.qoraedge.devicesim.attack;

import java.util.Locale;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * ALIE or IPM with the scale factor searched each round against the server's rule, as the
 * adaptive attacks of the robust-aggregation benchmarks do (Shejwalkar and Houmansadr 2021,
 * "Manipulating the Byzantine"): the colluders know every honest update and the rule
 * ({@link OmniscientView#serverRule()}) and try each candidate on the round as the server would
 * receive it ({@link OmniscientView#roundWith}: the honest blocks, every colluder sending the
 * candidate).
 *
 * <p>The grid is {@code g_k = max * k / steps} (double division), for {@code k = 0..steps} with
 * ALIE (z; z = 0 is the honest mean) and {@code k = 1..steps} with IPM (epsilon; 0 would be the
 * zero update). The candidate for {@code g} is ALIE's {@code (float) (mean + g * std)} or IPM's
 * {@code (float) (-g * mean)}, encoded by {@link Bfp16#encode}: the block {@code alie:z=g} or
 * {@code ipm:epsilon=g} would publish.
 *
 * <p>Two criteria pick the factor:
 * <ul>
 *   <li>{@link Criterion#USED} (default): the largest factor of which the rule uses at least one
 *       colluder's copy. Candidates are tried from the largest down and the first used one is
 *       published; if none is used, the smallest factor's candidate (the least conspicuous).</li>
 *   <li>{@link Criterion#HARM}: every factor is tried and the one whose aggregate goes furthest
 *       along the attack's direction {@code p} is published: the largest {@code <aggregate, p>}
 *       (double precision, coordinate order), {@code p = std} for ALIE and {@code p = -mean} for
 *       IPM (the inner product IPM manipulates); ties go to the larger factor. It weighs the factor
 *       against how many copies the rule keeps (Multi-Krum may keep all six copies of a small factor
 *       but only one of a large one), and sees into aggregators that weigh values without
 *       selecting (median, trimmed mean).</li>
 * </ul>
 * Every colluder computes the same search from the same view, so they all publish the same block.
 *
 * <p>Deterministic: the view is in canonical order, the grid is fixed, the rule is deterministic.
 * The last round's search is memoised (keyed by the view object, which every colluder of a round
 * shares) so that it runs once per round instead of once per colluder; the result is the same
 * with or without the memo. Thread-safe.
 */
final class AdaptiveScaleAttack implements ModelAttack {
    /** Which attack's payload is scaled. */
    enum Mode {
        ALIE, IPM
    }

    /** How the factor is chosen from the grid (see the class comment). */
    enum Criterion {
        USED, HARM;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Criterion of(String kind, String s) {
            for (Criterion c : values()) {
                if (c.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return c;
                }
            }
            throw new AttackException(kind + ": criterion must be used or harm, got '" + s + "'");
        }
    }

    /** Largest number of grid steps, so a round's search stays bounded. */
    static final int MAX_STEPS = 1000;

    private final Mode mode;
    private final double max;
    private final int steps;
    private final Criterion criterion;
    private final Object lock = new Object();
    private OmniscientView memoView; // guarded by lock
    private Search memo; // guarded by lock

    AdaptiveScaleAttack(Mode mode, double max, int steps, Criterion criterion) {
        String id = mode == Mode.ALIE ? "alie-adaptive" : "ipm-adaptive";
        if (!(max > 0) || Double.isInfinite(max)) {
            throw new AttackException(id + ": max must be positive and finite, got " + max);
        }
        if (steps < 1 || steps > MAX_STEPS) {
            throw new AttackException(id + ": steps must be in [1, " + MAX_STEPS + "], got " + steps);
        }
        this.mode = mode;
        this.max = max;
        this.steps = steps;
        this.criterion = criterion;
    }

    /**
     * What a round's search found.
     *
     * @param used whether the rule used a colluder's copy of the published candidate
     * @param harm {@code <aggregate, p>} of the published candidate's round (computed with HARM only, else NaN)
     */
    record Search(double factor, int gridIndex, boolean used, double harm, int evaluations, Bfp16Block block) {
    }

    @Override
    public AttackKind kind() {
        return mode == Mode.ALIE ? AttackKind.ALIE_ADAPTIVE : AttackKind.IPM_ADAPTIVE;
    }

    @Override
    public String spec() {
        return kind().id() + ":max=" + max + ",steps=" + steps + ",criterion=" + criterion.id();
    }

    @Override
    public boolean needsOwnUpdate() {
        return false;
    }

    /** The grid of factors, ascending. */
    double[] grid() {
        int first = mode == Mode.ALIE ? 0 : 1;
        double[] g = new double[steps - first + 1];
        for (int k = first; k <= steps; k++) {
            g[k - first] = max * k / steps;
        }
        return g;
    }

    /** The block every colluder would publish with factor {@code g}. */
    Bfp16Block candidate(OmniscientView v, double g) {
        float[] u = mode == Mode.ALIE ? AlieAttack.update(v, g) : IpmAttack.update(v, g);
        for (int i = 0; i < u.length; i++) {
            if (!Float.isFinite(u[i])) {
                throw new AttackException(spec() + ": factor " + g + " makes coordinate " + i + " " + u[i]
                        + "; a block holds finite values only (lower max)");
            }
        }
        return Bfp16.encode(u);
    }

    /** The search for {@code v}'s round (memoised for the last view). */
    Search search(OmniscientView v) {
        synchronized (lock) {
            if (memoView != v) {
                memo = searchUncached(v);
                memoView = v;
            }
            return memo;
        }
    }

    private Search searchUncached(OmniscientView v) {
        return criterion == Criterion.USED ? largestUsed(v) : mostHarmful(v);
    }

    private Search largestUsed(OmniscientView v) {
        ServerRule rule = v.serverRule();
        double[] grid = grid();
        int evaluations = 0;
        for (int k = grid.length - 1; k >= 0; k--) {
            Bfp16Block b = candidate(v, grid[k]);
            RuleOutcome outcome = rule.apply(v.roundWith(b));
            evaluations++;
            if (usesAColluder(v, outcome)) {
                return new Search(grid[k], k, true, Double.NaN, evaluations, b);
            }
        }
        return new Search(grid[0], 0, false, Double.NaN, evaluations, candidate(v, grid[0]));
    }

    private Search mostHarmful(OmniscientView v) {
        ServerRule rule = v.serverRule();
        double[] p = new double[v.dimension()];
        for (int i = 0; i < p.length; i++) {
            p[i] = mode == Mode.ALIE ? v.std(i) : -v.mean(i);
        }
        double[] grid = grid();
        Search best = null;
        for (int k = 0; k < grid.length; k++) {
            Bfp16Block b = candidate(v, grid[k]);
            RuleOutcome outcome = rule.apply(v.roundWith(b));
            float[] aggregate = Bfp16.decode(outcome.aggregate());
            double harm = 0;
            for (int i = 0; i < p.length; i++) {
                harm += aggregate[i] * p[i];
            }
            if (best == null || harm >= best.harm()) { // ascending grid: ties go to the larger factor
                best = new Search(grid[k], k, usesAColluder(v, outcome), harm, grid.length, b);
            }
        }
        return best;
    }

    private static boolean usesAColluder(OmniscientView v, RuleOutcome outcome) {
        for (int p : v.colluderPositions()) {
            if (outcome.isUsed(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Bfp16Block craft(AttackContext ctx) {
        return search(ctx.view()).block();
    }

    @Override
    public String toString() {
        return spec();
    }
}
