package org.qoraedge.devicesim.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.data.Datasets;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.client.TopKSparsifier;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.SignatureScheme;

/** Sparse updates and local DP in the in-process simulator. */
class UpdateChannelTest {
    private static TrainTest data;

    @BeforeAll
    static void load() throws Exception {
        data = Datasets.load("synthetic", null, 4);
    }

    private static SimResult run(SimConfig.Builder b) {
        return InProcessSimulator.run(b.build(), data, RoundListener.NONE);
    }

    private static SimConfig.Builder base() {
        return SimConfig.builder().dataset("synthetic").nodes(8).rounds(6).aggregator("multikrum-common").seed(4);
    }

    private static List<RoundRecord> records(SimResult r) {
        return r.rounds().stream().map(RoundRecord::withoutTiming).toList();
    }

    @Test
    void denseUpdatesCountTheBytesTheFrameEncoderWrites() {
        SimResult r = run(base());
        int d = r.parameterCount();
        // One real frame per node, signed by HMAC-SHA256, with the MQTT fleet's ids (node-01 .. node-08: 7 bytes each).
        byte[] frame = new Frame(FrameKind.UPDATE, SignatureScheme.HMAC_SHA256, "device-sim", "node-01", 1, 1,
                "device-sim-" + r.modelName(), Bfp16Block.of(0, new short[d])).encode(FrameSigner.hmac(new byte[32]));
        for (RoundRecord rec : r.rounds()) {
            assertEquals(8L * frame.length, rec.updateBytes());
        }
    }

    @Test
    void aTenthOfTheCoordinatesWithErrorFeedbackStillLearnsAndSendsFarFewerBytes() {
        SimResult dense = run(base());
        SimResult sparse = run(base().density(0.1));
        int d = dense.parameterCount();
        int k = TopKSparsifier.count(0.1, d);
        assertEquals((int) Math.ceil(0.1 * d), k);
        long denseBytes = dense.rounds().get(0).updateBytes();
        long sparseBytes = sparse.rounds().get(0).updateBytes();
        // A sparse entry is a 1..5-byte varint and a 2-byte mantissa, plus 4 bytes for k: at most 7k + 4 above the header.
        long header = denseBytes / 8 - 2L * d;
        assertTrue(sparseBytes <= 8 * (header + 4 + 7L * k), sparseBytes + " bytes");
        assertTrue(sparseBytes >= 8 * (header + 4 + 3L * k), sparseBytes + " bytes");
        double last = sparse.rounds().get(5).accuracy();
        assertTrue(last > 0.6, "synthetic data has 5 classes; sparse accuracy after 6 rounds " + last);
        assertNotEquals(records(dense), records(sparse));
    }

    @Test
    void resultsDoNotDependOnTheThreadCountWithSparseUpdatesAndNoise() {
        SimConfig.Builder b = base().density(0.2).byzantine(2).attack("sign-flip").byzantineDensity(0.05).dp(1.0, 0.5);
        assertEquals(records(run(b.threads(1))), records(run(b.threads(3))));
    }

    @Test
    void aClipNoUpdateReachesAndNoNoiseChangeNothing() {
        assertEquals(records(run(base())), records(run(base().dp(1e9, 0))));
        assertNotEquals(records(run(base())), records(run(base().dp(1e9, 0.5))), "noise changes the rounds");
        assertNotEquals(records(run(base())), records(run(base().dp(0.01, 0))), "a tight clip changes the rounds");
    }

    @Test
    void refusesDensitiesAndPrivacyParametersOutOfRange() {
        assertThrows(InvalidConfigException.class, () -> base().density(0).build());
        assertThrows(InvalidConfigException.class, () -> base().density(1.5).build());
        assertThrows(InvalidConfigException.class, () -> base().byzantineDensity(-0.1).build());
        assertThrows(InvalidConfigException.class, () -> base().dp(0, 1).build(), "noise without a clip");
        assertThrows(InvalidConfigException.class, () -> base().dp(-1, 0).build());
        assertThrows(InvalidConfigException.class, () -> base().dp(1, Double.NaN).build());
    }
}
