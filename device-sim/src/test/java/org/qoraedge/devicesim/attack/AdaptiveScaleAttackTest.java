package org.qoraedge.devicesim.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.Mean;
import org.qoraedge.fixedpoint.robust.MultiKrum;
import org.qoraedge.fixedpoint.robust.NormScreen;
import org.qoraedge.fixedpoint.robust.Pipeline;
import org.qoraedge.fixedpoint.robust.PipelineResult;

/**
 * The adaptive attacks against a small synthetic round: 14 honest nodes (node-07 .. node-20), 6
 * colluders (node-01 .. node-06), d = 300; Multi-Krum with f = 6 and m = n - 2f - 2 = 6.
 */
class AdaptiveScaleAttackTest {
    static final int D = AttacksTest.D;
    static final int F = 6;
    static final String[] COLLUDERS = {"node-01", "node-02", "node-03", "node-04", "node-05", "node-06"};
    static final ServerRule MULTI_KRUM = blocks -> {
        KrumResult r = Krum.multiKrum(blocks, F, blocks.length - 2 * F - 2, Metric.COMMON);
        return RuleOutcome.of(r.aggregate(), r.selected(), blocks.length);
    };
    static final ServerRule MEAN = blocks -> RuleOutcome.usingAll(Means.mean(blocks), blocks.length);

    /** Honest updates: a shared direction of spread {@code signal} plus per-node noise of spread {@code noise}. */
    static OmniscientView view(double signal, double noise, ServerRule rule) {
        String[] ids = new String[14];
        float[][] ups = new float[14][];
        float[] direction = AttacksTest.randomUpdate(99, 0, signal);
        for (int k = 0; k < 14; k++) {
            ids[k] = String.format("node-%02d", 7 + k);
            float[] n = AttacksTest.randomUpdate(500 + k, 0, noise);
            ups[k] = new float[D];
            for (int i = 0; i < D; i++) {
                ups[k][i] = direction[i] + n[i];
            }
        }
        return OmniscientView.of(ids, ups, COLLUDERS, rule);
    }

    static AdaptiveScaleAttack attack(String spec) {
        return (AdaptiveScaleAttack) Attacks.create(spec);
    }

    static Bfp16Block craft(ModelAttack a, OmniscientView v, String node) {
        return a.craft(AttackContext.of(node, 2, D, null, v, 5, 1));
    }

    /**
     * The round for factor {@code g}, built here: ids node-01 .. node-20 sort as their numbers, so
     * the colluders sit at 0..5 and honest node-(7+k) at 6+k.
     */
    static Bfp16Block[] round(OmniscientView v, double g, boolean alie) {
        float[] u = new float[D];
        for (int i = 0; i < D; i++) {
            u[i] = alie ? (float) (v.mean(i) + g * v.std(i)) : (float) (-g * v.mean(i));
        }
        Bfp16Block bad = Bfp16.encode(u);
        Bfp16Block[] round = new Bfp16Block[20];
        for (int j = 0; j < 6; j++) {
            round[j] = bad;
        }
        for (int k = 0; k < 14; k++) {
            round[6 + k] = Bfp16.encode(v.honestUpdate(k));
        }
        return round;
    }

    /** The brute force: Multi-Krum run directly on every grid value's round; the largest with a colluder selected. */
    static double bruteForceLargestSelected(OmniscientView v, double[] grid, boolean alie) {
        double best = Double.NaN;
        for (double g : grid) {
            int[] selected = Krum.multiKrum(round(v, g, alie), F, 6, Metric.COMMON).selected();
            if (Arrays.stream(selected).anyMatch(j -> j < 6)) {
                best = g; // the grid ascends: the last hit is the largest
            }
        }
        return best;
    }

    /** IPM's harm of a round under Multi-Krum: the aggregate's inner product with -mean. */
    static double ipmHarm(OmniscientView v, Bfp16Block[] round) {
        float[] agg = Bfp16.decode(Krum.multiKrum(round, F, 6, Metric.COMMON).aggregate());
        double h = 0;
        for (int i = 0; i < D; i++) {
            h += agg[i] * -v.mean(i);
        }
        return h;
    }

