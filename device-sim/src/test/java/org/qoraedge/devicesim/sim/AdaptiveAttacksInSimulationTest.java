package org.qoraedge.devicesim.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qoraedge.devicesim.attack.OmniscientView;
import org.qoraedge.devicesim.data.SyntheticSensorData;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/** The attacks that need the run's context (the server's rule, the run seed) inside a real fleet. */
class AdaptiveAttacksInSimulationTest {
    static final TrainTest DATA = SyntheticSensorData.generate(3, 1200, 300);

    static SimConfig.Builder fleet(String attack, String aggregator) {
        return SimConfig.builder().nodes(20).byzantine(6).attack(attack).aggregator(aggregator).rounds(4).seed(1);
    }

    @Test
    void alieAdaptiveIsSelectedByMultiKrumInEveryRoundAndIsDeterministic() {
        SimConfig cfg = fleet("alie-adaptive", "multikrum-common").threads(1).build();
        SimResult r = InProcessSimulator.run(cfg, DATA, RoundListener.NONE);
        for (RoundRecord rec : r.rounds()) {
            // the attackers' prediction (the simulator's own rule on their view) holds in the real round
            assertTrue(rec.byzantineSelected() > 0, "round " + rec.round() + " selected " + rec.selected());
        }
        SimResult twoThreads = InProcessSimulator.run(cfg.toBuilder().threads(2).build(), DATA, RoundListener.NONE);
        assertArrayEquals(r.finalParameters(), twoThreads.finalParameters());
        assertEquals(r.rounds().stream().map(RoundRecord::withoutTiming).toList(),
                twoThreads.rounds().stream().map(RoundRecord::withoutTiming).toList());
    }

    @Test
    void ipmAdaptiveTakesTheWholeGridAgainstTheMean() {
        SimResult r = InProcessSimulator.run(fleet("ipm-adaptive:max=10,steps=10", "mean").rounds(2).build(), DATA,
                RoundListener.NONE);
        SimResult fixed = InProcessSimulator.run(fleet("ipm:epsilon=10", "mean").rounds(2).build(), DATA,
                RoundListener.NONE);
        assertArrayEquals(fixed.finalParameters(), r.finalParameters(), "epsilon = max in every round");
    }

    @Test
    void mimicCopiesTheSameHonestNodeInEveryRound() {
        SimConfig cfg = fleet("mimic", "multikrum-common").build();
        Fleet f = Fleet.create(cfg, DATA.train());
        float[] global = Bfp16.decode(Bfp16.encode(f.initialParameters()));
        String victim = null;
        for (int round = 1; round <= 2; round++) {
            List<String> ids = new ArrayList<>();
            List<float[]> ups = new ArrayList<>();
            for (SimNode n : f.nodes()) {
                if (!n.isByzantine()) {
                    ids.add(n.id());
                    ups.add(n.trainUpdate(global, round));
                }
            }
            OmniscientView v = OmniscientView.of(ids.toArray(new String[0]), ups.toArray(new float[0][]),
                    f.byzantineIds().toArray(new String[0]));
            for (SimNode n : f.nodes()) {
                if (n.isByzantine()) {
                    Bfp16Block b = n.publish(global, round, v);
                    List<String> matches = new ArrayList<>();
                    for (int k = 0; k < ids.size(); k++) {
                        if (Bfp16.encode(ups.get(k)).equals(b)) {
                            matches.add(ids.get(k));
                        }
                    }
                    assertEquals(1, matches.size(), n.id() + " in round " + round + " copies " + matches);
                    if (victim == null) {
                        victim = matches.get(0);
                    }
                    assertEquals(victim, matches.get(0), n.id() + " in round " + round);
                }
            }
            global = Bfp16.decode(Bfp16.encode(ups.get(0))); // any other global model for round 2
        }
    }
}
