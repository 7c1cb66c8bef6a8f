package org.qoraedge.devicesim.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.attack.AttackException;
import org.qoraedge.devicesim.data.Partition;
import org.qoraedge.devicesim.data.SyntheticSensorData;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.krum.QuorumException;

class SimulatorTest {
    static final TrainTest DATA = SyntheticSensorData.generate(5, 400, 200);

    static SimConfig.Builder small() {
        return SimConfig.builder().nodes(10).byzantine(2).rounds(4).seed(21);
    }

    static List<RoundRecord> untimed(SimResult r) {
        return r.rounds().stream().map(RoundRecord::withoutTiming).toList();
    }

    @Test
    void sameSeedGivesTheSameBitsWhateverTheThreadCount() {
        SimConfig cfg = small().attack("alie").aggregator("multikrum-pairwise").partition(Partition.dirichlet(0.5)).build();
        SimResult a = InProcessSimulator.run(cfg, DATA, RoundListener.NONE);
        SimResult b = InProcessSimulator.run(cfg, DATA, RoundListener.NONE);
        SimResult c = InProcessSimulator.run(cfg.toBuilder().threads(3).build(), DATA, RoundListener.NONE);
        assertArrayEquals(a.finalParameters(), b.finalParameters());
        assertArrayEquals(a.finalParameters(), c.finalParameters());
        assertEquals(untimed(a), untimed(b));
        assertEquals(untimed(a), untimed(c));
        SimResult other = InProcessSimulator.run(cfg.toBuilder().seed(22).build(), DATA, RoundListener.NONE);
        assertFalse(Arrays.equals(a.finalParameters(), other.finalParameters()));
    }

    @Test
    void meanSelectsEveryNodeAndCountsTheByzantineOnes() {
        SimConfig cfg = small().attack("sign-flip").aggregator("mean").build();
        SimResult r = InProcessSimulator.run(cfg, DATA, RoundListener.NONE);
        assertEquals(4, r.rounds().size());
        assertEquals(2, r.byzantineIds().size());
        assertEquals(Fleet.byzantineIds(cfg), r.byzantineIds());
        for (RoundRecord rec : r.rounds()) {
            assertEquals(List.of(NodeIdScheme.ids(10)), rec.selected());
            assertEquals(2, rec.byzantineSelected());
            assertTrue(rec.rejected().isEmpty());
        }
    }

    @Test
    void krumSelectsOneAndMultiKrumSelectsNMinus2FMinus2() {
        SimResult krum = InProcessSimulator.run(small().attack("gaussian").aggregator("krum-common").build(), DATA,
                RoundListener.NONE);
        SimResult multi = InProcessSimulator.run(small().attack("gaussian").aggregator("multikrum-common").build(), DATA,
                RoundListener.NONE);
        SimResult multi3 = InProcessSimulator.run(small().attack("gaussian").aggregator("multikrum-common:m=3").build(),
                DATA, RoundListener.NONE);
        for (int i = 0; i < 4; i++) {
            assertEquals(1, krum.rounds().get(i).selected().size());
            assertEquals(10 - 4 - 2, multi.rounds().get(i).selected().size());
            assertEquals(3, multi3.rounds().get(i).selected().size());
            assertEquals(0, multi.rounds().get(i).byzantineSelected(), "Gaussian noise is far from every honest update");
        }
    }

    @Test
    void attackFreeRunHasNoByzantineButKeepsTheDeclaredF() {
        SimConfig cfg = small().aggregator("multikrum-common").build();
        assertTrue(cfg.attackFree());
        assertEquals(2, cfg.effectiveKrumF());
        SimResult r = InProcessSimulator.run(cfg, DATA, RoundListener.NONE);
        assertTrue(r.byzantineIds().isEmpty());
        assertEquals(4, r.rounds().get(0).selected().size());
    }

    @Test
    void refusesAKrumRoundBelowQuorumBeforeTraining() {
        SimConfig cfg = SimConfig.builder().nodes(6).byzantine(2).attack("zero").aggregator("krum-common").rounds(1).build();
        assertThrows(QuorumException.class, () -> InProcessSimulator.run(cfg, DATA, RoundListener.NONE));
        assertThrows(AttackException.class, () -> small().attack("backdoor").build());
        assertThrows(InvalidConfigException.class, () -> small().byzantineIds(List.of("node-01")).build());
    }

    @Test
    void byzantineIdsCanBeChosenExactly() {
        SimConfig cfg = small().attack("zero").byzantineIds(List.of("node-10", "node-03")).build();
        assertEquals(List.of("node-03", "node-10"), Fleet.byzantineIds(cfg));
        assertThrows(InvalidConfigException.class,
                () -> Fleet.byzantineIds(small().attack("zero").byzantineIds(List.of("node-11", "node-03")).build()));
    }

    @Test
    void nodeIdsAreZeroPaddedSoCanonicalOrderIsNumericOrder() {
        assertEquals("node-01", NodeIdScheme.id(0, 20));
        assertEquals("node-20", NodeIdScheme.id(19, 20));
        assertEquals("node-007", NodeIdScheme.id(6, 150));
        String[] ids = NodeIdScheme.ids(120);
        int[] order = NodeIds.canonicalOrder(ids);
        for (int k = 0; k < order.length; k++) {
            assertEquals(k, order[k]);
        }
    }

    @Test
    void aggregatorSpecsParse() {
        assertEquals("krum-common", AggregatorSpec.parse("krum").id());
        assertEquals("multikrum-pairwise:m=4", AggregatorSpec.parse("Multi-Krum-Pairwise:m=4").id());
        assertEquals(6, AggregatorSpec.parse("multikrum-common").selectionSize(20, 6));
        assertThrows(InvalidConfigException.class, () -> AggregatorSpec.parse("median"));
        assertEquals("median(1)", AggregatorSpec.parse("median(1)").id());
        assertEquals("norm-screen(2, 2) > nnm(2) > multi-krum(2, auto, common)",
                AggregatorSpec.parse("norm-screen(2,2) > nnm(2) > multi-krum(2)").id());
        assertTrue(assertThrows(InvalidConfigException.class, () -> AggregatorSpec.parse("median(1) > nnm(1)")).getMessage()
                .contains("aggregator"));
        assertThrows(InvalidConfigException.class, () -> AggregatorSpec.parse("krum:m=3"));
        assertThrows(InvalidConfigException.class, () -> AggregatorSpec.parse("multikrum:m=0"));
    }
}
