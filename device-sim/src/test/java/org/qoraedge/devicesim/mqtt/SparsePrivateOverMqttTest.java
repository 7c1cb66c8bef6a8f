package org.qoraedge.devicesim.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qoraedge.devicesim.data.SyntheticSensorData;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.sim.InProcessSimulator;
import org.qoraedge.devicesim.sim.RoundListener;
import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.devicesim.sim.SimResult;
import org.qoraedge.gateway.round.RoundReport;

/**
 * Sparse updates (honest nodes with error feedback, Byzantine ones at their own density) and local
 * DP, over MQTT through a real gateway on its embedded broker: the gateway accepts every SPARSE
 * UPDATE frame and the rounds are, bit for bit, the in-process simulator's.
 */
class SparsePrivateOverMqttTest {
    @Test
    void sparseAndPrivateUpdatesOverMqttGiveTheInProcessRoundsBitForBit() throws Exception {
        TrainTest data = SyntheticSensorData.generate(1);
        SimConfig dense = SimConfig.builder().dataset("synthetic").model("logreg").nodes(7).byzantine(1).attack("sign-flip")
                .aggregator("nnm(1) > centered-clip(1, 3)").rounds(3).seed(11).threads(1).build();
        SimConfig cfg = dense.toBuilder().density(0.1).byzantineDensity(0.05).dp(2.0, 0.5).build();
        SimResult inProcess = InProcessSimulator.run(cfg, data, RoundListener.NONE);
        SimResult inProcessDense = InProcessSimulator.run(dense, data, RoundListener.NONE);
        assertFalse(Arrays.equals(inProcess.finalParameters(), inProcessDense.finalParameters()),
                "density and noise changed nothing: the comparison below would prove nothing");

        List<RoundReport> reports = new ArrayList<>();
        MqttScenario.Result res = MqttScenario.run(cfg, data, MqttScenario.Options.defaults().reputation(false),
                (rec, rep) -> reports.add(rep));
        assertEquals(3, reports.size());
        for (RoundReport rep : reports) {
            assertTrue(rep.aggregated(), "round " + rep.round() + ": " + rep.failure());
            assertEquals(7, rep.acceptedIds().size(), "every sparse frame accepted in round " + rep.round());
            assertTrue(rep.rejected().isEmpty(), rep.rejected().toString());
        }
        SimResult mqtt = res.sim();
        for (int r = 0; r < 3; r++) {
            assertEquals(inProcess.rounds().get(r).withoutTiming(), mqtt.rounds().get(r).withoutTiming(), "round " + (r + 1));
        }
        assertArrayEquals(inProcess.finalParameters(), mqtt.finalParameters());
    }

    @Test
    void centralNoiseFromTheSeedsSecretRepeatsBitForBitAndMovesTheModel() throws Exception {
        TrainTest data = SyntheticSensorData.generate(1);
        SimConfig cfg = SimConfig.builder().dataset("synthetic").model("logreg").nodes(5).byzantine(0).attack("none")
                .aggregator("mean").rounds(2).seed(3).threads(1).build();
        MqttScenario.Options noisy = MqttScenario.Options.defaults().reputation(false).centralSigma2("10000");
        SimResult first = MqttScenario.run(cfg, data, noisy, (rec, rep) -> { }).sim();
        SimResult again = MqttScenario.run(cfg, data, noisy, (rec, rep) -> { }).sim();
        assertArrayEquals(first.finalParameters(), again.finalParameters(), "the simulation's secret comes from its seed");
        SimResult plain = InProcessSimulator.run(cfg, data, RoundListener.NONE);
        assertFalse(Arrays.equals(plain.finalParameters(), first.finalParameters()), "sigma 100 LSB changed nothing");
        assertEquals(2, first.rounds().size());
    }
}
