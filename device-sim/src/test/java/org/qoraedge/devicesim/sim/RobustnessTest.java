package org.qoraedge.devicesim.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qoraedge.devicesim.data.SyntheticSensorData;
import org.qoraedge.devicesim.data.TrainTest;

/**
 * The product's claim in miniature: 20 nodes on the synthetic sensor dataset, 6 of them Byzantine.
 * Multi-Krum keeps the attack-free accuracy where the plain mean collapses.
 */
class RobustnessTest {
    static final TrainTest DATA = SyntheticSensorData.generate(1);
    static final int ROUNDS = 15;

    static SimResult run(String attack, String aggregator) {
        SimConfig cfg = SimConfig.builder().nodes(20).byzantine(6).attack(attack).aggregator(aggregator)
                .rounds(ROUNDS).seed(1).build();
        return InProcessSimulator.run(cfg, DATA, RoundListener.NONE);
    }

    @Test
    void multiKrumHoldsWhereTheMeanCollapsesUnderScaling() {
        double baseline = run("none", "mean").finalAccuracy();
        assertTrue(baseline > 0.83, "attack-free accuracy " + baseline);
        // lambda = -4: each attacker pushes 4x its own update the wrong way; 6 x 4 > 14 honest
        SimResult mean = run("scaling:lambda=-4", "mean");
        assertTrue(mean.finalAccuracy() < 0.30, "the mean should collapse, got " + mean.finalAccuracy());
        for (String agg : new String[] {"multikrum-common", "multikrum-pairwise"}) {
            SimResult r = run("scaling:lambda=-4", agg);
            assertTrue(r.finalAccuracy() > baseline - 0.03, agg + ": " + r.finalAccuracy() + " vs attack-free " + baseline);
            assertEquals(0, r.totalByzantineSelected(), agg + " selected a scaled update");
        }
    }

    @Test
    void multiKrumIgnoresSignFlippers() {
        double baseline = run("none", "multikrum-common").finalAccuracy();
        SimResult mean = run("sign-flip", "mean");
        SimResult multi = run("sign-flip", "multikrum-common");
        assertEquals(0, multi.totalByzantineSelected());
        assertTrue(multi.finalAccuracy() > baseline - 0.02, multi.finalAccuracy() + " vs " + baseline);
        // The mean survives a pure sign flip at 30% (its step shrinks to (14 - 6) / 20 of the honest
        // one) but is slower: it never beats Multi-Krum here.
        assertTrue(mean.finalAccuracy() <= multi.finalAccuracy(), mean.finalAccuracy() + " vs " + multi.finalAccuracy());
    }
}