    @Test
    void theGridIsMaxTimesKOverSteps() {
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5, 2}, attack("alie-adaptive:max=2,steps=4").grid());
        assertArrayEquals(new double[] {2.5, 5, 7.5, 10}, attack("ipm-adaptive:max=10,steps=4").grid());
        assertEquals(51, attack("alie-adaptive").grid().length);
        assertEquals(0.1, attack("alie-adaptive").grid()[1]);
        assertEquals(100, attack("ipm-adaptive").grid().length);
        assertEquals("alie-adaptive:max=5.0,steps=50,criterion=used", attack("alie-adaptive").spec());
        assertEquals("ipm-adaptive:max=10.0,steps=100,criterion=harm", attack("ipm-adaptive:criterion=HARM").spec());
    }

    @Test
    void alieTakesTheLargestZOnItsGridThatMultiKrumStillSelects() {
        OmniscientView v = view(0.01, 0.004, MULTI_KRUM);
        AdaptiveScaleAttack a = attack("alie-adaptive");
        double expected = bruteForceLargestSelected(v, a.grid(), true);
        AdaptiveScaleAttack.Search s = a.search(v);
        assertTrue(s.used());
        assertEquals(expected, s.factor());
        assertTrue(expected > 0.5 && expected < 5, "a meaningful round: some but not all of the grid passes, got " + expected);
        // what it publishes is alie:z=<chosen>'s block
        Bfp16Block alie = Attacks.create("alie:z=" + expected).craft(AttackContext.of("node-01", 2, D, null, v, 5, 1));
        assertEquals(alie, craft(a, v, "node-01"));
        // and Multi-Krum on that round does select a colluder
        RuleOutcome o = MULTI_KRUM.apply(v.roundWith(s.block()));
        assertTrue(Arrays.stream(v.colluderPositions()).anyMatch(o::isUsed));
    }

    @Test
    void ipmTakesTheLargestEpsilonOnItsGridThatMultiKrumStillSelects() {
        OmniscientView v = view(0.005, 0.01, MULTI_KRUM);
        AdaptiveScaleAttack a = attack("ipm-adaptive");
        double expected = bruteForceLargestSelected(v, a.grid(), false);
        AdaptiveScaleAttack.Search s = a.search(v);
        assertEquals(expected, s.factor());
        assertTrue(expected > 1 && expected < 10, "a meaningful round: some but not all of the grid passes, got " + expected);
        Bfp16Block ipm = Attacks.create("ipm:epsilon=" + expected).craft(AttackContext.of("node-01", 2, D, null, v, 5, 1));
        assertEquals(ipm, craft(a, v, "node-04"));
    }

    @Test
    void harmTakesTheFactorWhoseAggregateGoesFurthestAgainstTheHonestMean() {
        OmniscientView v = view(0.005, 0.01, MULTI_KRUM);
        AdaptiveScaleAttack a = attack("ipm-adaptive:criterion=harm");
        double bestFactor = Double.NaN;
        double bestHarm = Double.NEGATIVE_INFINITY;
        for (double g : a.grid()) {
            double h = ipmHarm(v, round(v, g, false));
            if (h >= bestHarm) {
                bestHarm = h;
                bestFactor = g;
            }
        }
        AdaptiveScaleAttack.Search s = a.search(v);
        assertEquals(bestFactor, s.factor());
        assertEquals(bestHarm, s.harm());
        assertEquals(100, s.evaluations());
        // at least as harmful as the largest factor still selected, by construction
        AdaptiveScaleAttack.Search used = attack("ipm-adaptive").search(v);
        assertTrue(s.harm() >= ipmHarm(v, round(v, used.factor(), false)));
        assertThrows(AttackException.class, () -> Attacks.create("ipm-adaptive:criterion=most"));
    }

    @Test
    void againstTheMeanEveryCandidateIsUsedSoTheLargestIsTaken() {
        OmniscientView v = view(0.01, 0.004, MEAN);
        AdaptiveScaleAttack.Search alie = attack("alie-adaptive").search(v);
        assertEquals(5.0, alie.factor());
        assertEquals(1, alie.evaluations());
        assertEquals(10.0, attack("ipm-adaptive").search(v).factor());
        assertEquals(5.0, attack("alie-adaptive:criterion=harm").search(v).factor(), "the mean moves linearly with z");
    }

    @Test
    void whenNothingIsSelectedTheSmallestFactorIsPublished() {
        // a tight honest cluster far from zero: Multi-Krum never selects an IPM copy
        OmniscientView v = view(0.01, 0.004, MULTI_KRUM);
        assertTrue(Double.isNaN(bruteForceLargestSelected(v, attack("ipm-adaptive").grid(), false)));
        AdaptiveScaleAttack.Search s = attack("ipm-adaptive").search(v);
        assertFalse(s.used());
        assertEquals(0.1, s.factor());
        assertEquals(100, s.evaluations());
        assertEquals(Attacks.create("ipm:epsilon=0.1").craft(AttackContext.of("node-01", 2, D, null, v, 5, 1)), s.block());
    }

    @Test
    void theSearchIsDeterministicWhateverTheInputOrderAndIsMemoisedPerView() {
        OmniscientView v = view(0.01, 0.004, MULTI_KRUM);
        AdaptiveScaleAttack a = attack("alie-adaptive");
        Bfp16Block first = craft(a, v, "node-01");
        AdaptiveScaleAttack.Search memo = a.search(v);
        assertSame(memo, a.search(v), "colluders of one round share the search");
        for (String node : COLLUDERS) {
            assertEquals(first, craft(a, v, node));
        }
        // the same round given in another order, and a fresh attack: the same bits
        List<String> ids = v.honestIds();
        String[] reversed = new String[ids.size()];
        float[][] ups = new float[ids.size()][];
        for (int k = 0; k < ids.size(); k++) {
            reversed[k] = ids.get(ids.size() - 1 - k);
            ups[k] = v.honestUpdate(ids.size() - 1 - k);
        }
        String[] colluders = COLLUDERS.clone();
        Collections.reverse(Arrays.asList(colluders));
        OmniscientView w = OmniscientView.of(reversed, ups, colluders, MULTI_KRUM);
        AdaptiveScaleAttack fresh = attack("alie-adaptive");
        assertEquals(first, craft(fresh, w, "node-03"));
        assertNotSame(memo, a.search(w));
        assertEquals(memo.factor(), a.search(w).factor());
    }

    @Test
    void aPipelineIsAServerRuleAndTheSearchRespectsItsScreen() {
        // drop the 6 largest norms, then the mean: ALIE copies survive only while their norm is not
        // among the 6 largest
        Pipeline p = Pipeline.of(NormScreen.of(0, 6), Mean.of());
        OmniscientView v = view(0.01, 0.004, ServerRule.of(p));
        AdaptiveScaleAttack a = attack("alie-adaptive");
        double expected = Double.NaN;
        for (double z : a.grid()) {
            PipelineResult r = p.apply(v.roundWith(a.candidate(v, z)));
            if (Arrays.stream(r.kept(0)).anyMatch(j -> j < 6)) {
                expected = z;
            }
        }
        assertEquals(expected, a.search(v).factor());
        assertTrue(expected > 0 && expected < 5, "got " + expected);

        // with Multi-Krum after a screen, used = the selection mapped back through the screen
        Pipeline pk = Pipeline.of(NormScreen.of(1, 1), MultiKrum.of(F, 4, Metric.COMMON));
        Bfp16Block[] round = v.roundWith(a.candidate(v, 1.0));
        PipelineResult r = pk.apply(round);
        int[] kept = r.kept(0);
        int[] local = r.krum().orElseThrow().selected();
        int[] mapped = new int[local.length];
        for (int t = 0; t < local.length; t++) {
            mapped[t] = kept[local[t]];
        }
        RuleOutcome o = ServerRule.of(pk).apply(round);
        assertArrayEquals(mapped, o.used());
        assertEquals(r.aggregate(), o.aggregate());
    }

    @Test
    void refusesABadGridAndAViewWithoutTheRule() {
        assertThrows(AttackException.class, () -> Attacks.create("alie-adaptive:max=0"));
        assertThrows(AttackException.class, () -> Attacks.create("ipm-adaptive:steps=0"));
        assertThrows(AttackException.class, () -> Attacks.create("ipm-adaptive:steps=1001"));
        assertThrows(AttackException.class, () -> Attacks.create("alie-adaptive:max=Infinity"));
        OmniscientView noRule = view(0.01, 0.004, null);
        AttackException e = assertThrows(AttackException.class, () -> craft(attack("alie-adaptive"), noRule, "node-01"));
        assertTrue(e.getMessage().contains("server's aggregation rule"), e.getMessage());
    }
}
